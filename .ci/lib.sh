# Shared by .ci/start, .ci/test and .ci/run: the virtual environment and the services.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

require_services() {
    python3 .ci/services.py --quiet || exit 1
}

# Create .venv and install the pinned dependencies; reinstall only when pyproject.toml changed.
ensure_venv() {
    if [ ! -x "$PY" ]; then
        echo "Creating the virtual environment in .venv"
        python3 -m venv "$VENV"
        "$PY" -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    fi
    local stamp="$VENV/.coach-installed" want
    want=$(sha256sum pyproject.toml | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "Installing dependencies (pyproject.toml)"
        if ! "$PY" -m pip install -e '.[dev]' >"$VENV/pip-install.log" 2>&1; then
            tail -30 "$VENV/pip-install.log" >&2
            echo "dependency install failed; the whole log is in $VENV/pip-install.log" >&2
            exit 1
        fi
        echo "$want" > "$stamp"
    fi
    export PATH="$VENV/bin:$PATH"
}

# Create the database named by DATABASE_URL (default: coach) when it does not exist.
ensure_database() {
    "$PY" - <<'PYEOF'
import os
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

url = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coach"))
name = url.path.lstrip("/") or "coach"
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"Created database {name}")
PYEOF
}
