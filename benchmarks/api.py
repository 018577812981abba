"""The inbox against the framework's floor, on one daphne process: full list, 304, naive list.

    .venv/bin/python benchmarks/api.py [--seconds 5] [--concurrency 8] [--rounds 3]

Prints requests/s, latency p50/p99 and each figure's ratio to the trivial view (the floor).
Goals (issue 4): the full inbox of 200 at 0.3 of the floor or better, the 304 at 0.8 or better.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import percentile, server, setup_django


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes
) -> tuple[int, bytes]:
    """One request on a keep-alive connection; (status, body). Understands chunked bodies."""
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding") == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    return status, b""


async def _load(port: int, raw: bytes, seconds: float, concurrency: int) -> dict[str, float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                status, _ = await _request(reader, writer, raw)
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "statuses": statuses,  # type: ignore[dict-item]
    }


def _prepare() -> tuple[str, str, str]:
    """A tenant whose user has exactly 200 notifications; (tenant id, token key, inbox etag)."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from gateway.models import Tenant
    from gateway.services import create_tenant, issue_token
    from notifications.models import Notification
    from notifications.services import notify

    user, _ = get_user_model().objects.get_or_create(username="bench-api")
    Tenant.objects.filter(name="bench-api").delete()
    tenant = create_tenant(user, name="bench-api", timezone="Europe/Berlin")
    for index in range(200):
        notify(
            tenant,
            kind="coach_alert" if index % 5 == 0 else "info",
            title=f"Notification {index}: cash runway is {90 - index % 60} days",
            body="Receivables grew faster than sales for three months; see the plan.",
            data={"recommendation": index, "metric": "dso", "value": 41.5 + index},
            users=[user],
        )
    assert Notification.objects.filter(tenant=tenant, user=user).count() == 200  # noqa: S101
    _, key = issue_token(user, "bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    etag = client.get(f"/v1/tenants/{tenant.pk}/notifications/?limit=200", HTTP_HOST="127.0.0.1")[
        "ETag"
    ]
    return str(tenant.pk), key, etag


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per scenario (default 5)")
    parser.add_argument("--concurrency", type=int, default=8, help="keep-alive connections")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; median kept")
    args = parser.parse_args()

    setup_django()
    tenant_id, key, etag = _prepare()
    inbox = f"/v1/tenants/{tenant_id}/notifications/?limit=200"
    auth = f"Authorization: Token {key}\r\n"

    def get(path: str, extra: str = "") -> bytes:
        return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extra}\r\n".encode()

    scenarios = [
        ("trivial JSON view (floor)", get("/bench/trivial")),
        ("inbox, 200 notifications", get(inbox, auth)),
        ("inbox, 304 (If-None-Match)", get(inbox, auth + f"If-None-Match: {etag}\r\n")),
        ("naive DRF ModelSerializer, 200", get(f"/bench/tenants/{tenant_id}/naive-inbox", auth)),
    ]
    print(f"benchmarks/api.py: {platform.node()}, {os.cpu_count()} CPUs, one daphne process,")
    print(f"  {args.concurrency} keep-alive connections, {args.seconds:.0f} s per scenario\n")
    rounds: dict[str, list[dict]] = {name: [] for name, _ in scenarios}
    with server("daphne") as (_, port):
        for _, raw in scenarios:
            asyncio.run(_load(port, raw, 1.0, args.concurrency))  # warm up every path
        # Interleaved rounds, median kept: other load on the machine hits every scenario alike.
        for _ in range(args.rounds):
            for name, raw in scenarios:
                rounds[name].append(asyncio.run(_load(port, raw, args.seconds, args.concurrency)))
    results = {
        name: sorted(rs, key=lambda r: r["rps"])[len(rs) // 2] for name, rs in rounds.items()
    }
    floor = results[scenarios[0][0]]["rps"]
    print(f"{'scenario':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'x floor':>8}  statuses")
    for name, r in results.items():
        ratio = r["rps"] / floor
        figures = f"{r['rps']:8.0f} {r['p50']:8.1f} {r['p99']:8.1f} {ratio:8.2f}"
        print(f"{name:34} {figures}  {r['statuses']}")
    full = results[scenarios[1][0]]["rps"] / floor
    cached = results[scenarios[2][0]]["rps"] / floor
    print(f"\ngoal full inbox >= 0.30 x floor: {full:.2f} {'met' if full >= 0.3 else 'NOT met'}")
    print(f"goal 304        >= 0.80 x floor: {cached:.2f} {'met' if cached >= 0.8 else 'NOT met'}")


if __name__ == "__main__":
    main()
