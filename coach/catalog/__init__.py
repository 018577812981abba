"""The recommendation catalog: plain metrics in, candidate recommendations out (no Django here)."""

from coach.catalog.base import (
    CATEGORIES,
    METRICS,
    Candidate,
    Priority,
    SuggestedAction,
    Template,
    TemplateContext,
)
from coach.catalog.registry import CATALOG, catalog_listing, evaluate, get_template

__all__ = [
    "CATALOG",
    "CATEGORIES",
    "METRICS",
    "Candidate",
    "Priority",
    "SuggestedAction",
    "Template",
    "TemplateContext",
    "catalog_listing",
    "evaluate",
    "get_template",
]
