"""Run daily insights by hand: for some tenants or all, for a local date, here or on the queue;
or replay one dispatcher pass as of any instant (``--dispatch --at 2026-03-08T07:00Z``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from gateway.models import Tenant
from insights import daily, dispatch
from insights.management.commands.import_financials import find_tenant
from insights.pipeline import Mode
from insights.scheduling import Item, local_date_at
from insights.tasks import encode, publish_batch, run_insight_batch

# A replay "now" may run a little ahead of this clock (another host's); more is the future.
FUTURE_SLACK = timedelta(minutes=1)


def parse_instant(raw: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(
            f"--at {raw!r} is not an ISO 8601 instant (e.g. 2026-03-08T07:00Z)"
        ) from None
    if value.tzinfo is None:
        raise CommandError(f"--at {raw!r} needs a UTC offset or Z, to name one instant")
    return value


class Progress:
    """A one-line progress bar on stderr; silent when stderr is not a terminal."""

    def __init__(self, total: int, stream: Any = sys.stderr) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.live = bool(getattr(stream, "isatty", lambda: False)())

    def advance(self, count: int) -> None:
        self.done += count
        if self.live and self.total:
            width = 30
            filled = int(width * self.done / self.total)
            self.stream.write(
                f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
            )
            if self.done >= self.total:
                self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("tenants", nargs="*", help="tenant ids or names")
        parser.add_argument("--all", action="store_true", help="every active tenant")
        parser.add_argument(
            "--date", help="the local date (YYYY-MM-DD); default: each tenant's today"
        )
        parser.add_argument(
            "--queue", action="store_true", help="run on the insights queue and wait"
        )
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument("--dispatch", action="store_true", help="run one dispatcher pass")
        parser.add_argument("--at", help="with --dispatch: the instant of the pass (default: now)")
        parser.add_argument(
            "--in-process", action="store_true", help="with --dispatch: run the batches here"
        )
        parser.add_argument(
            "--allow-future",
            action="store_true",
            help="allow a --date or --at after now (tests only: it writes tomorrow's insights)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["dispatch"]:
            self._dispatch(options)
            return
        if options["at"]:
            raise CommandError("--at only goes with --dispatch")
        tenants = self._tenants(options)
        day = self._date(options["date"]) if options["date"] else None
        now = timezone.now()
        # A past date is scored on the books as they stood then, with no advice and no alert;
        # today is today's insight, as the morning run writes it.
        by_mode: dict[Mode, list[Item]] = {Mode.NEW: [], Mode.HISTORY: []}
        for tenant in tenants:
            today = local_date_at(now, tenant.timezone)
            wanted = day or today
            if wanted > today and not options["allow_future"]:
                raise CommandError(
                    f"--date {wanted} is after {tenant.name}'s today ({today}): "
                    "refused (--allow-future, for tests)"
                )
            by_mode[Mode.HISTORY if wanted < today else Mode.NEW].append((tenant.pk, wanted))
        size = max(1, options["batch_size"])
        batches = [
            (mode, items[i : i + size])
            for mode, items in by_mode.items()
            for i in range(0, len(items), size)
        ]
        items = [item for items in by_mode.values() for item in items]
        progress = Progress(len(items))
        totals = {"done": 0, "skipped": 0, "failed": 0}
        if options["queue"]:
            results = [
                run_insight_batch.apply_async(args=(encode(batch), None, mode.value))
                for mode, batch in batches
            ]
            for (_, batch), result in zip(batches, results, strict=True):
                self._add(totals, result.get(timeout=600))
                progress.advance(len(batch))
        else:
            for mode, batch in batches:
                self._add(totals, daily.run_batch(batch, mode=mode).summary())
                progress.advance(len(batch))
        self.stdout.write(
            f"{len(items)} tenant(s): {totals['done']} done, {totals['skipped']} skipped "
            f"(already done), {totals['failed']} failed"
        )

    @staticmethod
    def _date(raw: str) -> date:
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise CommandError(f"--date {raw!r} is not a date (YYYY-MM-DD)") from None

    @staticmethod
    def _add(totals: dict[str, int], summary: dict[str, int]) -> None:
        for key in totals:
            totals[key] += summary.get(key, 0)

    def _tenants(self, options: dict[str, Any]) -> list[Tenant]:
        if options["all"] == bool(options["tenants"]):
            raise CommandError("name some tenants or pass --all (not both)")
        if options["all"]:
            return list(Tenant.objects.filter(is_active=True).order_by("name"))
        return [find_tenant(ref) for ref in options["tenants"]]

    def _dispatch(self, options: dict[str, Any]) -> None:
        at = parse_instant(options["at"]) if options["at"] else None
        if at and at > timezone.now() + FUTURE_SLACK and not options["allow_future"]:
            raise CommandError(
                f"--at {at.isoformat()} is in the future: refused, it would write insights "
                "dated after the tenants' today (--allow-future, for tests)"
            )
        results: list[dict[str, int]] = []

        def run_here(items: Sequence[Item], when: datetime) -> None:
            results.append(daily.run_batch(items, at=when).summary())

        outcome = dispatch.dispatch_due(
            at,
            publish=run_here if options["in_process"] else publish_batch,
            batch_size=options["batch_size"],
        )
        self.stdout.write(
            f"dispatch at {(at or timezone.now()).isoformat()}: {outcome.due} tenant(s) due, "
            f"{outcome.batches} batch(es) {'run here' if options['in_process'] else 'queued'}, "
            f"lag {outcome.lag_seconds:.0f}s"
        )
        if results:
            totals = {"done": 0, "skipped": 0, "failed": 0}
            for summary in results:
                self._add(totals, summary)
            self.stdout.write(
                f"{totals['done']} done, {totals['skipped']} skipped, {totals['failed']} failed"
            )
