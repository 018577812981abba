"""The console's screens in a real browser, at 1280 and 390 pixels wide: the portfolio (the demo
user opens on it; a business whose score changes moves in the list, live), the dashboard's charts
(the axis covers the data, no date label overlaps another), plans and tasks, the wizard closed
without a trace, the settings (the insight hour moves the next run), the team (invite, accept in
a second browser, change a role, remove), and an accessibility check (axe-core) on every page.
Screenshots of every screen at both widths land in ``artifacts/e2e/``."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from coach import plans as plan_service
from coach.models import ActionPlan, ActionTask, Recommendation
from gateway.models import Membership, Role, Tenant
from insights.daily import regenerate, run_today
from insights.demo_data import story_periods
from insights.financials import upsert_periods
from insights.management.commands.seed_demo import last_full_month
from tests.e2e.a11y import check_accessibility
from tests.e2e.conftest import ARTIFACTS, off_loop, watch
from tests.processes import daphne_server

pytestmark = [pytest.mark.e2e, pytest.mark.services]

WIDTHS = (1280, 390)


def new_page(browser: Any, errors: list[str]) -> Any:
    """A page in a context of its own, ``watch``ed into ``errors``."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch(page, errors)
    return page


def unexpected(errors: list[str], *provoked: str) -> list[str]:
    """The errors besides the 4xx answers a test provoked on purpose (matched by pattern)."""
    return [e for e in errors if not any(re.fullmatch(p, e) for p in provoked)]


def both_widths(page: Any, name: str, *, full_page: bool = True) -> None:
    """A screenshot at each width, and the accessibility check at each."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900 if width > 600 else 844})
        page.wait_for_timeout(250)  # charts redraw at their new width
        check_accessibility(page, f"{name} at {width} px")
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=full_page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_timeout(150)


def seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def login(page: Any, base: str, path: str = "/") -> None:
    page.goto(f"{base}{path}")
    page.fill("#login-username", "demo")
    page.fill("#login-password", "demo-coach")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#ws-state[data-state=connected]")


def portfolio_names(page: Any) -> list[str]:
    return page.eval_on_selector_all(".portfolio tbody tr", "rows => rows.map(r => r.dataset.name)")


def test_the_portfolio_opens_first_and_reorders_live_and_the_charts_fit(
    transactional_db, chromium_browser
):
    off_loop(seed)
    errors: list[str] = []
    page = new_page(chromium_browser, errors)
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        # the demo user, who owns every demo business, opens on the portfolio, worst first
        login(page, base)
        page.wait_for_selector(".portfolio tbody tr")
        assert "page=portfolio" in page.url
        names = portfolio_names(page)
        assert len(names) == off_loop(lambda: Tenant.objects.filter(is_active=True).count())
        scores = page.eval_on_selector_all(
            ".portfolio tbody tr",
            "rows => rows.map(r => { const s = r.querySelector('[data-testid=portfolio-score]');"
            " return s ? Number(s.textContent) : null; })",
        )
        known = [s for s in scores if s is not None]
        assert known == sorted(known)
        # each scored business says its stage in words
        stages = page.eval_on_selector_all(
            ".portfolio [data-testid=portfolio-stage]", "spans => spans.map(s => s.textContent)"
        )
        assert len(stages) == len(known)
        assert all(s and "_" not in s for s in stages), stages
        both_widths(page, "40-portfolio")
        # on a phone the table scrolls sideways, and says so; on a desktop it fits, and does not
        hint = ".portfolio-wrap >> xpath=preceding-sibling::p[1]"
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_selector(hint, state="visible")
        assert page.inner_text(hint) == "Scroll sideways to see every column →"
        assert page.get_attribute(".portfolio-wrap", "tabindex") == "0"  # the keyboard scrolls it
        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_selector(hint, state="hidden")

        # sorting by name, then back to the worst first, by keyboard
        page.focus("button.sort[data-sort=name]")
        page.keyboard.press("Enter")
        assert portfolio_names(page) == sorted(names, key=str.lower)
        assert page.get_attribute("th:has(button[data-sort=name])", "aria-sort") == "ascending"
        page.focus("button.sort[data-sort=score]")
        page.keyboard.press("Enter")
        assert portfolio_names(page) == names

        # when the healthiest business's books turn into a cash crunch and today's insight is
        # written, it moves up the list without a reload
        best = names[-1]

        def crunch() -> None:
            tenant = Tenant.objects.get(name=best)
            upsert_periods(tenant, story_periods("cash_crunch", last_full_month(tenant)))
            regenerate(tenant, tenant.local_today())

        off_loop(crunch)
        page.wait_for_function(
            "name => { const rows = [...document.querySelectorAll('.portfolio tbody tr')];"
            " return rows.length && rows[rows.length - 1].dataset.name !== name; }",
            arg=best,
            timeout=20_000,
        )
        assert portfolio_names(page).index(best) < len(names) - 1
        page.screenshot(
            path=str(ARTIFACTS / "41-portfolio-live-reordered-1280.png"), full_page=True
        )

        # one click into a business: its dashboard
        page.click(".portfolio tbody tr:first-child .business-link")
        page.wait_for_selector(".trend-card svg.chart")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.wait_for_timeout(300)
            check_chart(page, ".trend-card")
        page.set_viewport_size({"width": 1280, "height": 900})
        both_widths(page, "42-dashboard")
        # the details view's tabs are in words, from the glossary
        page.click(".rec [data-action=details] >> nth=0")
        page.wait_for_selector("dialog[data-name=details]")
        tabs = page.eval_on_selector_all("dialog .tab", "tabs => tabs.map(t => t.textContent)")
        assert all(not re.fullmatch(r"[A-Z][a-z]{2}", t) for t in tabs), tabs  # no "Dso"
        if page.locator("dialog svg.chart").count():
            check_chart(page, "dialog")
        both_widths(page, "43-details", full_page=False)
        page.keyboard.press("Escape")
    assert errors == []


def check_chart(page: Any, scope: str) -> None:
    """The y axis reaches the highest point, and no two x labels overlap."""
    result = page.evaluate(
        """scope => {
            const svg = document.querySelector(`${scope} svg.chart`);
            const height = svg.viewBox.baseVal.height;
            const texts = [...svg.querySelectorAll('.grid text')];
            const xLabels = texts.filter(t => Number(t.getAttribute('y')) > height - 20)
                .map(t => t.getBoundingClientRect()).sort((a, b) => a.left - b.left);
            const yTicks = texts.filter(t => Number(t.getAttribute('y')) <= height - 20)
                .map(t => Number(t.getAttribute('y')));
            const dots = [...svg.querySelectorAll('circle')].map(c => Number(c.getAttribute('cy')));
            const overlaps = xLabels.slice(1)
                .filter((r, i) => r.left < xLabels[i].right + 2).length;
            return {overlaps, topTick: Math.min(...yTicks) - 4, topDot: Math.min(...dots),
                    labels: xLabels.length};
        }""",
        scope,
    )
    assert result["labels"] >= 2, result
    assert result["overlaps"] == 0, result
    assert result["topTick"] <= result["topDot"] + 0.5, result  # the axis covers the data


def test_plans_the_wizard_and_the_settings(transactional_db, chromium_browser):
    off_loop(seed)

    def a_plan() -> tuple[str, int, int]:
        thames = Tenant.objects.get(name="Thames Print Studio")
        demo = get_user_model().objects.get(username="demo")
        run_today(thames)  # this morning's cards
        recs = Recommendation.objects.filter(tenant=thames, status__in=["new", "seen"])
        rec = recs.order_by("-issued_on", "-score").first()
        assert rec is not None
        plan = plan_service.create_plan(thames, demo, details={}, recommendation=rec)
        while plan.tasks.count() < 3:
            plan_service.add_task(plan, title=f"Extra step {plan.tasks.count() + 1}")
        plan_service.confirm_plan(plan, demo)
        other = recs.exclude(pk=rec.pk).exclude(template_key=rec.template_key).first()
        assert other is not None
        return str(thames.pk), plan.pk, other.pk

    thames, plan_id, free_rec = off_loop(a_plan)
    errors: list[str] = []
    page = new_page(chromium_browser, errors)
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        login(page, base, f"/#tenant={thames}")
        page.wait_for_selector(".rec")

        # the wizard: opening it creates nothing, closing it leaves nothing
        card = f".rec[data-id='{free_rec}']"
        page.click(f"{card} [data-action=plan]")
        page.wait_for_selector("#plan-title")
        page.keyboard.press("Escape")
        assert off_loop(lambda: ActionPlan.objects.filter(recommendation_id=free_rec).count()) == 0
        page.click(f"{card} [data-action=plan]")
        page.wait_for_selector("#plan-title")
        page.click("dialog .wizard-form button[type=submit]")  # the details saved: a draft
        page.wait_for_selector("#plan-due-date")
        assert off_loop(lambda: ActionPlan.objects.filter(recommendation_id=free_rec).count()) == 1
        page.keyboard.press("Escape")  # closed before confirming: the draft goes
        page.wait_for_function("() => !document.querySelector('dialog[open]')")
        for _ in range(50):
            if not off_loop(lambda: ActionPlan.objects.filter(recommendation_id=free_rec).exists()):
                break
            page.wait_for_timeout(100)
        assert not off_loop(lambda: ActionPlan.objects.filter(recommendation_id=free_rec).exists())
        assert off_loop(lambda: Recommendation.objects.get(pk=free_rec).status) in {"new", "seen"}

        # the plans page: tick a task, see the progress
        page.click("#nav a[data-page=plans]")
        plan = f".plan[data-id='{plan_id}']"
        page.wait_for_selector(plan)
        assert page.inner_text(f"{plan} [data-testid=progress-text]").startswith("0 of")
        page.check(f"{plan} .plan-task:first-child input[type=checkbox]")
        page.wait_for_selector(f"{plan} [data-testid=progress-text]:has-text('1 of')")
        assert (
            off_loop(lambda: ActionPlan.objects.get(pk=plan_id).tasks.filter(done=True).count())
            == 1
        )
        # re-date a task past the plan's due date: the API's error at the task
        page.fill(f"{plan} .plan-task:nth-child(2) input[type=date]", "2999-01-01")
        page.dispatch_event(f"{plan} .plan-task:nth-child(2) input[type=date]", "change")
        page.wait_for_selector(f"{plan} .plan-task:nth-child(2) .field-error:not([hidden])")
        # reorder: the second task moves up
        second = page.get_attribute(f"{plan} .plan-task:nth-child(2)", "data-task-id")
        page.click(f"{plan} .plan-task:nth-child(2) button[aria-label$='up']")
        page.wait_for_selector(f"{plan} .plan-task:first-child[data-task-id='{second}']")
        # assign the first task with the keyboard, from its labelled picker: the first member
        picker = f"{plan} .plan-task:first-child select.task-assignee"
        label = page.text_content(f"{plan} .plan-task:first-child label[for]:has(+ select)")
        assert (label or "").startswith("Assigned to, for ")
        first_member = page.get_attribute(f"{picker} option:nth-child(2)", "value")
        name = page.text_content(f"{picker} option:nth-child(2)")
        page.focus(picker)
        page.keyboard.press("ArrowDown")
        page.wait_for_selector(f"[role=status]:has-text('assigned to {name}')")
        assert off_loop(lambda: ActionTask.objects.get(pk=second).assignee_id) == int(
            first_member or 0
        )
        # the focus stays on the picker of the redrawn card
        assert page.evaluate("() => document.activeElement.classList.contains('task-assignee')")
        page.select_option(picker, "")  # and unassigned again
        page.wait_for_selector("[role=status]:has-text('unassigned')")
        assert off_loop(lambda: ActionTask.objects.get(pk=second).assignee_id) is None
        both_widths(page, "44-plans")

        # the dashboard's card now offers "Open plan", not a second plan
        page.click("#nav a[data-page=dashboard]")
        rid = off_loop(lambda: ActionPlan.objects.get(pk=plan_id).recommendation_id)
        page.wait_for_selector(f".rec[data-id='{rid}'] [data-action=open-plan]")

        # snooze a card for a week, then undo
        page.click(f"{card} .snooze-menu summary")
        page.click(f"{card} [data-snooze=week]")
        page.wait_for_selector(".rec-undo:has-text('Snoozed until')")
        assert off_loop(lambda: Recommendation.objects.get(pk=free_rec).snoozed_until) is not None
        page.screenshot(path=str(ARTIFACTS / "45-card-snoozed-1280.png"))
        page.click(".rec-undo button:has-text('Undo')")
        page.wait_for_selector(card)
        assert off_loop(lambda: Recommendation.objects.get(pk=free_rec).snoozed_until) is None

        # settings: the insight hour moves the next run
        page.click("#nav a[data-page=settings]")
        page.wait_for_selector("form[data-name=business-profile]")
        page.wait_for_selector("#next-run:has-text('Next insight')")
        hour = 9 if off_loop(lambda: Tenant.objects.get(pk=thames).insight_hour) != 9 else 10
        page.select_option("#setting-insight_hour", str(hour))
        page.click("form[data-name=business-profile] button[type=submit]")
        page.wait_for_selector(f"#next-run:has-text('{hour:02d}:00')")
        assert off_loop(lambda: Tenant.objects.get(pk=thames).insight_hour) == hour
        # a currency that does not exist: the API's error at the field
        page.fill("#setting-currency", "XYZ")
        page.click("form[data-name=business-profile] button[type=submit]")
        page.wait_for_selector("#setting-currency-error:not([hidden])")
        page.fill("#setting-currency", "GBP")
        # a token: shown once, then revoked
        page.fill("#token-name", "Spreadsheet export")
        page.click("form[data-name=new-token] button[type=submit]")
        page.wait_for_selector("#token-key")
        assert page.input_value("#token-key").startswith("coach_")
        both_widths(page, "46-settings")
        page.click("tr:has-text('Spreadsheet export') button:has-text('Revoke')")
        page.click(".confirm-inline button:has-text('Yes')")
        page.wait_for_selector("tr:has-text('Spreadsheet export')", state="detached")
    assert (
        unexpected(
            errors,
            # a task re-dated past its plan's due date
            r"400 PATCH /v1/tenants/[-0-9a-f]+/coach/action-plans/\d+/tasks/\d+/",
            r"400 PATCH /v1/tenants/[-0-9a-f]+/",  # XYZ, no currency
        )
        == []
    )


def test_the_team_invites_someone_who_accepts_in_another_browser(
    transactional_db, chromium_browser
):
    off_loop(seed)
    harbor = off_loop(lambda: str(Tenant.objects.get(name="Harbor Coffee Roasters").pk))
    errors: list[str] = []
    owner = new_page(chromium_browser, errors)
    guest = new_page(chromium_browser, errors)
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        login(owner, base, f"/#tenant={harbor}&page=team")
        owner.wait_for_selector(".data-table tbody tr[data-username=demo]")

        # invite: the link is shown once
        owner.fill("#invite-email", "carol@example.com")
        owner.select_option("#invite-role", "accountant")
        owner.click("form[data-name=invite] button[type=submit]")
        owner.wait_for_selector("#invite-link")
        key = owner.input_value("#invite-link").rsplit("#invite=", 1)[1]
        owner.wait_for_selector(".invites li[data-email='carol@example.com']")
        both_widths(owner, "47-team")

        # the invitee opens the link in another browser and creates an account
        guest.goto(f"{base}/#invite={key}")
        guest.wait_for_selector("form[data-name=create-account]")
        assert "Harbor Coffee Roasters" in guest.inner_text("#invite-title")
        both_widths(guest, "48-invitation")
        guest.fill("#new-username", "carol")
        guest.fill("#new-password", "123")
        guest.click("form[data-name=create-account] button[type=submit]")
        guest.wait_for_selector("#new-password-error:not([hidden])")  # too weak: said at the field
        guest.fill("#new-password", "a-long-enough-passphrase")
        guest.click("form[data-name=create-account] button[type=submit]")
        guest.wait_for_selector("#ws-state[data-state=connected]")
        guest.wait_for_selector(".page-head h1:has-text('Harbor Coffee Roasters')")
        carol = off_loop(lambda: Membership.objects.get(user__username="carol"))
        assert carol.role == Role.ACCOUNTANT
        guest.screenshot(path=str(ARTIFACTS / "49-invitee-dashboard-1280.png"))

        # the owner sees her, changes her role, then removes her
        owner.reload()
        row = ".data-table tbody tr[data-username=carol]"
        owner.wait_for_selector(row)
        owner.select_option(f"{row} select", "viewer")
        owner.wait_for_function(
            "() => document.querySelector('#team-status').textContent.includes('carol is now')"
        )
        assert off_loop(lambda: Membership.objects.get(user__username="carol").role) == Role.VIEWER
        # the last owner cannot step down: said at the row
        owner.select_option(".data-table tbody tr[data-username=demo] select", "admin")
        owner.wait_for_selector(
            ".data-table tbody tr[data-username=demo] .field-error:has-text('last owner')"
        )
        owner.click(f"{row} button:has-text('Remove')")
        owner.click(".confirm-inline button:has-text('Yes')")
        owner.wait_for_selector(row, state="detached")
        assert not off_loop(lambda: Membership.objects.filter(user__username="carol").exists())
    assert (
        unexpected(
            errors,
            r"400 POST /v1/invitations/[^/]+/",  # the weak password
            r"400 PATCH /v1/tenants/[-0-9a-f]+/members/\d+/",  # the last owner
        )
        == []
    )


def test_the_login_the_drawer_the_wizard_the_chat_and_feedback_at_both_widths(
    transactional_db, chromium_browser
):
    """The screens the other tests show at one width only: each at both, with the check."""
    off_loop(seed)

    def thames_today() -> str:
        thames = Tenant.objects.get(name="Thames Print Studio")
        run_today(thames)  # this morning's cards, and their alerts in the inbox
        return str(thames.pk)

    thames = off_loop(thames_today)
    errors: list[str] = []
    page = new_page(chromium_browser, errors)
    with daphne_server() as (_, port):
        base = f"http://127.0.0.1:{port}"
        page.goto(f"{base}/#tenant={thames}")
        page.wait_for_selector("#login-form")
        both_widths(page, "50-login", full_page=False)
        login(page, base, f"/#tenant={thames}")
        page.wait_for_selector(".rec [data-action=plan]")
        rid = page.get_attribute(".rec:has([data-action=plan]) >> nth=0", "data-id")
        card = f".rec[data-id='{rid}']"

        page.click("#bell")
        page.wait_for_selector("#drawer:not([hidden]) #drawer-list")
        both_widths(page, "51-drawer", full_page=False)
        page.keyboard.press("Escape")
        page.wait_for_selector("#drawer", state="hidden")

        page.click(f"{card} [data-action=plan]")
        page.wait_for_selector("#plan-title")
        both_widths(page, "52-wizard", full_page=False)
        page.keyboard.press("Escape")  # nothing was saved: nothing is left
        page.wait_for_function("() => !document.querySelector('dialog[open]')")

        page.click(f"{card} [data-action=chat]")
        page.wait_for_selector("dialog[data-name=chat] .chip")
        page.locator("dialog .chip").first.click()
        page.wait_for_selector(".msg.assistant[data-source=fallback]")  # no model here
        both_widths(page, "53-chat", full_page=False)
        page.keyboard.press("Escape")

        page.click(f"{card} [data-action=feedback]")
        page.wait_for_selector("dialog[data-name=feedback] .thumb")
        both_widths(page, "54-feedback", full_page=False)
        page.keyboard.press("Escape")
    assert errors == []
