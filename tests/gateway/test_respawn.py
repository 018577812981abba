"""bin/respawn, the Procfile's restarter: a worker that exits with a failure is started again,
a clean exit ends it, and a stop signal reaches the command and ends it."""

from __future__ import annotations

import signal
import subprocess
import time

from tests.processes import ROOT

RESPAWN = str(ROOT / "bin" / "respawn")


def test_a_failed_command_is_started_again_until_it_exits_cleanly(tmp_path):
    marker = tmp_path / "crashed-once"
    crash_once = f"echo started; test -f {marker} || {{ touch {marker}; kill -9 $$; }}"

    done = subprocess.run(
        [RESPAWN, "sh", "-c", crash_once],
        env={"RESPAWN_DELAY": "0.1", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=30,
    )

    assert done.returncode == 0
    assert done.stdout.split() == ["started", "started"]
    assert "exited with status 137; starting it again" in done.stderr


def test_a_stop_signal_ends_the_command_and_the_restarter(tmp_path):
    pid_file = tmp_path / "pid"
    proc = subprocess.Popen([RESPAWN, "sh", "-c", f"echo $$ > {pid_file}; exec sleep 60"])
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(pid_file.read_text())

    proc.send_signal(signal.SIGTERM)

    assert proc.wait(timeout=10) == 143
    assert subprocess.run(["kill", "-0", str(child)], capture_output=True).returncode != 0
