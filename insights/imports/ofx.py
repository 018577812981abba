"""Bank and card statements in OFX/QFX, 1.x (SGML) and 2.x (XML), read by ofxtools.

ofxtools reads the header and tokenises the body, which is read from the file in blocks; each
aggregate this module needs (the account, every ``STMTTRN``, the ledger balance) is converted and
validated by ofxtools' own types as soon as it closes, pushed to the sink, and dropped from the
tree: neither the file nor its 50,000 transactions are ever held in memory whole. A DTD in an
XML prolog (the way to an entity-expansion attack) is refused by defusedxml before anything else
reads the file; ofxtools itself expands no entity.

A transaction's posted date is the day the bank printed (``20010312225109.000[-5:EST]`` is
12 March), not that instant moved to UTC. A transaction with a MEMO and no NAME is paid to its
memo.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import warnings
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from typing import Any, BinaryIO

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException
from ofxtools import Types
from ofxtools.header import OFXHeaderError, parse_header
from ofxtools.models.bank.stmt import TRNTYPES
from ofxtools.models.base import Aggregate
from ofxtools.Parser import ParseError, TreeBuilder

from insights.financials import parse_amount
from insights.imports.base import Account, BankSink, Problem, StatementEnd, Txn, fail

# ofxtools logs every aggregate it converts at INFO: one line per transaction is noise (and a
# tenth of a large statement's time), so only its warnings are kept.
logging.getLogger("ofxtools").setLevel(logging.WARNING)

_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})")
_PROLOG_END = re.compile(rb"<OFX[\s>]", re.IGNORECASE)
_CENT = Decimal("0.01")
# The header (and any XML prolog) must lie in the first HEAD_BYTES; the body is read in blocks.
HEAD_BYTES = 64 * 1024
BLOCK_BYTES = 256 * 1024


def refuse_dtd(head: bytes) -> None:
    """An XML prolog parsed by defusedxml: a DOCTYPE or entity declaration is refused."""
    start = head.lstrip(b"\xef\xbb\xbf\r\n\t ")
    if not start.startswith(b"<?xml") and b"<!DOCTYPE" not in start.upper():
        return
    found = _PROLOG_END.search(head)
    prolog = head[: found.start()] if found else head
    # the OFX processing instruction is not XML to defusedxml's parser: drop it, keep the rest
    prolog = re.sub(rb"<\?OFX[^>]*\?>", b"", prolog)
    try:
        DET.fromstring(prolog + b"<OFX/>", forbid_dtd=True)
    except DefusedXmlException as exc:
        raise fail(
            "file", f"declares a DTD or entities ({type(exc).__name__}); refused unread"
        ) from None
    except ET.ParseError as exc:
        raise fail("file", f"has a malformed XML prolog ({exc})") from None


def read_ofx(source: BinaryIO, sink: BankSink) -> None:
    """Read the statement in ``source`` (rewound) block by block: only the header and one
    block of the body are ever in memory, whatever the file's size."""
    source.seek(0)
    head = source.read(HEAD_BYTES)
    refuse_dtd(head)
    body = _PROLOG_END.search(head)
    if body is None:
        raise fail("file", f"has no <OFX> element in its first {HEAD_BYTES // 1024} KB")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            header, _ = parse_header(io.BytesIO(head[: body.start()] + b"<OFX>"))
    except (OFXHeaderError, UnicodeDecodeError, ValueError) as exc:
        raise fail("header", f"is not an OFX header ({str(exc).splitlines()[0][:200]})") from None
    builder = _Builder(sink)
    builder.line = head[: body.start()].count(b"\n") + 1
    decoder = codecs.getincrementaldecoder(header.codec)(errors="strict")
    source.seek(body.start())
    pending = ""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        while True:
            block = source.read(BLOCK_BYTES)
            try:
                pending += decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise fail(
                    "file", f"is not {header.codec} text ({exc.reason})", line=builder.line
                ) from None
            if not block:
                builder.feed_block(pending)
                break
            cut = _cut(pending)
            builder.feed_block(pending[:cut])
            pending = pending[cut:]
    builder.close_document()


def _cut(text: str) -> int:
    """Where ``text`` can be split so that no tag, value or CDATA section spans the split: just
    before its last tag (or the tag holding an unclosed CDATA section)."""
    cdata = text.rfind("<![CDATA[")
    if cdata > text.rfind("]]>"):
        return max(0, text.rfind("<", 0, cdata))
    return max(0, text.rfind("<"))


class _Builder(TreeBuilder):
    def __init__(self, sink: BankSink) -> None:
        super().__init__()
        self.sink = sink
        self.stack: list[tuple[ET.Element, int]] = []
        self.line = 1
        self.currency = ""
        self.span: tuple[date | None, date | None] = (None, None)
        self.ledger: tuple[Decimal | None, date | None] = (None, None)
        self.statements = 0

    def feed_block(self, text: str) -> None:
        """ofxtools' ``feed`` over one block, keeping track of the line each tag is on."""
        counted = 0
        for match in self.regex.finditer(text):
            self.line += text.count("\n", counted, match.start())
            counted = match.start()
            groups = match.groupdict()
            tail = self._groomstring(groups["tail"])
            tag = groups["tag"]
            value = groups["cdata"] or self._groomstring(groups["text"])
            try:
                if tail:
                    raise ParseError(f"text {tail[:40]!r} after <{tag}>")
                self._feedmatch(tag, value, groups["closetag"])
            except ParseError as exc:
                raise fail("file", f"malformed OFX: {exc}", line=self.line) from None
        self.line += text.count("\n", counted)

    def close_document(self) -> None:
        if self.stack:
            element, line = self.stack[-1]
            raise fail("file", f"<{element.tag}> opened on line {line} is never closed")
        if not self.statements:
            raise fail("file", "holds no bank or card statement (STMTRS or CCSTMTRS)")

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        self.stack.append((element, self.line))
        return element

    def end(self, tag: str) -> ET.Element:
        if not self.stack:
            raise ParseError(f"</{tag}> closes nothing")
        element, line = self.stack.pop()
        if element.tag != tag:
            raise ParseError(f"</{tag}> closes <{element.tag}> (opened on line {line})")
        super().end(tag)
        handler = _HANDLERS.get(tag)
        if handler is not None:
            handler(self, element, line)
            if tag in _DROP and self.stack:
                self.stack[-1][0].remove(element)  # read: no longer needed in the tree
        return element

    # handlers: one per aggregate this importer reads

    def _currency(self, element: ET.Element, line: int) -> None:
        self.currency = (element.text or "").strip().upper()[:3]

    def _account(self, element: ET.Element, line: int) -> None:
        try:
            model: Any = Aggregate.from_etree(element)
        except Exception as exc:
            raise fail(element.tag, _why(exc), line=line) from None
        if element.tag == "CCACCTFROM":
            account = Account(("card", model.acctid), "CREDITCARD", self.currency)
        else:
            account = Account((model.bankid, model.acctid), model.accttype, self.currency)
        self.sink.account(account)

    def _transaction(self, element: ET.Element, line: int) -> None:
        """A ``STMTTRN``, each field checked by ofxtools' own type for it (the aggregate
        machinery of ``Aggregate.from_etree`` is most of a large statement's time otherwise)."""
        values = {child.tag: (child.text or "").strip() for child in element}
        try:
            for tag in ("TRNTYPE", "DTPOSTED", "TRNAMT", "FITID"):
                if not values.get(tag):
                    raise _FieldError(tag, "is required")
            kind = _convert("TRNTYPE", _TRNTYPE, values["TRNTYPE"])
            posted = _convert("DTPOSTED", _DATETIME, values["DTPOSTED"])
            fitid = _convert("FITID", _FITID, values["FITID"])
            try:
                amount = _amount(_convert("TRNAMT", _DECIMAL, values["TRNAMT"]))
            except ValueError as exc:
                raise _FieldError("TRNAMT", str(exc)) from None
        except _FieldError as exc:
            self.sink.problem(Problem(exc.field, exc.message, line=line))
            return
        payee = values.get("NAME") or (element.findtext("PAYEE/NAME") or "").strip()
        memo = values.get("MEMO", "")
        self.sink.transaction(
            Txn(
                posted_on=_printed_date(values["DTPOSTED"], posted),
                amount=amount,
                bank_id=fitid,
                payee=(payee or memo)[:255],
                memo=memo[:255],
                kind=kind,
                line=line,
            )
        )

    def _span(self, element: ET.Element, line: int) -> None:
        self.span = (_raw_date(element.findtext("DTSTART")), _raw_date(element.findtext("DTEND")))

    def _ledger(self, element: ET.Element, line: int) -> None:
        try:
            model: Any = Aggregate.from_etree(element)
            balance = _amount(model.balamt)
        except Exception as exc:
            self.sink.problem(Problem(_field(exc, "LEDGERBAL"), _why(exc), line=line))
            return
        self.ledger = (balance, _printed_date(element.findtext("DTASOF"), model.dtasof))

    def _statement(self, element: ET.Element, line: int) -> None:
        balance, as_of = self.ledger
        start, end = self.span
        self.sink.statement_end(StatementEnd(balance, as_of, start, end))
        self.statements += 1
        self.currency, self.span, self.ledger = "", (None, None), (None, None)


_HANDLERS = {
    "CURDEF": _Builder._currency,
    "BANKACCTFROM": _Builder._account,
    "CCACCTFROM": _Builder._account,
    "STMTTRN": _Builder._transaction,
    "BANKTRANLIST": _Builder._span,
    "LEDGERBAL": _Builder._ledger,
    "STMTRS": _Builder._statement,
    "CCSTMTRS": _Builder._statement,
}
_DROP = frozenset({"STMTTRN", "STMTRS", "CCSTMTRS"})


class _FieldError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


# ofxtools' types for a STMTTRN's fields, as its STMTTRN model declares them
_TRNTYPE = Types.OneOf(*TRNTYPES, required=True)
_DATETIME = Types.DateTime(required=True)
_DECIMAL = Types.Decimal(required=True)
_FITID = Types.String(255, required=True)


def _convert(field: str, kind: Any, text: str) -> Any:
    try:
        return kind.convert(text)
    except Exception as exc:
        raise _FieldError(field, _why(exc)) from None


def _amount(value: Any) -> Decimal:
    if not isinstance(value, Decimal):
        raise ValueError("is missing")
    if value != value.quantize(_CENT):
        raise ValueError("has more than 2 decimal places")
    parsed = parse_amount("amount", str(value.quantize(_CENT)), signed=True)
    if parsed is None:
        raise ValueError("is missing")
    return parsed


def _raw_date(text: str | None) -> date | None:
    match = _DATE.match(text or "")
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def _printed_date(text: str | None, converted: Any) -> date:
    """The calendar day as printed (ofxtools validated the whole value already)."""
    printed = _raw_date(text)
    return printed if printed is not None else converted.date()


def _why(exc: Exception) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__


def _field(exc: Exception, default: str = "STMTTRN") -> str:
    found = re.search(r"\b([A-Z]{4,})\b", str(exc))
    return found[1] if found else default
