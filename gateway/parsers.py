"""The API's JSON parser: DRF's, refusing strings that UTF-8 and Postgres cannot hold.

JSON may spell a lone surrogate (``"\\ud800"``) and a NUL (``"\\u0000"``); Python decodes both into
its strings. Neither is text: UTF-8 cannot encode a lone surrogate (echoing one in an error, as a
choice field does, crashed the renderer) and Postgres refuses both in text and jsonb. Checking the
whole document once here covers every field of every endpoint, keys included, so no serializer
needs to remember it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

from gateway.json_limits import MAX_JSON_DEPTH, json_depth

_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")


def _describe(char: str) -> str:
    if char == "\x00":
        return "a NUL character (U+0000), which text may not contain"
    return f"a lone surrogate (U+{ord(char):04X}), which is not a character"


def _name(key: str) -> str:
    """A key as it can be shown: anything that is not text escaped (``\\ud800``)."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def check_text(data: Any) -> None:
    """Raise a ValidationError naming the first string (value or key) that is not text.

    The path is spelled as the API's errors spell it: ``tasks[2].title``. Iterative, so that a
    deeply nested document cannot exhaust the stack here.
    """
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            found = _NOT_TEXT.search(value)
            if found:
                raise ValidationError({path or "body": [f"contains {_describe(found.group())}"]})
        elif isinstance(value, Mapping):
            for key, item in reversed(list(value.items())):
                where = f"{path}.{_name(key)}" if path else _name(key)
                found = _NOT_TEXT.search(key)
                if found:
                    raise ValidationError({where: [f"the key contains {_describe(found.group())}"]})
                stack.append((where, item))
        elif isinstance(value, list):
            stack.extend(
                (f"{path}[{index}]", item) for index, item in reversed(list(enumerate(value)))
            )


def check_depth(raw: bytes, encoding: str) -> None:
    """A ParseError (400) for a document nested deeper than ``MAX_JSON_DEPTH``, found by a scan
    that does not recurse, before the parser (which recurses once per level) sees it."""
    if raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH:
        return  # too few brackets to nest that deep: most bodies skip the scan
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return  # the parser names the encoding error
    if json_depth(text, stop_above=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ParseError(TOO_DEEP)


TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels of arrays and objects."


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing documents nested deeper than ``MAX_JSON_DEPTH`` (Python's
    parser would exhaust its recursion limit: a 500), then :func:`check_text` on the document
    (400 naming the field)."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        check_depth(raw, encoding)
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:  # a thread with less stack to spare than the limit assumes
            raise ParseError(TOO_DEEP) from None
        check_text(data)
        return data
