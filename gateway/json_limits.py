"""JSON with a nesting limit, for every door JSON comes in by (HTTP bodies, WebSocket frames).

Python's ``json`` recurses once per nested array or object: a few thousand ``[`` exhaust the
interpreter's recursion limit (``RecursionError``, a 500 or a WebSocket closed with 1011), and
whatever walks a deep document afterwards recurses as deep again. No document of this API nests
anywhere near 64 levels, so anything deeper is refused before it is parsed, by a scan that does
not recurse.
"""

from __future__ import annotations

import json
import re
from typing import Any

MAX_JSON_DEPTH = 64

# A JSON string (escapes included, so a bracket inside a string is not counted), or a bracket.
# An unterminated string matches to the end of the text: what follows it cannot be structure.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)|[\[\]{}]', re.DOTALL)


class JSONTooDeep(ValueError):
    """The document nests arrays and objects deeper than allowed."""

    def __init__(self, max_depth: int) -> None:
        self.max_depth = max_depth
        super().__init__(f"JSON nested deeper than {max_depth} levels")


def json_depth(text: str, stop_above: int | None = None) -> int:
    """How deep arrays and objects nest in ``text`` (0 for a scalar); stops early when asked.

    Counts brackets outside strings; the text need not be valid JSON (the parser says so later).
    """
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        first = match.group()[0]  # a bracket, or the quote that starts a string
        if first in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_above is not None and deepest > stop_above:
                    break
        elif first in "]}":
            depth = max(0, depth - 1)
    return deepest


def loads_limited(text: str | bytes | bytearray, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads``, refusing documents nested deeper than ``max_depth`` with ``JSONTooDeep``.

    Invalid JSON raises ``json.JSONDecodeError`` as ever; both are ``ValueError``. Bytes are
    decoded as ``json.loads`` would (UTF-8, -16 or -32, detected).
    """
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode(json.detect_encoding(text), "surrogatepass")
    # Fewer brackets than the limit cannot nest past it: most documents skip the scan.
    brackets = text.count("[") + text.count("{")
    if brackets > max_depth and json_depth(text, stop_above=max_depth) > max_depth:
        raise JSONTooDeep(max_depth)
    return json.loads(text)
