"""Which importer reads a file, from its content (the name only breaks no tie)."""

from __future__ import annotations

import json
from typing import Any

from insights.imports.bank_csv import looks_like_bank
from insights.imports.base import fail
from insights.imports.models import ImportKind
from insights.imports.periods import looks_like_periods
from insights.imports.reports import looks_like_quickbooks, looks_like_xero
from insights.imports.tables import csv_rows, decode_text

# How much of a file is read to tell a bank statement, which is then read in blocks, from the rest.
HEAD_BYTES = 4096


def detect_head(head: bytes) -> ImportKind | None:
    """OFX when the file's first bytes say so (the rest of the file need not be read)."""
    upper = head[:HEAD_BYTES].lstrip(b"\xef\xbb\xbf\r\n\t ").upper()
    if upper.startswith(b"OFXHEADER") or b"<OFX>" in upper or b"<?OFX" in upper:
        return ImportKind.OFX
    return None


def detect(data: bytes) -> ImportKind:
    if not data.strip():
        raise fail("file", "is empty")
    if data[:4] == b"PK\x03\x04":
        return ImportKind.PERIODS_XLSX
    if found := detect_head(data):
        return found
    head = data[:HEAD_BYTES].lstrip(b"\xef\xbb\xbf\r\n\t ")
    if head.startswith(b"<"):
        raise fail("file", "is XML or HTML but not an OFX statement (no OFX header)")
    if head.startswith((b"{", b"[")):
        return json_kind(load_json(data))
    text = decode_text(data)
    first = next(csv_rows(text), None)
    header = first[1] if first else []
    if looks_like_periods(header):
        return ImportKind.PERIODS_CSV
    if looks_like_bank(header):
        return ImportKind.BANK_CSV
    raise fail(
        "header",
        f"is neither monthly periods (Month, Revenue, …) nor a bank export (Date, Description, "
        f"Amount, …): {', '.join(header)[:200]}; for a bank export with other headers, send "
        "kind=bank_csv and a mapping",
        line=first[0] if first else None,
    )


def load_json(data: bytes) -> Any:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise fail("file", "JSON that is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise fail("file", f"malformed JSON ({exc.msg})", line=exc.lineno) from None
    except RecursionError:
        raise fail("file", "JSON nested too deep") from None


def json_kind(doc: Any) -> ImportKind:
    if looks_like_xero(doc):
        return ImportKind.XERO
    if looks_like_quickbooks(doc):
        return ImportKind.QUICKBOOKS
    keys = ", ".join(sorted(doc)[:8]) if isinstance(doc, dict) else type(doc).__name__
    raise fail(
        "file",
        f"JSON of an unknown structure (top level: {keys}); expected a QuickBooks report "
        "(Header, Columns, Rows) or a Xero Reports response (Reports)",
    )
