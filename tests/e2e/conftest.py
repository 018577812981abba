"""The browser for the end-to-end tests: Debian's Chromium, headless, driven by Playwright.

Playwright's own browser download does not work here; the tests launch the system's Chromium
(``apt-get install -y chromium``, done by ``.ci/run`` when it is missing). Screenshots go to
``artifacts/e2e/``, the folder CI keeps.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip(
            "Chromium not found (/usr/bin/chromium): install it with "
            "`apt-get install -y chromium` (.ci/run does this) or set CHROMIUM_PATH"
        )
    return path


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[Any]:
    """A fresh headless Chromium profile; yields the Playwright browser context."""
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="coach-e2e-", dir=tmp_path)
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=chromium,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def chromium_browser(chromium: str) -> Iterator[Any]:
    """A headless Chromium in which each test opens its own contexts (two people at once)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def shot() -> Callable[[Any, str], Path]:
    """Save a screenshot of the page as ``artifacts/e2e/<name>.png``."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def save(page: Any, name: str, full_page: bool = False) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


def off_loop(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run Django code in a plain thread: Playwright's sync API keeps an event loop running in
    the test's thread, where Django refuses synchronous database calls."""

    def call() -> Any:
        try:
            return fn(*args, **kwargs)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def watch(page: Any, errors: list[str]) -> list[str]:
    """Collect into ``errors`` the page's script errors, console errors and every answer of 400
    or more, as ``"<status> <method> <path>"``: a test lists the ones it provoked (a bad value
    shown at its field) and there may be no other."""
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))

    def console(message: Any) -> None:
        # the browser also logs each 4xx answer as an error: those are checked as answers below
        if message.type == "error" and "Failed to load resource" not in message.text:
            errors.append(f"console: {message.text}")

    def answered(response: Any) -> None:
        if response.status >= 400:
            path = response.url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
            errors.append(f"{response.status} {response.request.method} /{path}")

    page.on("console", console)
    page.on("response", answered)
    return errors
