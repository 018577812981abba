"""The whole catalog in one place, and the one function that runs it over a tenant's metrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from typing import Any

from coach.catalog import cash_flow, growth, inventory, operations, profitability, revenue
from coach.catalog.base import (
    Candidate,
    CashFlowRows,
    Known,
    Series,
    Template,
    TemplateContext,
    Values,
    as_number,
    known_values,
)
from coach.catalog.voice import harmonise

CATALOG: tuple[Template, ...] = (
    *cash_flow.TEMPLATES,
    *inventory.TEMPLATES,
    *revenue.TEMPLATES,
    *profitability.TEMPLATES,
    *operations.TEMPLATES,
    *growth.TEMPLATES,
)

_BY_KEY: Mapping[str, Template] = MappingProxyType({t.key: t for t in CATALOG})
if len(_BY_KEY) != len(CATALOG):  # two templates with one key would shadow each other silently
    raise RuntimeError("template keys in the catalog must be unique")

# Two years of monthly evidence: enough for the details chart to show a year-on-year comparison,
# small enough to store on every recommendation.
EVIDENCE_MONTHS = 24


def get_template(key: str) -> Template:
    """The template with this key; KeyError names the key when there is none."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"no recommendation template {key!r}") from None


def catalog_listing() -> list[dict[str, Any]]:
    """What the catalog endpoint lists: one entry per template, in catalog order."""
    return [
        {
            "key": t.key,
            "category": t.category,
            "title": t.title,
            "description": t.description,
            "requires": list(t.requires),
        }
        for t in CATALOG
    ]


def evaluate(
    values: Values,
    series: Series | None = None,
    cash_flow: CashFlowRows | None = None,
    ctx: TemplateContext = TemplateContext(),  # noqa: B008 - frozen, so one shared default is safe
) -> list[Candidate]:
    """Every template whose required metrics are all known and that applies, in catalog order,
    made consistent as one voice (coach.catalog.voice)."""
    known = known_values(values)
    # The day is made consistent first (coach.catalog.voice), then only what is said carries its
    # evidence: copying the series and the cash-flow table is most of a candidate's cost.
    said = harmonise(
        [
            _candidate(template, known, ctx)
            for template in CATALOG
            if not template.missing(known) and template.applies(known, ctx)
        ]
    )
    if not said:
        return said
    evidence_rows = _cash_flow_rows(cash_flow or ())
    evidence_series = _EvidenceSeries(series or {})
    return [_with_evidence(candidate, evidence_series, evidence_rows) for candidate in said]


class _EvidenceSeries:
    """The series as the evidence stores them, each converted once per evaluation however many
    candidates show it; every candidate still gets lists of its own."""

    def __init__(self, series: Series) -> None:
        self._series = series
        self._points: dict[str, list[list[Any]]] = {}

    def __contains__(self, metric: str) -> bool:
        return metric in self._series

    def __getitem__(self, metric: str) -> list[list[Any]]:
        points = self._points.get(metric)
        if points is None:
            points = self._points[metric] = _series_points(self._series[metric])
        return [list(point) for point in points]


def _with_evidence(
    candidate: Candidate, series: _EvidenceSeries, cash_flow_rows: list[dict[str, Any]]
) -> Candidate:
    """The candidate with the monthly series of its template's evidence and the cash-flow table."""
    metrics = _BY_KEY[candidate.template_key].evidence_metrics
    return replace(
        candidate,
        series={metric: series[metric] for metric in metrics if metric in series},
        cash_flow=[dict(row) for row in cash_flow_rows],
    )


def _candidate(template: Template, known: Known, ctx: TemplateContext) -> Candidate:
    priority, score = template.priority(known, ctx)
    title, body, *extra = template.render(known, ctx)
    figure_keys = dict.fromkeys((*template.requires, *template.key_metrics))
    figures: dict[str, float | None] = {key: known.get(key) for key in figure_keys}
    for derived in extra:
        figures.update(derived)
    return Candidate(
        template_key=template.key,
        category=template.category,
        priority=priority,
        score=score,
        title=title,
        body=body,
        figures=figures,
        actions=[action.to_dict() for action in template.actions],
        questions=list(template.questions),
        key_metrics=list(template.key_metrics),
    )


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _series_points(points: Sequence[tuple[date, float | None]]) -> list[list[Any]]:
    """[[iso date, value], ...], oldest first, the last EVIDENCE_MONTHS only; gaps stay null."""
    ordered = sorted(points, key=lambda point: _iso(point[0]))
    return [[_iso(when), as_number(value)] for when, value in ordered][-EVIDENCE_MONTHS:]


def _json_value(value: object) -> Any:
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, date):
        return value.isoformat()
    return as_number(value)


def _cash_flow_rows(rows: CashFlowRows) -> list[dict[str, Any]]:
    """The cash-flow table as JSON-friendly dicts (iso months), oldest first, bounded."""
    converted = [{key: _json_value(value) for key, value in row.items()} for row in rows]
    converted.sort(key=lambda row: str(row.get("month") or ""))
    return converted[-EVIDENCE_MONTHS:]
