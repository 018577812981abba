"""The README's signature check, run as written against signatures Coach makes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from notifications.webhooks import new_secret, sign

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_verify() -> Any:
    text = README.read_text()
    section = text[text.index("**Verifying the signature.**") :]
    code = section[section.index("```python") + len("```python") : section.index("```\n", 10)]
    namespace: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    return namespace["verify"]


def test_the_readme_verification_accepts_coach_signatures_and_refuses_replays():
    verify = _readme_verify()
    secret, body = new_secret(), b'{"id":"evt_1","type":"test"}'
    verify(secret, sign(secret, body), body)
    with pytest.raises(ValueError, match="replay"):
        verify(secret, sign(secret, body, int(time.time()) - 600), body)
    with pytest.raises(ValueError, match="bad signature"):
        verify(secret, sign(secret, body), body + b" ")
    with pytest.raises(ValueError, match="malformed"):
        verify(secret, "v1=abc", body)
