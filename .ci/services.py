"""Are Postgres and Redis reachable? Exits 1 naming what is not and how to start it.

Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlsplit

HOW_TO_START = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    "Redis": (
        'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" '
        "--appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log"
    ),
}


def reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 2
        ):
            return True
    except OSError:
        return False


def main() -> int:
    services = {
        "PostgreSQL": (
            os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coach"),
            5432,
        ),
        "Redis": (os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), 6379),
    }
    down = [name for name, (url, port) in services.items() if not reachable(url, port)]
    for name in down:
        url = services[name][0]
        print(
            f"{name} is not reachable at {url}. Start it with:\n    {HOW_TO_START[name]}",
            file=sys.stderr,
        )
    if "--quiet" not in sys.argv and not down:
        print("PostgreSQL and Redis are reachable.")
    return 1 if down else 0


if __name__ == "__main__":
    sys.exit(main())
