"""Validation of the values a tenant is configured with: IANA timezones and ISO 4217 currencies."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django.core.exceptions import ValidationError

# Legacy names still sent by older clients and operating systems, mapped to the current IANA name
# rather than rejected (they are links in tzdata, but we store the canonical one).
LEGACY_TIMEZONES = {
    "Europe/Kiev": "Europe/Kyiv",
    "Asia/Calcutta": "Asia/Kolkata",
    "Asia/Saigon": "Asia/Ho_Chi_Minh",
    "Asia/Katmandu": "Asia/Kathmandu",
    "Asia/Rangoon": "Asia/Yangon",
    "America/Buenos_Aires": "America/Argentina/Buenos_Aires",
    "Pacific/Enderbury": "Pacific/Kanton",
    "US/Eastern": "America/New_York",
    "US/Central": "America/Chicago",
    "US/Mountain": "America/Denver",
    "US/Pacific": "America/Los_Angeles",
    "Australia/ACT": "Australia/Sydney",
    "Australia/NSW": "Australia/Sydney",
}

# ISO 4217 active codes (2024). Kept here rather than pulled from a locale library: the list is
# small, changes rarely, and a currency that is not in it is a typo far more often than news.
ISO_4217 = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR
    KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
    MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
    SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS
    UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG""".split()  # noqa: SIM905 - a list literal would take 180 lines
)


@cache
def _available_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def canonical_timezone(name: str) -> str:
    """The IANA name to store for ``name``; raises ValidationError for an unknown zone."""
    name = (name or "").strip()
    name = LEGACY_TIMEZONES.get(name, name)
    if name not in _available_zones():
        raise ValidationError(f"'{name}' is not an IANA timezone (for example Europe/London).")
    return name


def validate_timezone(name: str) -> None:
    canonical_timezone(name)


def validate_currency(code: str) -> None:
    if code not in ISO_4217:
        raise ValidationError(f"'{code}' is not an ISO 4217 currency code (for example USD, EUR).")
