"""Pooled Postgres connections that died (a Postgres restart, a failover, an idle timeout) are
replaced before use: no request fails because the pool handed it a dead connection.

Postgres is not restarted here (other test runs share it): its backends are killed the way a
restart kills them, with ``pg_terminate_backend`` from another connection.
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def _dsn() -> str:
    db = connection.settings_dict
    return f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname={db['NAME']}"


def _kill_pooled_backends() -> int:
    """Terminate every other session on the test database: the pool's idle connections."""
    with psycopg.connect(_dsn(), autocommit=True) as other:
        rows = other.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def test_the_pool_checks_connections_before_handing_them_out():
    # Django hands the pool ``check=ConnectionPool.check_connection`` when health checks are on
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert "pool" in connection.settings_dict["OPTIONS"]


def test_requests_succeed_after_the_pooled_backends_are_killed(api, tenant):
    # given a request served through the pool, its connection back in the pool
    url = f"/v1/tenants/{tenant.pk}/insights/"
    assert api.get(url).status_code == 200
    connection.close()  # returns this thread's connection to the pool

    # when Postgres kills every pooled backend (as a restart does)
    assert _kill_pooled_backends() >= 1

    # then each next request still succeeds: the pool replaces the dead connections first
    for _ in range(3):
        response = api.get(url)
        assert response.status_code == 200, response.content
        connection.close()
