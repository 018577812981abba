"""The coaching evaluation set passes in full: every story of docs/coaching-stories/ gets the
answer an adviser would agree on (top card, priority, what must not be said, stage, figures).

``benchmarks/coaching_eval.py`` runs the same judge and prints "right in N of M" with each miss.
"""

from __future__ import annotations

from collections import Counter

import pytest

from coach.vocabulary import Stage
from gateway.models import Industry
from insights.evaluation import judge, load_stories, story_books

STORIES = load_stories()


@pytest.mark.parametrize("story", STORIES, ids=lambda story: story.name)
def test_coach_answers_each_story_as_an_adviser_would(story) -> None:
    verdict = judge(story)

    assert verdict.misses == [], "\n".join([story.title, *verdict.misses, *verdict.cards()])


def test_the_set_has_two_dozen_two_year_stories_and_some_shorter_ones() -> None:
    lengths = Counter(len(story_books(story)) for story in STORIES)

    assert lengths[24] >= 24
    assert sum(count for months, count in lengths.items() if months < 24) >= 3


def test_the_set_covers_every_trade_every_stage_and_other_currencies() -> None:
    assert {story.industry for story in STORIES} == set(Industry.values)
    stages = {story.expect.stage for story in STORIES} | {
        judge(story).assessment.stage for story in STORIES
    }
    assert set(Stage) <= stages
    assert len({story.currency for story in STORIES}) >= 6


def test_every_story_is_told_in_words_with_an_answer() -> None:
    for story in STORIES:
        assert len(story.adviser.split()) >= 25, story.name
        expect = story.expect
        assert (
            expect.top_category or expect.no_card_above_low or expect.highest or expect.must_include
        ), story.name
