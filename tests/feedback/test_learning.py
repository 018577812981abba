"""What feedback teaches the engine, through ``engine_inputs`` and the real ranking."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from feedback.learning import EngineInputs, engine_inputs, factor, shrunk
from feedback.services import record_feedback
from insights.financials import load_periods
from insights.services import assess
from tests.coach.conftest import generate
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _today(tenant):
    return tenant.local_today()


def _issued(tenant, today, inputs: EngineInputs) -> list[str]:
    """What the engine would issue the tenant on ``today`` (no cooldown history)."""
    assessment = assess(
        load_periods(tenant),
        currency=tenant.currency,
        tenant_name=tenant.name,
        today=today,
        adjustments=inputs.adjustments,
        silenced=inputs.silenced,
    )
    return [c.template_key for c in assessment.candidates]


def test_not_relevant_silences_the_template_for_that_tenant_for_90_days(
    api, tenant, alice, other_tenant, bob
):
    # given two businesses in the same cash crunch, and Alice calls its top advice not relevant
    top = generate(api, tenant)[0]
    generate(client_for(bob), other_tenant)
    record_feedback(top, alice, helpful=False, reason="not_relevant")
    day = _today(tenant)

    for later, silenced in ((1, True), (89, True), (90, False)):
        today = day + timedelta(days=later)
        inputs = engine_inputs([tenant.pk, other_tenant.pk], today)

        # then Alice does not get it again within 90 days, and Bob still does
        assert (top.template_key not in _issued(tenant, today, inputs[tenant.pk])) is silenced
        assert top.template_key in _issued(other_tenant, today, inputs[other_tenant.pk])


def test_already_done_silences_for_30_days(api, tenant, alice):
    top = generate(api, tenant)[0]
    record_feedback(top, alice, helpful=True, reason="already_done")
    day = _today(tenant)

    silenced = engine_inputs([tenant.pk], day)[tenant.pk].silenced

    assert silenced == {top.template_key: day + timedelta(days=29)}


def test_ranking_moves_with_helpfulness(api, tenant, make_user, add_member):
    # given two recommendations of the same priority, A ranked above B
    recs = generate(api, tenant)
    first, second = next((a, b) for a, b in itertools.pairwise(recs) if a.priority == b.priority)
    today = _today(tenant)
    before = _issued(tenant, today, EngineInputs())
    assert before.index(first.template_key) < before.index(second.template_key)

    # when several members find A unhelpful and B helpful
    for i in range(4):
        user = make_user(f"member{i}")
        add_member(tenant, user)
        record_feedback(first, user, helpful=False, reason="other")
        record_feedback(second, user, helpful=True)

    inputs = engine_inputs([tenant.pk], today)[tenant.pk]
    after = _issued(tenant, today, inputs)

    # then B now comes before A
    assert inputs.adjustments[first.template_key] < 1 < inputs.adjustments[second.template_key]
    assert after.index(second.template_key) < after.index(first.template_key)


def test_not_priority_lowers_the_template(api, tenant, alice, settings):
    top = generate(api, tenant)[0]
    record_feedback(top, alice, helpful=False, reason="not_priority")

    inputs = engine_inputs([tenant.pk], _today(tenant))[tenant.pk]

    assert inputs.adjustments[top.template_key] < settings.FEEDBACK_NOT_PRIORITY_FACTOR + 0.01


def test_a_tenant_without_feedback_gets_the_wider_view_only(
    api, tenant, alice, other_tenant, make_user
):
    top = generate(api, tenant)[0]
    record_feedback(top, alice, helpful=False, reason="other")

    inputs = engine_inputs([other_tenant.pk], _today(tenant))

    assert inputs[other_tenant.pk].silenced == {}
    # one vote against a template, with nothing else to compare, moves nobody's ranking
    assert inputs[other_tenant.pk].adjustments == {}


def test_the_query_count_does_not_grow_with_tenants(
    api, tenant, alice, other_tenant, make_user, django_assert_num_queries
):
    from gateway.services import create_tenant

    record_feedback(generate(api, tenant)[0], alice, helpful=False, reason="not_relevant")
    many = [create_tenant(make_user(), name=f"T{i}", timezone="Asia/Kolkata") for i in range(20)]
    ids = [tenant.pk, other_tenant.pk, *(t.pk for t in many)]

    with django_assert_num_queries(2):
        result = engine_inputs(ids, _today(tenant))

    assert set(result) == set(ids)


def test_shrinkage_moves_from_the_wider_rate_to_the_tenants_own():
    assert shrunk(0, 0, 0.7, 5) == 0.7
    assert shrunk(1, 1, 0.7, 5) == pytest.approx((1 + 3.5) / 6)
    assert shrunk(0, 100, 0.7, 5) < 0.05
    assert factor(0.9, 0.5, 1.0) == 1.4
    assert factor(0.0, 1.0, 1.0) == 0.5  # bounded
