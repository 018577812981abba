"""Live delivery on one web process: latency, throughput, memory per socket, reconnect storm.

    .venv/bin/python benchmarks/ws_fanout.py            # defaults: minutes on 2 cores
    .venv/bin/python benchmarks/ws_fanout.py --full     # the issue's sizes (10,000 held, 5,000)

For each web server (daphne, uvicorn: the same ASGI app) and channel layer (see
``benchmarks/settings.py``): N clients connect at once (one user each, all members of one
tenant) and resume; a separate process creates notifications through ``notify`` (each with its
Postgres commit) at a steady rate to random users, then in bursts to every member; the clients
record when each arrives. Latency is commit (an ``on_commit`` stamp taken before the push) to
the client's receipt, on the same machine's clock. Then sockets are held to measure the web
process's memory per connection, and a storm of clients connects at once.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import BENCH_ENV, percentile, rss_kb, server, setup_django

ORIGIN = "http://localhost"


# --- the notifier: a separate process that commits notifications ---------------------------


def _notifier(conn: Any, layer: str) -> None:
    """Runs in its own process; answers commands with [(notification id, commit time), ...]."""
    os.environ.update(BENCH_ENV)
    os.environ["BENCH_LAYER"] = layer
    import django

    django.setup()
    from django.db import transaction

    from gateway.models import Tenant
    from notifications.services import notify

    def one(tenant: Tenant, users: list[int] | None, title: str) -> list[tuple[int, float]]:
        stamp: list[float] = []
        with transaction.atomic():
            transaction.on_commit(lambda: stamp.append(time.time()))  # runs before the push
            rows = notify(tenant, kind="coach_alert", title=title, users=users)
        return [(row.id, stamp[0]) for row in rows]

    while True:
        command = conn.recv()
        if command is None:
            return
        kind, tenant_id, user_ids, rate, seconds, bursts = command
        tenant = Tenant.objects.get(pk=tenant_id)
        out: list[tuple[int, float]] = []
        if kind == "steady":
            started = time.monotonic()
            count = int(rate * seconds)
            for index in range(count):
                delay = started + index / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                out += one(tenant, [random.choice(user_ids)], f"steady {index}")  # noqa: S311
            conn.send((out, time.monotonic() - started))
        else:
            for index in range(bursts):
                out += one(tenant, None, f"burst {index}")
                time.sleep(1.0)
            conn.send((out, 0.0))


# --- clients ----------------------------------------------------------------------------------


class Clients:
    """Many WebSocket clients in this process, recording each notification's arrival."""

    def __init__(self, port: int, tenant_id: str) -> None:
        self.url = f"ws://127.0.0.1:{port}/ws/tenants/{tenant_id}/?token="
        self.arrivals: dict[int, float] = {}
        self.sockets: list[Any] = []
        self.readers: list[asyncio.Task[None]] = []
        self.errors: list[str] = []

    async def _open(self, key: str, last_id: int) -> None:
        from websockets.asyncio.client import connect
        from websockets.typing import Origin

        try:
            ws = await connect(
                self.url + key, origin=Origin(ORIGIN), compression=None, open_timeout=60, proxy=None
            )
            await ws.send(json.dumps({"type": "resume", "last_id": last_id}))
            while json.loads(await ws.recv())["type"] != "replay_done":
                pass
        except Exception as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}"[:120])
            return
        self.sockets.append(ws)
        self.readers.append(asyncio.create_task(self._read(ws)))

    async def _read(self, ws: Any) -> None:
        try:
            async for raw in ws:
                now = time.time()
                message = json.loads(raw)
                if message["type"] == "notification":
                    self.arrivals.setdefault(message["notification"]["id"], now)
        except Exception:  # noqa: S110 - a closed socket ends its reader
            pass

    async def open_many(self, keys: list[str], last_id: int) -> float:
        """Open sockets all at once; seconds until every one has resumed (or failed)."""
        started = time.perf_counter()
        await asyncio.gather(*(self._open(key, last_id) for key in keys))
        return time.perf_counter() - started

    async def close_all(self) -> None:
        for task in self.readers:
            task.cancel()
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        self.sockets, self.readers = [], []


# --- the storm: clients that behave like the console's ws.js --------------------------------


class Storm:
    """Clients connecting at once; each retries a refusal or a failure with ws.js's backoff.

    ws.js reconnects after any close but 4401/4403/4009, waiting between half and all of
    0.5 s * 2^attempt (capped at 30 s). A *refusal* is an answer the server gave at once (close
    4013 or HTTP 503: shed load); an *error* is anything else (a handshake timeout, a reset).
    """

    def __init__(self, port: int, tenant_id: str, open_timeout: float, deadline: float) -> None:
        self.url = f"ws://127.0.0.1:{port}/ws/tenants/{tenant_id}/?token="
        self.open_timeout = open_timeout
        self.deadline = deadline
        self.sockets: list[Any] = []
        self.connected_at: list[float] = []
        self.first_try = 0
        self.refusals = 0
        self.refusal_s: list[float] = []
        self.errors: list[str] = []
        self.gave_up = 0

    async def _attempt(self, key: str) -> tuple[Any, str | None]:
        from websockets.asyncio.client import connect
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.typing import Origin

        ws = None
        try:
            ws = await connect(
                self.url + key,
                origin=Origin(ORIGIN),
                compression=None,
                open_timeout=self.open_timeout,
                proxy=None,
            )
            await ws.send(json.dumps({"type": "resume", "last_id": 2**62}))
            while json.loads(await ws.recv())["type"] != "replay_done":
                pass
        except InvalidStatus as exc:
            status = exc.response.status_code
            return None, "refused" if status == 503 else f"HTTP {status}"
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else None
            return None, "refused" if code == 4013 else f"closed {code}"
        except Exception as exc:
            if ws is not None:
                await ws.close()
            return None, f"{type(exc).__name__}: {exc}"[:100]
        return ws, None

    async def _client(self, key: str, started: float) -> None:
        attempt = 0
        while True:
            tried = time.perf_counter()
            ws, failure = await self._attempt(key)
            now = time.perf_counter()
            if ws is not None:
                self.sockets.append(ws)
                self.connected_at.append(now - started)
                self.first_try += attempt == 0
                return
            if failure == "refused":
                self.refusals += 1
                self.refusal_s.append(now - tried)
            else:
                self.errors.append(str(failure))
            attempt += 1
            ceiling = min(30.0, 0.5 * 2 ** (attempt - 1))
            wait = ceiling / 2 + random.random() * ceiling / 2  # noqa: S311 - jitter
            if now + wait - started > self.deadline:
                self.gave_up += 1
                return
            await asyncio.sleep(wait)

    async def run(self, keys: list[str]) -> float:
        started = time.perf_counter()
        await asyncio.gather(*(self._client(key, started) for key in keys))
        return time.perf_counter() - started

    async def close_all(self) -> None:
        await asyncio.gather(*(ws.close() for ws in self.sockets), return_exceptions=True)
        self.sockets = []


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (children not included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _latencies(sent: list[tuple[int, float]], arrivals: dict[int, float]) -> dict[str, float]:
    ms = [(arrivals[i] - t) * 1000 for i, t in sent if i in arrivals]
    return {
        "sent": len(sent),
        "delivered": len(ms),
        "p50": percentile(ms, 50),
        "p99": percentile(ms, 99),
        "max": max(ms) if ms else float("nan"),
    }


# --- one server and layer ---------------------------------------------------------------------


def _prepare(n_users: int) -> tuple[str, list[int], list[str], int]:
    from django.contrib.auth import get_user_model

    from gateway.models import ApiToken, Membership, Tenant
    from gateway.services import create_tenant, issue_token
    from notifications.models import Notification

    User = get_user_model()
    owner, _ = User.objects.get_or_create(username="bench-ws-owner")
    Tenant.objects.filter(name="bench-ws").delete()
    tenant = create_tenant(owner, name="bench-ws", timezone="Australia/Sydney")
    names = [f"bench-ws-{i}" for i in range(n_users)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create([User(username=n) for n in names if n not in existing])
    users = list(User.objects.filter(username__in=names).order_by("id"))
    Membership.objects.bulk_create([Membership(user=u, tenant=tenant) for u in users])
    ApiToken.objects.filter(user__in=users).delete()
    keys = [issue_token(u, "bench")[1] for u in users]
    last_id = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    return str(tenant.pk), [u.pk for u in users], keys, last_id


def _prepare_storm(tenant_id: str, n: int) -> list[str]:
    """``n`` more members of the tenant, each with a token of their own (a real storm's mix)."""
    from django.contrib.auth import get_user_model

    from gateway.models import ApiToken, Membership
    from gateway.services import hash_token

    User = get_user_model()
    names = [f"bench-ws-storm-{i}" for i in range(n)]
    existing = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    User.objects.bulk_create([User(username=name) for name in names if name not in existing])
    users = list(User.objects.filter(username__in=names).order_by("id"))
    Membership.objects.bulk_create([Membership(user=u, tenant_id=tenant_id) for u in users])
    ApiToken.objects.filter(user__in=users).delete()
    keys = [ApiToken.generate_key() for _ in users]
    ApiToken.objects.bulk_create(
        [
            ApiToken(user=u, name="bench", digest=hash_token(k), key_prefix=k[:12])
            for u, k in zip(users, keys, strict=True)
        ]
    )
    return keys


def _storm(port: int, proc_pid: int, tenant_id: str, keys: list[str], args: Any) -> dict:
    """Run one storm (in this process's own loop) and measure it, server and clients."""
    load = os.getloadavg()[0]
    cpu: list[float] = []

    async def go() -> tuple[Storm, float]:
        storm = Storm(port, tenant_id, args.open_timeout, args.storm_deadline)
        before = (cpu_seconds(proc_pid), time.process_time())
        took = await storm.run(keys)
        cpu.extend((cpu_seconds(proc_pid) - before[0], time.process_time() - before[1]))
        await storm.close_all()
        return storm, took

    storm, took = asyncio.run(go())
    server_cpu, client_cpu = cpu
    times = sorted(storm.connected_at)
    return {
        "n": len(keys),
        "load": load,
        "connected": len(times),
        "first_try": storm.first_try,
        "within_10s": sum(t <= 10.0 for t in times),
        "all_s": times[-1] if len(times) == len(keys) else float("nan"),
        "p50": percentile(times, 50),
        "p99": percentile(times, 99),
        "refusals": storm.refusals,
        "refusal_p50_ms": percentile(storm.refusal_s, 50) * 1000,
        "refusal_p99_ms": percentile(storm.refusal_s, 99) * 1000,
        "errors": len(storm.errors),
        "error_kinds": sorted(set(storm.errors))[:3],
        "gave_up": storm.gave_up,
        "took": took,
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
    }


def run_storms(kind: str, layer: str, args: argparse.Namespace) -> dict[str, Any]:
    """Only storms: ``--repeat`` runs of ``--storm`` distinct members, each on a fresh server."""
    tenant_id, _, _, _ = _prepare(1)
    keys = _prepare_storm(tenant_id, args.storm)
    runs = []
    for _ in range(args.repeat):
        # a fresh process each time, as after a restart: nothing of a previous run is cached
        with server(kind, BENCH_LAYER=layer, **_server_env(args)) as (proc, port):
            time.sleep(0.5)
            runs.append(_storm(port, proc.pid, tenant_id, keys, args))
            time.sleep(1.0)
    return {"server": kind, "layer": layer, "storms": runs}


def _server_env(args: argparse.Namespace) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in args.server_env)


def run_one(kind: str, layer: str, args: argparse.Namespace) -> dict[str, Any]:
    tenant_id, user_ids, keys, last_id = _prepare(args.clients)
    ctx = mp.get_context("spawn")
    notifier, child = ctx.Pipe()
    process = ctx.Process(target=_notifier, args=(child, layer), daemon=True)
    process.start()
    result: dict[str, Any] = {"server": kind, "layer": layer}
    storm_keys = _prepare_storm(tenant_id, args.storm)
    with server(kind, BENCH_LAYER=layer, **_server_env(args)) as (proc, port):
        time.sleep(0.5)
        base_kb = rss_kb(proc.pid)

        async def scenario() -> None:
            clients = Clients(port, tenant_id)
            result["connect_n_s"] = await clients.open_many(keys, last_id)
            result["connect_errors"] = len(clients.errors)
            await asyncio.sleep(0.5)

            loop = asyncio.get_running_loop()
            notifier.send(("steady", tenant_id, user_ids, args.rate, args.seconds, 0))
            sent, took = await loop.run_in_executor(None, notifier.recv)
            await asyncio.sleep(2.0)
            result["steady"] = _latencies(sent, clients.arrivals)
            result["steady"]["rate"] = len(sent) / took if took else 0
            result["steady"]["per_s"] = result["steady"]["delivered"] / took if took else 0

            notifier.send(("burst", tenant_id, user_ids, 0, 0, args.bursts))
            sent, _ = await loop.run_in_executor(None, notifier.recv)
            await asyncio.sleep(3.0)
            result["burst"] = _latencies(sent, clients.arrivals)
            arrived = [clients.arrivals[i] for i, _ in sent if i in clients.arrivals]
            result["burst"]["per_s"] = (
                len(arrived) / (max(arrived) - min(t for _, t in sent)) if arrived else 0
            )

            # memory per connection: hold args.hold sockets (users reused round robin)
            extra = [keys[i % len(keys)] for i in range(max(0, args.hold - len(clients.sockets)))]
            for start in range(0, len(extra), 1000):  # in waves: this is not the storm test
                await clients.open_many(extra[start : start + 1000], 2**62)
            await asyncio.sleep(1.0)
            held = len(clients.sockets)
            result["held"] = held
            result["kb_per_conn"] = (rss_kb(proc.pid) - base_kb) / held if held else 0
            result["hold_errors"] = len(clients.errors) - result["connect_errors"]
            await clients.close_all()
            await asyncio.sleep(2.0)

        asyncio.run(scenario())
        result["storms"] = [_storm(port, proc.pid, tenant_id, storm_keys, args)]
    notifier.send(None)
    process.join(timeout=10)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=200.0, help="notifications/s, steady")
    parser.add_argument("--seconds", type=float, default=5.0, help="steady phase length")
    parser.add_argument("--bursts", type=int, default=3, help="tenant-wide notifies")
    parser.add_argument("--hold", type=int, default=3000, help="sockets held for memory")
    parser.add_argument("--storm", type=int, default=2000, help="clients connecting at once")
    parser.add_argument("--servers", default="daphne,uvicorn")
    parser.add_argument("--layers", default="core,core-tuned,pubsub")
    parser.add_argument("--full", action="store_true", help="--hold 10000 --storm 5000")
    parser.add_argument("--only-storm", action="store_true", help="skip delivery and memory")
    parser.add_argument("--repeat", type=int, default=1, help="storms, with --only-storm")
    parser.add_argument("--open-timeout", type=float, default=10.0, help="client's handshake")
    parser.add_argument("--storm-deadline", type=float, default=60.0, help="clients give up")
    parser.add_argument(
        "--server-env", action="append", default=[], help="NAME=VALUE for the web process"
    )
    args = parser.parse_args()
    if args.full:
        args.hold, args.storm = 10_000, 5_000

    setup_django()
    print(f"benchmarks/ws_fanout.py: {os.cpu_count()} CPUs; {args.clients} clients, steady")
    print(f"  {args.rate:.0f}/s for {args.seconds:.0f} s, {args.bursts} tenant-wide bursts,")
    print(f"  {args.hold} sockets held, storm of {args.storm}; clients on this machine\n")
    for kind in args.servers.split(","):
        for layer in args.layers.split(","):
            if args.only_storm:
                r = run_storms(kind, layer, args)
                print(f"== {r['server']} / {r['layer']}")
            else:
                r = run_one(kind, layer, args)
                _print(r)
            for storm in r["storms"]:
                _print_storm(storm)


def _print(r: dict[str, Any]) -> None:
    s, b = r["steady"], r["burst"]
    print(f"== {r['server']} / {r['layer']}")
    print(f"  N clients connect at once: {r['connect_n_s']:.2f} s, errors {r['connect_errors']}")
    print(
        f"  steady {s['rate']:.0f}/s: delivered {s['delivered']}/{s['sent']}, "
        f"p50 {s['p50']:.1f} ms, p99 {s['p99']:.1f} ms, max {s['max']:.0f} ms"
    )
    print(
        f"  bursts: delivered {b['delivered']}/{b['sent']}, p50 {b['p50']:.0f} ms, "
        f"p99 {b['p99']:.0f} ms, {b['per_s']:.0f} deliveries/s"
    )
    print(f"  held {r['held']} sockets: {r['kb_per_conn']:.1f} KB each (errors {r['hold_errors']})")


def _print_storm(s: dict[str, Any]) -> None:
    print(
        f"  storm of {s['n']} (load {s['load']:.1f}): {s['connected']} connected and resumed "
        f"({s['first_try']} at the first try, {s['within_10s']} within 10 s), all in "
        f"{s['all_s']:.2f} s; p50 {s['p50']:.2f} s, p99 {s['p99']:.2f} s"
    )
    print(
        f"    refusals {s['refusals']} (answered in p50 {s['refusal_p50_ms']:.0f} ms, "
        f"p99 {s['refusal_p99_ms']:.0f} ms), errors "
        f"{s['errors']} {s['error_kinds'] or ''}, gave up {s['gave_up']}; CPU over "
        f"{s['took']:.1f} s: server {s['server_cpu']:.1f} s, clients {s['client_cpu']:.1f} s",
        flush=True,
    )


if __name__ == "__main__":
    main()
