"""The README's shell examples work as written: they parse, they use the virtual environment for
manage.py, and every variable they read was set by an example above them (a new user copies
them in order)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
# set by the reader's environment or by .ci/start, not by an example
FROM_ENVIRONMENT = {"PORT", "METRICS_KEY", "HOME", "PATH"}


def _blocks() -> list[str]:
    return re.findall(r"^```(?:sh|bash)\n(.*?)^```", README.read_text(), flags=re.M | re.S)


def test_every_shell_example_parses() -> None:
    for block in _blocks():
        result = subprocess.run(
            ["/bin/bash", "-n"], input=block, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, f"{result.stderr}\n{block}"


def test_manage_py_runs_in_the_virtual_environment() -> None:
    for block in _blocks():
        for line in block.splitlines():
            if "manage.py" in line and not line.lstrip().startswith("#"):
                assert ".venv/bin/python manage.py" in line, line


def test_every_variable_is_set_before_it_is_used() -> None:
    defined: set[str] = set()
    for block in _blocks():
        for line in block.splitlines():
            if line.lstrip().startswith("#"):
                continue
            used = set(re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", line))
            missing = used - defined - FROM_ENVIRONMENT
            assert not missing, f"{sorted(missing)} used before an example sets it: {line}"
            defined |= set(re.findall(r"^\s*([A-Z][A-Z0-9_]*)=", line))


def test_the_first_command_says_how_to_change_the_port_and_prints_it() -> None:
    first_section = README.read_text().split("\n## ")[1]
    start = (README.parent / ".ci" / "start").read_text()

    assert "PORT=8001 bash .ci/start" in first_section
    assert "PORT=8001 bash .ci/start" in start  # said where the URLs are printed
    assert "http://127.0.0.1:$PORT/" in start
