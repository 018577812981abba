"""The web console in a real browser, against the system started as in production.

daphne serves the console and the API, a real Celery worker writes the insights, Postgres and
Redis are the real ones (the test database), and headless Chromium is the user. Screenshots of
every page land in ``artifacts/e2e/``.
"""

from __future__ import annotations

import io
import re
import tempfile
from contextlib import ExitStack
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction

from coach.glossary import GLOSSARY
from coach.models import ActionPlan, AnswerSource, Message
from feedback.models import Feedback
from gateway.models import Role, Tenant
from insights.daily import run_batch
from insights.models import Insight
from notifications import services as inbox
from notifications.models import LiveConnection, Notification
from tests.e2e.conftest import off_loop
from tests.fake_llm import FakeLLM, Reply
from tests.processes import celery_worker, daphne_server, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.services]

LLM_ANSWER = (
    "At the current burn your cash lasts about five weeks. Chase the largest unpaid invoices "
    "this week and hold back new spending until the runway is back above three months."
)


def seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def thames_with_history() -> tuple[str, datetime]:
    """Thames (the cash crunch) with three months of earlier insights, and the instant of its
    next morning: today, 07:00 London time. The history stops ten days ago, past the cooldown,
    so that this morning's critical runway alert is issued again."""
    seed()
    thames = Tenant.objects.get(name="Thames Print Studio")
    # a colleague, to give a task to in the wizard
    sam = get_user_model().objects.create_user(username="sam", password="pw-sam-e2e")
    thames.memberships.create(user=sam, role=Role.MEMBER)
    today = thames.local_today()
    for days_ago in range(97, 9, -3):
        run_batch([(thames.pk, today - timedelta(days=days_ago))])
    demo = get_user_model().objects.get(username="demo")
    inbox.clear_all(thames, demo)  # the history's own alerts: the story starts with none
    morning = datetime.combine(today, time(7, 0), tzinfo=ZoneInfo(thames.timezone))
    return str(thames.pk), morning.astimezone(UTC)


def login(page, base: str, tenant_id: str, shot=None) -> None:
    page.goto(f"{base}/#tenant={tenant_id}")
    page.wait_for_selector("#login-form")
    if shot:
        page.fill("#login-username", "demo")
        page.fill("#login-password", "wrong")
        page.click("#login-form button[type=submit]")
        page.wait_for_selector("#login-error:has-text('Wrong username or password')")
        shot(page, "01-login-error")
    page.fill("#login-username", "demo")
    page.fill("#login-password", "demo-coach")
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#ws-state[data-state=connected]")


def test_the_demo_user_sees_the_dashboard_a_live_alert_and_acts_on_it(
    transactional_db, browser, shot
) -> None:
    # given: the demo books, Thames' history, a worker, a model server, and the web process
    tenant_id, morning = off_loop(thames_with_history)
    fake = FakeLLM().start()
    fake.default = Reply.answer(LLM_ANSWER)
    with ExitStack() as stack:
        stack.callback(fake.stop)
        key_file = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "openai-key"
        key_file.write_text("sk-e2e")
        # The web process (which decides) and the worker (whose llm queue answers the chat) both
        # talk to the fake model: they inherit this environment.
        env = stack.enter_context(pytest.MonkeyPatch.context())
        for name, value in {
            "OPENAI_API_KEY_FILE": str(key_file),
            "OPENAI_BASE_URL": fake.url,
            "COACH_LLM_MODEL": "fake-model",
            "COACH_LLM_MAX_RETRIES": "0",
            "COACH_LLM_TIMEOUT": "5",
            # no rewrites of the morning's cards: the model's replies here are the chat's
            "COACH_ENRICH_ALL": "false",
        }.items():
            env.setenv(name, value)
        stack.enter_context(celery_worker())
        _, port = stack.enter_context(daphne_server())
        base = f"http://127.0.0.1:{port}"
        page = browser.pages[0] if browser.pages else browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # the page runs under its Content-Security-Policy: anything it blocks is reported here
        page.on(
            "console",
            lambda message: (
                errors.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )

        # when: the demo user logs in (after one wrong password)
        login(page, base, tenant_id, shot)

        # then: the dashboard of Thames, with its score, four components, trend and change
        page.wait_for_selector(".score-card")
        assert page.inner_text(".page-head h1") == "Thames Print Studio"
        assert re.fullmatch(r"\d+(\.\d)?", page.inner_text("[data-testid=score]"))
        assert page.locator(".component").count() == 4
        # each bar is as wide as its score: a style the script sets, which the policy lets through
        bars = page.eval_on_selector_all(
            ".component .bar",
            """bars => bars.map(bar => [
                100 * bar.firstElementChild.getBoundingClientRect().width
                    / bar.getBoundingClientRect().width,
                Number(bar.getAttribute("aria-valuenow")),
            ])""",
        )
        assert len(bars) == 4
        assert all(abs(percent - score) <= 2.5 for percent, score in bars), bars
        assert page.locator(".trend-card svg.chart circle").count() >= 20
        assert "What changed since" in page.inner_text(".change-card h2")
        assert page.locator(".rec").count() >= 1
        shot(page, "02-dashboard", full_page=True)
        # the business's stage, in words, with what it means and what a stage is on hover
        stage = off_loop(
            lambda: Insight.objects.filter(tenant_id=tenant_id).order_by("-local_date")[0].stage
        )
        words = GLOSSARY[f"stage_{stage}"]
        assert page.get_attribute("[data-testid=stage]", "data-stage") == stage
        assert page.inner_text("[data-testid=stage] strong") == words.label
        assert words.definition in page.inner_text("[data-testid=stage]")
        page.hover("[data-testid=stage] .tip-btn")
        assert page.is_visible("[data-testid=stage] .tip:has-text('Where the business is')")
        page.mouse.move(0, 0)

        # when: the dispatcher replays this morning, through the queue to the worker
        off_loop(
            call_command,
            "run_insights",
            "--dispatch",
            "--at",
            morning.isoformat(),
            stdout=io.StringIO(),
        )

        # then: the critical alert arrives as a toast, without a reload, and stays
        toast = page.wait_for_selector(".toast.kind-coach_alert", timeout=30_000)
        assert toast.get_attribute("role") == "alert"
        assert page.inner_text("#bell-count") == "1"
        page.wait_for_selector(".rec[data-priority=critical] .status-tag.new")
        page.wait_for_timeout(300)  # the toast's slide-in
        first = page.locator(".rec").first
        assert first.get_attribute("data-priority") == "critical"
        assert first.get_attribute("data-template") == "cash_runway_low"
        shot(page, "03-live-alert-toast")

        # and in the drawer, unread; marking it read clears the count
        page.click("#bell")
        page.wait_for_selector("#drawer .note.unread.kind-coach_alert")
        shot(page, "04-drawer-unread")
        page.click("#drawer .note.unread button:has-text('Mark read')")
        page.wait_for_selector("#drawer .note.read.kind-coach_alert")
        assert page.locator("#bell-count").is_hidden()
        shot(page, "05-drawer-read")
        page.keyboard.press("Escape")
        assert page.locator("#drawer").is_hidden()
        assert off_loop(lambda: Notification.objects.get(user__username="demo").read_at is not None)
        page.click(".toast.kind-coach_alert button[aria-label^=Dismiss]")

        rid = int(first.get_attribute("data-id") or 0)
        card = f".rec[data-id='{rid}']"

        # when: "Show details"
        page.click(f"{card} [data-action=details]")
        # then: four metric cards, the trend chart and the cash-flow table
        page.wait_for_selector("dialog[data-name=details] .metric-card")
        assert page.locator(".metric-card").count() == 4
        assert page.locator("dialog svg.chart path.line").count() == 1
        assert page.locator(".cash-table tbody tr").count() >= 6
        shot(page, "06-details")
        page.keyboard.press("Escape")

        # when: "Tell me more", with a quick question
        page.click(f"{card} [data-action=chat]")
        page.wait_for_selector("dialog[data-name=chat] .chip")
        fake.then(Reply.answer(LLM_ANSWER, delay=2))  # a model that takes its time
        page.locator(".chip").first.click()
        # then: the question shows at once and the answer is pending, then the model's answer
        # arrives, streamed over the socket from the llm worker
        page.wait_for_selector(".msg.user")
        page.wait_for_selector(".msg.assistant.pending")
        answer = page.wait_for_selector(".msg.assistant[data-source=llm]", timeout=30_000)
        assert "five weeks" in answer.inner_text()
        assert int(answer.get_attribute("data-streamed") or 0) > 5
        # and when the model fails, the fallback answers and says so
        fake.then(Reply.error(500))
        page.fill("#chat-input", "What if sales drop next month?")
        page.click("dialog .chat-form button[type=submit]")
        fallback = page.wait_for_selector(".msg.assistant[data-source=fallback]")
        assert "Not from the AI" in fallback.query_selector(".source-tag.fallback").text_content()
        assert "This answer is not from the AI" in fallback.inner_text()
        shot(page, "07-chat")
        page.keyboard.press("Escape")
        sources = off_loop(
            lambda: list(
                Message.objects.filter(role="assistant")
                .order_by("id")
                .values_list("source", flat=True)
            )
        )
        assert sources == [AnswerSource.LLM, AnswerSource.FALLBACK]

        # when: "Create plan": the four-step wizard, with the API's errors at the field
        page.click(f"{card} [data-action=plan]")
        page.wait_for_selector("#plan-title")
        page.fill("#plan-title", "")
        page.click("dialog .wizard-form button[type=submit]")
        page.wait_for_selector("#plan-title-error:has-text('must not be empty')")
        assert page.get_attribute("#plan-title", "aria-invalid") == "true"
        shot(page, "08-wizard-details-error")
        page.fill("#plan-title", "Stretch the runway to three months")
        page.click("dialog .wizard-form button[type=submit]")
        page.wait_for_selector("#plan-due-date")
        start = page.input_value("#plan-start-date")
        due = page.input_value("#plan-due-date")
        page.fill(
            "#plan-due-date", (datetime.fromisoformat(start) - timedelta(days=1)).date().isoformat()
        )
        page.click("dialog .wizard-form button[type=submit]")
        page.wait_for_selector("#plan-due-date-error:has-text('must not be before the start')")
        shot(page, "09-wizard-timeline-error")
        page.fill("#plan-due-date", due)
        page.click("dialog .wizard-form button[type=submit]")
        page.wait_for_selector("#new-task-title")
        page.fill("#new-task-title", "Ask the bank for a short-term credit line")
        # who does it: the new task goes to Sam, from the picker of the business's members
        sam = off_loop(lambda: get_user_model().objects.get(username="sam").pk)
        demo = off_loop(lambda: get_user_model().objects.get(username="demo").pk)
        page.select_option("#new-task-assignee", label="sam")
        page.click("dialog button:has-text('Add task')")
        page.wait_for_selector(
            ".task-list input[value='Ask the bank for a short-term credit line']"
        )
        added = page.get_attribute(".task-list .task-row:last-child", "data-task-id")
        assert page.input_value(f"#task-{added}-assignee") == str(sam)
        # and the first suggested task to the demo user, saved with the step
        first_task = page.get_attribute(".task-list .task-row:first-child", "data-task-id")
        page.select_option(f"#task-{first_task}-assignee", str(demo))
        shot(page, "10-wizard-tasks")
        page.click("dialog .wizard-form button[type=submit]")
        page.wait_for_selector("dialog .summary")
        assert "sam" in page.inner_text("dialog .summary-tasks li:last-child")
        shot(page, "11-wizard-confirm")
        page.click("dialog .wizard-form button[type=submit]")
        # then: the plan is active
        page.wait_for_selector("dialog .thanks:has-text('Your plan is active')")
        shot(page, "12-wizard-done")
        page.keyboard.press("Escape")
        plan = off_loop(
            lambda: ActionPlan.objects.prefetch_related("tasks").get(
                tenant_id=tenant_id, recommendation_id=rid
            )
        )
        assert plan.status == "active"
        assert plan.title == "Stretch the runway to three months"
        assert "Ask the bank for a short-term credit line" in [t.title for t in plan.tasks.all()]
        assigned = {t.pk: t.assignee_id for t in plan.tasks.all()}
        assert assigned[int(added or 0)] == sam
        assert assigned[int(first_task or 0)] == demo

        # when: feedback, thumbs down, first without a reason
        page.click(f"{card} [data-action=feedback]")
        page.click("dialog .thumb[data-helpful=false]")
        page.click("dialog .feedback-form button[type=submit]")
        page.wait_for_selector("#fb-reason-error:has-text('required')")
        shot(page, "13-feedback-error")
        page.check("dialog input[name=reason][value=not_priority]")
        page.fill("#fb-comment", "We are fixing cash first through the plan.")
        page.click("dialog .feedback-form button[type=submit]")
        # then: the thank-you state, and the feedback is stored
        page.wait_for_selector("dialog .thanks:has-text('Thank you')")
        shot(page, "14-feedback-thanks")
        page.keyboard.press("Escape")
        feedback = off_loop(lambda: Feedback.objects.get(recommendation_id=rid))
        assert (feedback.helpful, feedback.reason) == (False, "not_priority")

        # and on a phone-sized screen the dashboard still works
        page.set_viewport_size({"width": 390, "height": 844})
        page.evaluate("window.scrollTo(0, 0)")
        page.wait_for_timeout(200)
        shot(page, "15-phone-dashboard")
        page.click(f"{card} [data-action=details]")
        page.wait_for_selector("dialog[data-name=details] .metric-card")
        shot(page, "16-phone-details")
        assert errors == []


def test_the_page_reconnects_and_shows_what_it_missed(transactional_db, browser, shot) -> None:
    # given: the demo user on Harbor's dashboard, connected
    off_loop(seed)
    harbor = off_loop(lambda: Tenant.objects.get(name="Harbor Coffee Roasters"))
    demo = off_loop(lambda: get_user_model().objects.get(username="demo"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    page = browser.pages[0] if browser.pages else browser.new_page()
    with ExitStack() as web:
        web.enter_context(daphne_server(port))
        login(page, base, str(harbor.pk))
        assert off_loop(lambda: LiveConnection.objects.filter(user=demo).count()) == 1
        shot(page, "20-connected")
        # when: the web process stops
    page.wait_for_selector("#ws-state:not([data-state=connected])")
    shot(page, "21-disconnected")

    # and a notification is sent while the page cannot hear it
    def send() -> None:
        with transaction.atomic():
            inbox.notify(
                harbor,
                kind="warning",
                title="Missed while away",
                body="Sent while the web process was down.",
                users=[demo],
            )

    off_loop(send)

    # when: the web process comes back on the same address
    with daphne_server(port):
        # then: the page reconnects by itself, resumes, and shows what it missed
        page.wait_for_selector("#ws-state[data-state=connected]", timeout=45_000)
        page.wait_for_selector(".toast.kind-warning:has-text('Missed while away')")
        assert page.inner_text("#bell-count") == "1"
        page.wait_for_timeout(300)  # the toast's slide-in
        shot(page, "22-reconnected-missed-toast")
        page.click("#bell")
        page.wait_for_selector("#drawer .note.unread:has-text('Missed while away')")
        shot(page, "23-reconnected-drawer")
        # one connection per tab, also after the reconnect (the stopped process's row stays
        # until the periodic prune: it could not clean up after itself)
        servers = off_loop(
            lambda: list(LiveConnection.objects.filter(user=demo).values_list("server", flat=True))
        )
        assert len(servers) == len(set(servers)) == 2
