"""The API's pagination: DRF's limit/offset, with ``limit`` and ``offset`` validated.

DRF reads a bad ``limit`` as the default and hands any size to the database; ``?limit=`` past
Postgres' bigint then failed in the query (a 500). Here both are whole numbers in range or a 400
naming the parameter, and a page is at most ``MAX_PAGE_SIZE`` rows (a larger ``limit`` is capped,
as DRF caps it).
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

BIGINT_MAX = 2**63 - 1  # what Postgres takes as a LIMIT or OFFSET
MAX_PAGE_SIZE = 1000


def whole_number(name: str, raw: str, *, minimum: int) -> int:
    """``raw`` as an int from ``minimum`` to a bigint's maximum, or a 400 naming ``name``."""
    text = raw.strip()
    if not (text.isascii() and text.isdigit()):
        raise ValidationError({name: [f"must be a whole number from {minimum}"]})
    value = int(text)
    if value < minimum or value > BIGINT_MAX:
        raise ValidationError({name: [f"must be a whole number from {minimum} to {BIGINT_MAX}"]})
    return value


class Pagination(LimitOffsetPagination):
    max_limit = MAX_PAGE_SIZE

    def get_limit(self, request: Request) -> int | None:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None or raw == "":
            return self.default_limit
        return min(whole_number(self.limit_query_param, raw, minimum=1), MAX_PAGE_SIZE)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        if raw is None or raw == "":
            return 0
        return whole_number(self.offset_query_param, raw, minimum=0)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": BIGINT_MAX},
            self.offset_query_param: {"minimum": 0, "maximum": BIGINT_MAX},
        }
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
            if parameter["name"] == self.limit_query_param:
                parameter["description"] = (
                    f"Number of results to return per page (at most {MAX_PAGE_SIZE}; a larger "
                    "limit is capped)."
                )
        return parameters
