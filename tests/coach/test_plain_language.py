"""Every sentence of the evaluation set reads plainly: acronyms explained on first use, the
currency in every amount, long spans in months or years, right plurals, no internal keys."""

from __future__ import annotations

import re

import pytest

from coach.catalog.base import METRICS
from coach.catalog.formatting import ACRONYMS
from insights.evaluation import load_stories, run_story, texts

STORIES = load_stories()
_SYMBOLS = ("$", "€", "£", "₹", "¥", "₩", "₪", "₦", "₱")
_BIG_NUMBER = re.compile(r"(\S*?)(\d{1,3}(?:,\d{2,3})+(?:\.\d+)?)(\s+[A-Z]{3}\b)?")
_DAYS = re.compile(r"\b(\d[\d,]*) days?\b")
_BAD_PLURAL = re.compile(
    r"(?<![\d.,])1 (days|months|years)\b|(?<![\d.,])(?!1 )\d[\d,]*(?:\.\d+)? (day|month|year)\b"
)
# Spans a person plans in: these say months or years beyond two months, never a count of days.
_SPAN_IN_DAYS = re.compile(
    r"(?:runway (?:of|is)|down to|lasts about|covers(?: only)?|cover is) (\d[\d,]*) days"
)
_KEY = re.compile(
    r"\b(" + "|".join(sorted((k for k in METRICS if "_" in k), key=len, reverse=True)) + r")\b"
)


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.name)
def test_what_a_person_reads_is_plain(story) -> None:
    for text in texts(run_story(story)):
        for short, words in ACRONYMS.items():
            first = text.find(short)
            if first >= 0:
                assert text[first:].startswith(f"{short}, {words}"), (short, text)
        for prefix, number, code in _BIG_NUMBER.findall(text):
            assert prefix.endswith(_SYMBOLS) or code.strip() == story.currency, (number, text)
        for count in _DAYS.findall(text):
            assert int(count.replace(",", "")) < 1000, (count, text)  # never thousands of days
        for count in _SPAN_IN_DAYS.findall(text):
            assert int(count.replace(",", "")) <= 62, (count, text)  # longer: months, years
        assert not _BAD_PLURAL.search(text), text
        assert not _KEY.search(text), text
        assert "missing:" not in text, text
        assert "None" not in text, text
