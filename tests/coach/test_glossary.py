"""One glossary for every figure: the catalog's metrics all have words, the API's metric cards
use them, and the console reads them from the API."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coach.catalog.base import METRICS
from coach.glossary import GLOSSARY, label
from coach.serializers import metric_card
from coach.vocabulary import Category

STATIC = Path(__file__).resolve().parents[2] / "gateway" / "static" / "console"


def test_every_metric_and_score_part_has_words_and_a_definition():
    missing = [key for key in [*METRICS, *Category.values] if key not in GLOSSARY]
    assert missing == []
    for key, term in GLOSSARY.items():
        assert term.label.strip(), key
        assert term.definition.endswith("."), key
        assert "_" not in term.label, key


def test_the_metric_cards_use_the_glossary_words():
    assert metric_card("dso", 41.0, "USD")["label"] == "Days to collect" == label("dso")


@pytest.mark.django_db
def test_the_api_serves_it(api):
    response = api.get("/v1/coach/glossary/")
    assert response.status_code == 200
    terms = {t["key"]: t for t in response.json()["terms"]}
    assert terms["dso"]["label"] == "Days to collect"
    assert "customers take to pay" in terms["dso"]["definition"]


def test_the_console_spells_no_metric_name_itself():
    # The console's words for metrics come from the API: no label of the glossary is written
    # in its scripts (a test in words, not a list of keys, would drift).
    for script in STATIC.glob("*.js"):
        text = script.read_text()
        for key in ("dso", "dpo", "dio"):
            assert not re.search(rf'["\']{key}["\']\s*:', text), f"{script.name} spells {key}"


def test_every_stage_has_its_words_and_meaning_from_the_stages_own_thresholds():
    from coach import stage as stages
    from coach.vocabulary import Stage

    assert "stage" in GLOSSARY
    for stage in Stage:
        term = GLOSSARY[f"stage_{stage.value}"]
        assert term.label == stage.label
    assert GLOSSARY["stage_pre_revenue"].label == "Pre-revenue"
    # the words say the thresholds coach/stage.py decides by, not a second copy of them
    assert f"{stages.EARLY_MONTHS} months" in GLOSSARY["stage_early"].definition
    assert f"{stages.GROWING_YEARLY:.0%}" in GLOSSARY["stage_growing"].definition
    assert f"{-stages.DECLINING_YEARLY:.0%}" in GLOSSARY["stage_declining"].definition


@pytest.mark.django_db
def test_the_api_serves_the_stage_words(api):
    terms = {t["key"]: t for t in api.get("/v1/coach/glossary/").json()["terms"]}

    assert terms["stage_growing"]["label"] == "Growing"
    assert terms["stage"]["definition"].startswith("Where the business is in its life")
