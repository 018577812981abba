"""Beat's periodic tasks are declared in code and Beat's DatabaseScheduler writes them at start.

The scheduler runs its own queries outside any test transaction (it closes "old" connections),
so these tests use a real, committed database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from config.celery import DISPATCH_ENTRY, PRUNE_ENTRY, QUEUES, app, beat_schedule

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def start_beat() -> Iterator[object]:
    """Start the scheduler Beat runs (``celery beat -S …DatabaseScheduler``), as Beat does."""
    started: list[DatabaseScheduler] = []

    def start() -> DatabaseScheduler:
        scheduler = DatabaseScheduler(app=app)
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        scheduler.close()


def test_the_schedule_in_code_names_tasks_that_exist_on_their_queues():
    app.loader.import_default_modules()  # what a worker does: autodiscover every app's tasks

    entries = app.conf.beat_schedule

    assert set(entries) >= {DISPATCH_ENTRY, PRUNE_ENTRY}
    for entry in entries.values():
        assert entry["task"] in app.tasks
        queue = entry["options"]["queue"]
        assert queue in QUEUES
        # the queue Beat sends to is the one the task is routed to, so the right pool runs it
        assert app.amqp.router.route({}, entry["task"])["queue"].name == queue
    dispatch = entries[DISPATCH_ENTRY]
    assert dispatch["task"] == "insights.tasks.dispatch_due_insights"
    assert dispatch["options"]["queue"] == "insights"
    assert dispatch["schedule"] == settings.INSIGHT_DISPATCH_EVERY


def test_the_interval_follows_the_setting(settings):
    settings.INSIGHT_DISPATCH_EVERY = 120

    assert beat_schedule()[DISPATCH_ENTRY]["schedule"] == 120


def test_starting_beat_creates_the_dispatcher_entry(start_beat):
    # given a database without it (migrations no longer create it)
    PeriodicTask.objects.filter(name=DISPATCH_ENTRY).delete()

    # when Beat starts
    scheduler = start_beat()

    # then the row is there, as declared, and Beat schedules it
    row = PeriodicTask.objects.get(name=DISPATCH_ENTRY)
    assert row.task == "insights.tasks.dispatch_due_insights"
    assert row.queue == "insights"
    assert row.enabled
    assert (row.interval.every, row.interval.period) == (
        settings.INSIGHT_DISPATCH_EVERY,
        IntervalSchedule.SECONDS,
    )
    assert DISPATCH_ENTRY in scheduler.schedule
    assert PeriodicTask.objects.filter(name=PRUNE_ENTRY, queue="notifications").exists()


def test_starting_beat_brings_an_edited_entry_back_to_the_code_but_keeps_it_disabled(start_beat):
    # given an old row of the same name: another task, interval and queue, disabled in the admin
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    PeriodicTask.objects.update_or_create(
        name=DISPATCH_ENTRY,
        defaults={"task": "insights.tasks.old_name", "interval": hourly, "queue": "default"},
    )
    PeriodicTask.objects.filter(name=DISPATCH_ENTRY).update(enabled=False)

    # when Beat starts
    scheduler = start_beat()

    # then the row says what the code says, still one row, and the admin's "disabled" holds
    row = PeriodicTask.objects.get(name=DISPATCH_ENTRY)
    assert (row.task, row.queue) == ("insights.tasks.dispatch_due_insights", "insights")
    assert row.interval.every == settings.INSIGHT_DISPATCH_EVERY
    assert PeriodicTask.objects.filter(task="insights.tasks.dispatch_due_insights").count() == 1
    assert not row.enabled
    assert DISPATCH_ENTRY not in scheduler.schedule
