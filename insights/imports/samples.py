"""OFX statements written from plain rows: the demo's bank data and the benchmark's input.

What a bank would send (OFX 1.02 SGML), so that they come in through the same importer as a
real statement does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape

_HEADER = (
    "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\n"
    "CHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
)


@dataclass(frozen=True)
class Row:
    posted_on: date
    amount: Decimal
    payee: str
    fitid: str
    memo: str = ""


def render_ofx(
    rows: Iterable[Row],
    *,
    bank_id: str,
    account_id: str,
    currency: str,
    start: date,
    end: date,
    balance: Decimal,
) -> bytes:
    """A checking account's statement from ``start`` to ``end`` closing at ``balance``."""
    parts = [
        _HEADER,
        "<OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>",
        f"<DTSERVER>{end:%Y%m%d}<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\n",
        "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS><STMTRS>",
        f"<CURDEF>{currency}<BANKACCTFROM><BANKID>{bank_id}<ACCTID>{account_id}",
        "<ACCTTYPE>CHECKING</BANKACCTFROM>\n",
        f"<BANKTRANLIST><DTSTART>{start:%Y%m%d}<DTEND>{end:%Y%m%d}\n",
    ]
    for row in rows:
        kind = "CREDIT" if row.amount > 0 else "DEBIT"
        memo = f"<MEMO>{escape(row.memo)}" if row.memo else ""
        parts.append(
            f"<STMTTRN><TRNTYPE>{kind}<DTPOSTED>{row.posted_on:%Y%m%d}120000.000[-5:EST]"
            f"<TRNAMT>{row.amount:.2f}<FITID>{row.fitid}<NAME>{escape(row.payee[:32])}{memo}"
            "</STMTTRN>\n"
        )
    parts.append(
        f"</BANKTRANLIST><LEDGERBAL><BALAMT>{balance:.2f}<DTASOF>{end:%Y%m%d}</LEDGERBAL>"
        "</STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
    return "".join(parts).encode("ascii", "replace")
