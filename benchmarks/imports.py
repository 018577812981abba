"""Imports through the API on one daphne process: a large OFX statement and a 10-year CSV.

    .venv/bin/python benchmarks/imports.py [--sizes 10000,25000,50000]

For each size, a fresh web process gets a fresh tenant and one POST of an OFX statement of that
many transactions (SGML, as banks send them, ~135 bytes a transaction); then a 120-month CSV of
periods. Prints the request's wall time and the web process's resident memory before and at its
peak (VmHWM), so the peak's growth can be compared across file sizes.
Goal (issue 14): 50,000 transactions in under 10 s; memory flat in the file size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import urllib.request
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import rss_kb, server, setup_django


def today() -> date:
    return datetime.now(UTC).date()


def peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def make_tenant() -> tuple[str, str]:
    from django.contrib.auth import get_user_model

    from gateway.models import Tenant
    from gateway.services import create_tenant, issue_token

    Tenant.objects.filter(name__startswith="bench-imports").delete()
    user, _ = get_user_model().objects.get_or_create(username="bench-imports")
    tenant = create_tenant(user, name=f"bench-imports-{uuid.uuid4().hex[:6]}", timezone="UTC")
    _, key = issue_token(user, "bench")
    return str(tenant.pk), key


def statement(count: int) -> bytes:
    from insights.imports.samples import Row, render_ofx

    end = today() - timedelta(days=1)
    start = end - timedelta(days=count // 25)
    # 200 payees with names of letters (digits in a name do not make another payee)
    payees = [f"SUPPLIER {chr(65 + i % 26)}{chr(65 + i // 26)}" for i in range(200)]
    rows = (
        Row(
            start + timedelta(days=i // 25),
            Decimal(f"{(-1) ** i * (10 + i % 997)}.{i % 100:02d}"),
            payees[i % len(payees)],
            f"B{i:09d}",
        )
        for i in range(count)
    )
    return render_ofx(
        rows,
        bank_id="121000248",
        account_id="99887766",
        currency="USD",
        start=start,
        end=end,
        balance=Decimal("250000.00"),
    )


def periods_csv(months: int = 120) -> bytes:
    first = today().replace(day=1)
    lines = ["Month,Revenue,COGS,Operating expenses,Payroll,Net income,Cash"]
    for back in range(months, 0, -1):
        index = first.year * 12 + first.month - 1 - back
        month = date(index // 12, index % 12 + 1, 1)
        lines.append(
            f"{month:%Y-%m},{80000 + back},{30000 + back},25000,15000,{25000 - back},90000"
        )
    return ("\n".join(lines) + "\n").encode()


def post(port: int, tenant: str, key: str, name: str, data: bytes) -> tuple[int, dict, float]:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/tenants/{tenant}/imports/",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Token {key}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
            status, payload = response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        status, payload = exc.code, json.loads(exc.read() or b"{}")
    return status, payload, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,25000,50000")
    args = parser.parse_args()
    setup_django()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; {today()}"
    )
    for size in [int(s) for s in args.sizes.split(",")]:
        data = statement(size)
        tenant, key = make_tenant()
        with server("daphne") as (proc, port):
            before = rss_kb(proc.pid)
            status, payload, seconds = post(port, tenant, key, "bank.ofx", data)
            peak = peak_kb(proc.pid)
            summary = payload.get("summary", payload)
            print(
                f"OFX {size:>6,} transactions ({len(data) / 2**20:5.1f} MB): HTTP {status} in "
                f"{seconds:5.2f} s; web RSS {before / 1024:5.0f} MB before, peak "
                f"{peak / 1024:5.0f} MB (+{(peak - before) / 1024:.0f} MB); "
                f"added {summary.get('transactions_added')}, "
                f"periods {summary.get('periods_created')}"
            )
            status, payload, seconds = post(port, tenant, key, "books.csv", periods_csv())
            summary = payload.get("summary", payload)
            print(
                f"CSV    120 months: HTTP {status} in {seconds:5.2f} s; created "
                f"{summary.get('periods_created')}, updated {summary.get('periods_updated')}"
            )


if __name__ == "__main__":
    main()
