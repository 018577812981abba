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


def run_one(kind: str, layer: str, args: argparse.Namespace) -> dict[str, Any]:
    tenant_id, user_ids, keys, last_id = _prepare(args.clients)
    ctx = mp.get_context("spawn")
    notifier, child = ctx.Pipe()
    process = ctx.Process(target=_notifier, args=(child, layer), daemon=True)
    process.start()
    result: dict[str, Any] = {"server": kind, "layer": layer}
    with server(kind, BENCH_LAYER=layer) as (proc, port):
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

            storm = Clients(port, tenant_id)
            storm_keys = [keys[i % len(keys)] for i in range(args.storm)]
            result["storm_s"] = await storm.open_many(storm_keys, 2**62)
            result["storm_ok"] = len(storm.sockets)
            result["storm_errors"] = sorted(set(storm.errors))[:3]
            await storm.close_all()

        asyncio.run(scenario())
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
    args = parser.parse_args()
    if args.full:
        args.hold, args.storm = 10_000, 5_000

    setup_django()
    print(f"benchmarks/ws_fanout.py: {os.cpu_count()} CPUs; {args.clients} clients, steady")
    print(f"  {args.rate:.0f}/s for {args.seconds:.0f} s, {args.bursts} tenant-wide bursts,")
    print(f"  {args.hold} sockets held, storm of {args.storm}; clients on this machine\n")
    results = []
    for kind in args.servers.split(","):
        for layer in args.layers.split(","):
            r = run_one(kind, layer, args)
            results.append(r)
            _print(r)


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
    print(
        f"  storm: {r['storm_ok']} connected and resumed in {r['storm_s']:.2f} s, "
        f"errors {r['storm_errors'] or 'none'}",
        flush=True,
    )


if __name__ == "__main__":
    main()
