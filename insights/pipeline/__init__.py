"""The insight pipeline: the one way an insight and its recommendations are made or remade.

``load`` reads what a set of (tenant, local date) items needs in a constant number of queries,
``plan`` decides each tenant's insight in memory (no I/O), and ``write`` stores the plans: the
only code that writes ``Insight`` and ``Recommendation`` rows, moves schedules, and triggers
alerts, enrichment and telemetry. Every caller (the morning batch, run-now, generate, an
admin's regenerate, a change of books, the demo's history) goes through it, so they agree.
"""

from insights.pipeline.load import Inputs, load
from insights.pipeline.plan import InsightPlan, plan
from insights.pipeline.write import Mode, WriteResult, write

__all__ = ["Inputs", "InsightPlan", "Mode", "WriteResult", "load", "plan", "write"]
