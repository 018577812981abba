"""``manage.py run_insights``: by hand, for some tenants or all, or replaying a dispatcher pass."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from insights.models import Insight, InsightSchedule

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("run_insights", *args, stdout=out)
    return out.getvalue()


def test_it_runs_named_tenants_for_a_date_and_summarises(make_tenant, books):
    first, second = make_tenant(), make_tenant("Asia/Kathmandu")
    books(first)

    output = _run(str(first.id), second.name, "--date", "2026-02-10")
    again = _run(str(first.id), second.name, "--date", "2026-02-10")

    assert "2 tenant(s): 2 done, 0 skipped (already done), 0 failed" in output
    assert "2 tenant(s): 0 done, 2 skipped (already done), 0 failed" in again
    assert set(Insight.objects.values_list("local_date", flat=True)) == {date(2026, 2, 10)}


def test_all_runs_every_active_tenant(make_tenant):
    tenants = [make_tenant() for _ in range(3)]
    tenants[0].is_active = False
    tenants[0].save()

    output = _run("--all", "--date", "2026-02-10", "--batch-size", "1")

    assert "2 tenant(s): 2 done" in output
    assert not Insight.objects.filter(tenant=tenants[0]).exists()


@pytest.mark.django_db(
    transaction=True
)  # real commits: the batches are run after the claim commits
def test_dispatch_replays_a_morning_in_process(make_tenant, books):
    # given a New York tenant due at 06:00 local on the DST day
    tenant = make_tenant("America/New_York", 6)
    books(tenant)
    InsightSchedule.objects.filter(tenant=tenant).update(
        next_run_at="2026-03-08T10:00Z", last_local_date=date(2026, 3, 7)
    )

    output = _run("--dispatch", "--at", "2026-03-08T10:30Z", "--in-process")

    assert "1 tenant(s) due, 1 batch(es) run here" in output
    assert "1 done, 0 skipped, 0 failed" in output
    assert Insight.objects.get(tenant=tenant).local_date == date(2026, 3, 8)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name some tenants or pass --all"),
        (("--all", "Nobody"), "name some tenants or pass --all"),
        (("Nobody Inc",), "no single tenant"),
        (("--dispatch", "--at", "tomorrow"), "is not an ISO 8601 instant"),
        (("--dispatch", "--at", "2026-03-08T07:00"), "needs a UTC offset"),
        (("--all", "--at", "2026-03-08T07:00Z"), "--at only goes with --dispatch"),
    ],
)
def test_it_rejects_bad_arguments(make_tenant, args, message):
    make_tenant()

    with pytest.raises(CommandError, match=message):
        _run(*args)
