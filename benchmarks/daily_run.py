"""The daily insight at scale: N tenants, one dispatcher pass, W real worker processes.

    .venv/bin/python benchmarks/daily_run.py --tenants 5000 [--workers 2] [--batch-size 200]

It works in its own database (``coach_bench_daily``, dropped and created) and its own Redis
database (``redis://127.0.0.1:6379/3``, flushed), on loopback only, so it never touches the dev
data or test runs. Steps:

1. N tenants (varied IANA zones, currencies and demo stories) with 24 months of books each,
   written by COPY, with memberships (a few users shared across tenants, so alerts have
   recipients) and an ``InsightSchedule`` due now.
2. ``celery -A config worker -Q insights -P prefork -c W`` starts; its children's RSS is read.
3. ONE dispatcher pass (``dispatch_due``) publishes the batches; the run ends when every insight
   exists. Printed: insights/s, the time by which p50/p99 of the insights were committed,
   dispatch → ``generated_at`` (when the tenant's batch began) p50/p99, compute time per tenant
   (``Insight.duration_ms``), CPU used by the workers and by everything else (Postgres), and the
   workers' RSS before and after.
4. Queries: ``run_batch`` in this process under ``CaptureQueriesContext`` for batches of growing
   size (spare tenants, not dispatched), split into the batch's own queries and ``notify``'s.
5. The floor: the output rows (insights, evidence, recommendations, through rows) exported,
   then COPY'd back into empty copies of their tables (same indexes), timed; run / floor.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import stop_process  # noqa: E402 - needs the project on the path

DB_NAME = "coach_bench_daily"
DATABASE_URL = os.environ.get(
    "BENCH_DAILY_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
)
REDIS_URL = os.environ.get("BENCH_DAILY_REDIS_URL", "redis://127.0.0.1:6379/3")
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "CELERY_BROKER_URL": REDIS_URL,
    "CELERY_RESULT_BACKEND": REDIS_URL,
    "CACHE_KEY_PREFIX": "coach-bench-daily",
    "CHANNEL_LAYER_PREFIX": "coach-bench-daily:asgi",
    "DEBUG": "false",  # DEBUG keeps every query in memory: not what production runs
    "LOG_LEVEL": "WARNING",
    "OPENAI_API_KEY": "",  # enrichment off: the template path is what is measured
}
ZONES = (
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Madrid",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Auckland",
    "Pacific/Kiritimati",
    "UTC",
)
CURRENCIES = ("USD", "EUR", "GBP", "INR", "JPY", "AUD", "BRL", "CHF", "NGN", "MXN")
SEEDS_PER_STORY = 12  # distinct books per story; tenants cycle through them
USERS = 40
QUERY_BATCH_SIZES = (25, 100, 400)
LAST_MONTH = date(2026, 10, 1)


def _admin_url() -> str:
    return DATABASE_URL.rsplit("/", 1)[0] + "/postgres"


def fresh_database() -> None:
    import psycopg
    from psycopg import sql

    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, **ENV},
        check=True,
    )


def drop_database() -> None:
    import psycopg
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# --- data -------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _book_lines() -> list[tuple[str, list[str]]]:
    """(story, the 24 period lines without the tenant id) for every story x seed."""
    from insights.demo_data import STORIES, story_periods
    from insights.metrics import MONEY_FIELDS

    books = []
    for seed in range(SEEDS_PER_STORY):
        for story in STORIES:
            lines = [
                "\t".join(_text(p[name]) for name in ("month", *MONEY_FIELDS))
                for p in story_periods(story, LAST_MONTH, seed=seed)
            ]
            books.append((story, lines))
    return books


def create_tenants(conn: object, count: int, due: datetime, *, prefix: str) -> list[uuid.UUID]:
    """``count`` tenants with books, two memberships each and a schedule due at ``due``."""
    from gateway.models import Industry, Membership, Tenant
    from insights.metrics import MONEY_FIELDS
    from insights.models import FinancialPeriod, InsightSchedule

    books = _book_lines()
    # Every trade, so the advice reads each trade's norms as the tenants' would.
    industries = list(Industry.values)
    rng = random.Random(f"{prefix}-{count}")  # noqa: S311 - benchmark data, not security
    now = datetime.now(UTC).isoformat()
    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(count)]
    with conn.cursor() as cur:  # type: ignore[attr-defined]
        users = [
            row[0] for row in cur.execute("SELECT id FROM auth_user ORDER BY id LIMIT %s", [USERS])
        ]
        with cur.copy(
            f"COPY {Tenant._meta.db_table} (id, name, timezone, insight_hour, currency, "
            "is_active, created_at, updated_at, industry, forecast_warning_weeks) FROM STDIN"
        ) as copy:
            for i, tid in enumerate(ids):
                # Insight hour 0: the day's hour has come in every zone, so every tenant due now
                # runs now (the dispatcher holds a day back until its hour).
                copy.write(
                    f"{tid}\t{prefix} {i}\t{ZONES[i % len(ZONES)]}\t0\t"
                    f"{CURRENCIES[i % len(CURRENCIES)]}\tt\t{now}\t{now}\t"
                    f"{industries[i % len(industries)]}\t8\n"
                )
        columns = ", ".join(("tenant_id", "month", *MONEY_FIELDS, "created_at", "updated_at"))
        with cur.copy(f"COPY {FinancialPeriod._meta.db_table} ({columns}) FROM STDIN") as copy:
            buffer = io.StringIO()
            for i, tid in enumerate(ids):
                _, lines = books[i % len(books)]
                for line in lines:
                    buffer.write(f"{tid}\t{line}\t{now}\t{now}\n")
                if i % 500 == 499:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        with cur.copy(
            f"COPY {Membership._meta.db_table} (user_id, tenant_id, role, created_at) FROM STDIN"
        ) as copy:
            for i, tid in enumerate(ids):
                owner, member = users[i % len(users)], users[(i * 7 + 3) % len(users)]
                copy.write(f"{owner}\t{tid}\towner\t{now}\n")
                if member != owner:
                    copy.write(f"{member}\t{tid}\tmember\t{now}\n")
        with cur.copy(
            f"COPY {InsightSchedule._meta.db_table} (tenant_id, next_run_at, task_id) FROM STDIN"
        ) as copy:
            for tid in ids:
                copy.write(f"{tid}\t{due.isoformat()}\t\n")
    conn.commit()  # type: ignore[attr-defined]
    return ids


def seed_forecasts(ids: Sequence[uuid.UUID]) -> dict[str, float] | None:
    """Every tenant's forecast stored, as a change of its books would have left it (the daily
    run reads it, fits nothing): computed once per distinct set of books, here, and copied to
    the tenants with the same books (same rows, no buffer set: the same books version). None
    when this code has no forecast."""
    try:
        from insights.forecast.models import Forecast
        from insights.forecast.store import compute
    except ImportError:
        return None
    from gateway.models import Tenant

    distinct = len(_book_lines())
    computed = {}
    started = time.monotonic()
    for tenant in Tenant.objects.in_bulk(list(ids[:distinct])).values():
        forecast = compute(tenant).forecast
        if forecast is not None:
            computed[tenant.pk] = forecast
    first = {i: computed.get(tid) for i, tid in enumerate(ids[:distinct])}
    compute_s = time.monotonic() - started
    copies = []
    for i, tid in enumerate(ids[distinct:], start=distinct):
        model = first[i % distinct]
        if model is None:
            continue
        copies.append(
            Forecast(
                tenant_id=tid,
                **{
                    f.name: getattr(model, f.name)
                    for f in Forecast._meta.concrete_fields
                    if f.name not in ("id", "tenant", "computed_at")
                },
            )
        )
    Forecast.objects.bulk_create(copies, batch_size=500)
    durations = sorted(f.duration_ms for f in computed.values())
    return {
        "computed": len(computed),
        "copied": len(copies),
        "seconds": compute_s,
        "p50_ms": durations[len(durations) // 2] if durations else 0.0,
        "mean_ms": sum(durations) / len(durations) if durations else 0.0,
    }


def create_users() -> None:
    from django.contrib.auth import get_user_model

    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"bench-user-{i}", email=f"u{i}@bench.invalid") for i in range(USERS)]
    )


# --- processes --------------------------------------------------------------------------------


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_by_process() -> dict[int, tuple[str, float]]:
    """(command name, CPU seconds) of every process now running, its reaped children's too."""
    ticks = os.sysconf("SC_CLK_TCK")
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, _, tail = (entry / "stat").read_text().rpartition(")")
        except OSError:
            continue
        fields = tail.split()
        # utime, stime, and cutime, cstime: the CPU of children it reaped (the postmaster's
        # include the backends that closed during the run)
        used = sum(int(fields[i]) for i in (11, 12, 13, 14))
        out[int(entry.name)] = (head.partition("(")[2], used / ticks)
    return out


def cpu_groups(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]], workers: set[int]
) -> dict[str, float]:
    """CPU seconds used between two snapshots, by kind of process."""
    groups: defaultdict[str, float] = defaultdict(float)
    for pid, (name, seconds) in after.items():
        used = seconds - before.get(pid, (name, 0.0))[1]
        if pid in workers:
            group = "workers"
        elif name.startswith("postgres"):
            group = "postgres"
        elif name.startswith("redis"):
            group = "redis"
        elif pid == os.getpid():
            group = "benchmark"
        else:
            group = "other"
        groups[group] += used
    return dict(groups)


def machine_busy_seconds() -> float:
    """CPU seconds spent on anything but idle and iowait, all cores, since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@contextmanager
def celery_workers(concurrency: int) -> Iterator[subprocess.Popen]:
    """One ``celery worker -Q insights`` with ``concurrency`` prefork children."""
    from config.celery import app

    node = f"bench-daily-{uuid.uuid4().hex[:6]}@localhost"
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", "insights"]
    args += ["-P", "prefork", "-c", str(concurrency), "-n", node, "--loglevel", "WARNING"]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    proc = subprocess.Popen(  # noqa: S603 - our own command line
        args, cwd=ROOT, env={**os.environ, **ENV}, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[node], timeout=0.5):
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"worker did not start:\n{log.read().decode()[-3000:]}")
        while len(children(proc.pid)) < concurrency and time.monotonic() < deadline:
            time.sleep(0.1)
        yield proc
    finally:
        stop_process(proc, timeout=30)
        log.seek(0)
        errors = [ln for ln in log.read().decode(errors="replace").splitlines() if "Error" in ln]
        if errors:
            print(f"  (worker logged {len(errors)} error lines; first: {errors[0][:200]})")
        log.close()


# --- measurements -----------------------------------------------------------------------------


def pct(values: Sequence[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def run_workers(tenants: int, workers: int, batch_size: int, timeout: float) -> dict[str, Any]:
    from django.db import connection

    from insights.dispatch import dispatch_due
    from insights.models import Insight, InsightFailure
    from insights.tasks import publish_batch

    with celery_workers(workers) as proc:
        pids = children(proc.pid)
        rss_before = [rss_kb(pid) for pid in pids]
        snapshot = cpu_by_process()
        busy_before = machine_busy_seconds()
        started = time.monotonic()
        dispatched_at = datetime.now(UTC)
        result = dispatch_due(dispatched_at, publish=publish_batch, batch_size=batch_size)
        dispatch_s = time.monotonic() - started
        reached: list[tuple[float, int]] = []  # (seconds since dispatch, insights committed)
        rss_max = list(rss_before)
        done = 0
        while True:
            with connection.cursor() as cur:
                cur.execute(f"SELECT count(*) FROM {Insight._meta.db_table}")  # noqa: S608
                done = cur.fetchone()[0]
            failed = InsightFailure.objects.count()
            reached.append((time.monotonic() - started, done))
            pids = children(proc.pid)
            rss_max = [max(a, rss_kb(p)) for a, p in zip(rss_max, pids, strict=False)]
            if done + failed >= tenants or time.monotonic() - started > timeout:
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        busy = machine_busy_seconds() - busy_before
        cpu = cpu_groups(snapshot, cpu_by_process(), {proc.pid, *pids})
        rss_after = [rss_kb(pid) for pid in pids]
    rows = Insight.objects.values_list("generated_at", "duration_ms")
    waits = [(g - dispatched_at).total_seconds() for g, _ in rows]
    compute = [d for _, d in rows]

    def committed_by(share: float) -> float:
        wanted = share * tenants
        return next((t for t, n in reached if n >= wanted), float("nan"))

    return {
        "due": result.due,
        "batches": result.batches,
        "done": done,
        "failed": failed,
        "elapsed": elapsed,
        "dispatch_s": dispatch_s,
        "rate": done / elapsed,
        "committed_p50": committed_by(0.5),
        "committed_p99": committed_by(0.99),
        "wait_p50": pct(waits, 50),
        "wait_p99": pct(waits, 99),
        "compute_p50": pct(compute, 50),
        "compute_p99": pct(compute, 99),
        "compute_sum": sum(compute) / 1000,
        "cpu": cpu,
        "cpu_busy": busy,
        "rss_before_mb": sum(rss_before) / len(rss_before) / 1024,
        "rss_after_mb": sum(rss_after) / max(1, len(rss_after)) / 1024,
        "rss_max_mb": max(rss_max) / 1024,
    }


def _table_of(sql: str) -> str:
    for word in sql.replace('"', " ").split():
        if "_" in word and word.split("_")[0] in {
            "insights",
            "coach",
            "notifications",
            "gateway",
            "feedback",
            "auth",
        }:
            return word.strip("(),.")
    return "?"


def measure_queries(groups: dict[int, list[uuid.UUID]], at: datetime) -> list[dict[str, float]]:
    """run_batch in this process on fresh tenants, per batch size, with its queries counted."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gateway.models import Tenant
    from insights.daily import run_batch
    from insights.scheduling import local_date_at

    zones = dict(Tenant.objects.values_list("id", "timezone"))
    out = []
    for size, ids in groups.items():
        items = [(tid, local_date_at(at, zones[tid])) for tid in ids]
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = run_batch(items, task_id=f"bench-queries-{size}", at=at)
            seconds = time.perf_counter() - started
        # notify's queries: its tables, the memberships it reads, and its savepoints
        notify = sum(
            1
            for q in captured.captured_queries
            if q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
            or _table_of(q["sql"]).startswith(("notifications", "gateway_membership"))
        )
        total = len(captured.captured_queries)
        out.append(
            {
                "size": size,
                "done": len(result.done),
                "alerts": result.alerts,
                "queries": total,
                "notify": notify,
                "own": total - notify,
                "per_tenant": total / size,
                "rate": size / seconds,
            }
        )
    return out


def floor(workdir: Path) -> dict[str, float]:
    """Export the output rows, then time COPY'ing them into empty tables with the same indexes."""
    import psycopg

    from coach.models import Evidence, Recommendation
    from insights.models import Insight

    tables = [
        Insight._meta.db_table,
        Evidence._meta.db_table,
        Recommendation._meta.db_table,
        Insight.recommendations.through._meta.db_table,
    ]
    counts, sizes = {}, {}
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn, conn.cursor() as cur:
        for table in tables:
            path = workdir / f"{table}.bin"
            with (
                path.open("wb") as out,
                cur.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy,
            ):
                for chunk in copy:
                    out.write(chunk)
            sizes[table] = path.stat().st_size
            (counts[table],) = cur.execute(f"SELECT count(*) FROM {table}").fetchone() or (0,)  # noqa: S608
            cur.execute(f"DROP TABLE IF EXISTS floor_{table}")
            cur.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        cur.execute("CHECKPOINT")
    with psycopg.connect(DATABASE_URL) as conn, conn.cursor() as cur:
        started = time.monotonic()
        for table in tables:
            with (
                (workdir / f"{table}.bin").open("rb") as src,
                cur.copy(f"COPY floor_{table} FROM STDIN (FORMAT binary)") as copy,
            ):
                while chunk := src.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        seconds = time.monotonic() - started
    for table in tables:
        (workdir / f"{table}.bin").unlink()
    return {
        "seconds": seconds,
        "rows": sum(counts.values()),
        "mb": sum(sizes.values()) / 1e6,
        **{f"rows_{t}": n for t, n in counts.items()},
    }


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--tenants", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="prefork worker processes")
    parser.add_argument("--batch-size", type=int, default=None, help="default: settings")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for insights")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--no-queries", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--no-forecasts", action="store_true", help="leave the tenants without stored forecasts"
    )
    args = parser.parse_args()

    os.environ.update(ENV)
    print(f"daily insight benchmark: {args.tenants} tenants, {args.workers} worker processes")
    print(
        f"  machine: {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.platform()}"
    )
    started = time.monotonic()
    fresh_database()
    flush_redis()
    import django

    django.setup()
    import psycopg
    from django.conf import settings

    batch_size = args.batch_size or settings.INSIGHT_BATCH_SIZE
    print(f"  batch size {batch_size}; database {DATABASE_URL}; redis {REDIS_URL}")
    create_users()
    now = datetime.now(UTC)
    with psycopg.connect(DATABASE_URL) as conn:
        t = time.monotonic()
        bench_ids = create_tenants(conn, args.tenants, now - timedelta(minutes=1), prefix="Bench")
        spare = {
            size: create_tenants(conn, size, now + timedelta(days=2), prefix=f"Spare{size}")
            for size in ([] if args.no_queries else QUERY_BATCH_SIZES)
        }
        data_s = time.monotonic() - t
        conn.execute("ANALYZE")
        conn.commit()
    print(
        f"  data: {args.tenants:,} tenants x 24 months by COPY in {data_s:.1f}s "
        f"(setup total {time.monotonic() - started:.1f}s)"
    )

    seeded = None if args.no_forecasts else seed_forecasts(bench_ids)
    if seeded is None:
        print("  forecasts: none stored (--no-forecasts, or no forecast in this code)")
    else:
        print(
            f"  forecasts: {seeded['computed']:.0f} computed (one per distinct set of books) in "
            f"{seeded['seconds']:.1f}s, p50 {seeded['p50_ms']:.0f} ms, mean "
            f"{seeded['mean_ms']:.0f} ms each (fit, paths, impacts); {seeded['copied']:.0f} "
            "copied to the tenants with the same books"
        )
        with psycopg.connect(DATABASE_URL) as conn:
            conn.execute("ANALYZE")
            conn.commit()

    run = run_workers(args.tenants, args.workers, batch_size, args.timeout)
    print(
        f"\nrun: {run['done']:,} insights ({run['failed']} failed) in {run['elapsed']:.1f}s "
        f"= {run['rate']:.0f} insights/s; {run['batches']} batches, "
        f"dispatch pass {run['dispatch_s']:.2f}s"
    )
    print(
        f"  committed (dispatch -> insight in Postgres): p50 {run['committed_p50']:.1f}s, "
        f"p99 {run['committed_p99']:.1f}s"
    )
    print(
        f"  dispatch -> generated_at (batch began): p50 {run['wait_p50']:.1f}s, "
        f"p99 {run['wait_p99']:.1f}s"
    )
    print(
        f"  compute per tenant (duration_ms): p50 {run['compute_p50']:.2f} ms, "
        f"p99 {run['compute_p99']:.2f} ms, sum {run['compute_sum']:.1f}s"
    )
    cpu = ", ".join(f"{name} {sec:.1f}s" for name, sec in sorted(run["cpu"].items()))
    cores = os.cpu_count() or 1
    print(
        f"  CPU: {run['cpu_busy']:.1f}s busy of {run['elapsed'] * cores:.1f}s "
        f"({cores} cores): {cpu}"
    )
    print(
        f"  worker RSS per process: before {run['rss_before_mb']:.0f} MB, after "
        f"{run['rss_after_mb']:.0f} MB, max {run['rss_max_mb']:.0f} MB"
    )

    if not args.no_floor:
        with tempfile.TemporaryDirectory(prefix="bench-floor-") as tmp:
            f = floor(Path(tmp))
        print(
            f"\nfloor: COPY of the output rows ({f['rows']:,} rows, {f['mb']:.0f} MB) "
            f"in {f['seconds']:.2f}s = {f['rows'] / f['seconds']:,.0f} rows/s"
        )
        print(f"  ratio run / floor: {run['elapsed'] / f['seconds']:.1f}x")

    if not args.no_queries:
        print("\nqueries per batch (run_batch in-process, fresh tenants, story mix):")
        for q in measure_queries(spare, now):
            print(
                f"  batch {q['size']:>4}: {q['queries']:>4} queries = {q['own']:>2} batch + "
                f"{q['notify']:>4} notify ({q['alerts']} critical alerts); "
                f"{q['per_tenant']:.2f}/tenant; in-process {q['rate']:.0f} tenants/s"
            )

    if not args.keep:
        drop_database()
    print(f"\ntotal {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
