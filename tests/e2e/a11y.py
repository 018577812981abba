"""The accessibility check of the end-to-end tests: axe-core (4.14.1, from the npm registry,
vendored in tests/e2e/vendor with its licence) run in the page; a serious or critical violation
fails the test, naming the rule and the elements.

The page's Content-Security-Policy allows no injected script, so axe is evaluated through the
DevTools protocol (Playwright's ``evaluate``), which the policy does not govern; the page itself
keeps running under it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
FAILING = {"serious", "critical"}


def violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))
            }));
        }"""
    )
    return list(found)


def check_accessibility(page: Any, where: str) -> None:
    serious = [v for v in violations(page) if v["impact"] in FAILING]
    assert not serious, f"{where}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in serious
    )
