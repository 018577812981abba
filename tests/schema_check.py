"""Every JSON answer the test suite receives from ``/v1/`` is checked against the OpenAPI schema.

The schema is what drf-spectacular publishes at ``/v1/schema/``, generated once per run. For each
response of Django's test client (``APIClient`` included) the operation is found by path and
method, and a documented status's JSON body is validated with ``jsonschema`` (formats included:
``date``, ``date-time``, ``time`` as RFC 3339 says, ``uuid``), objects closed to properties the
schema does not name. A 2xx status the operation does not document is a mismatch too; error
statuses (4xx) are checked only where documented. OpenAPI 3.0's ``nullable`` is JSON Schema's
``null`` type, translated here once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from drf_spectacular.generators import SchemaGenerator
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

NOT_DOCUMENTED = ("/v1/schema/", "/v1/docs/")
METHODS = {"get", "post", "put", "patch", "delete"}


class SchemaMismatch(AssertionError):
    """An answer of the API that its OpenAPI schema does not describe."""


def _translate(node: Any) -> Any:
    """OpenAPI 3.0 schema objects as JSON Schema 2020-12: ``nullable`` becomes a null branch,
    and an object listing its properties admits no others (so an undocumented field fails)."""
    if isinstance(node, list):
        return [_translate(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _translate(value) for key, value in node.items() if key != "nullable"}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [{"type": "null"}, out]}
    return out


@dataclass(frozen=True)
class Operation:
    path: str
    method: str
    pattern: re.Pattern[str]
    literal_segments: int
    responses: dict[str, Any]


@cache
def _document() -> tuple[dict[str, Any], list[Operation]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    schema = json.loads(json.dumps(schema, default=str))  # lazy strings, enums: plain JSON
    components = _translate(schema.get("components", {}))
    operations = []
    for path, item in schema["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path.rstrip("/")))
        for method, operation in item.items():
            if method in METHODS:
                operations.append(
                    Operation(
                        path=path,
                        method=method,
                        pattern=re.compile(f"{regex}/?"),
                        literal_segments=path.count("/") - path.count("{"),
                        responses=operation.get("responses", {}),
                    )
                )
    # The most literal path first: /insights/run/ before /insights/{day}/.
    operations.sort(key=lambda op: -op.literal_segments)
    return components, operations


def find_operation(path: str, method: str) -> Operation | None:
    for operation in _document()[1]:
        if operation.method == method and operation.pattern.fullmatch(path):
            return operation
    return None


@cache
def _validator(path: str, method: str, status: str) -> Draft202012Validator | None:
    components, _ = _document()
    operation = find_operation_exact(path, method)
    content = operation.responses.get(status, {}).get("content", {}) if operation else {}
    media = content.get("application/json")
    if media is None or "schema" not in media:
        return None
    schema = {**_translate(media["schema"]), "components": components}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def find_operation_exact(path: str, method: str) -> Operation | None:
    for operation in _document()[1]:
        if operation.path == path and operation.method == method:
            return operation
    return None


def check_response(method: str, path: str, response: Any) -> None:
    """Raise SchemaMismatch when this answer of the API disagrees with the schema."""
    method = method.lower()
    if not path.startswith("/v1/") or path.startswith(NOT_DOCUMENTED) or method not in METHODS:
        return
    status = response.status_code
    operation = find_operation(path, method)
    if operation is None:
        if status < 400:
            raise SchemaMismatch(f"{method.upper()} {path} answered {status} but is not documented")
        return  # an unknown URL's 404, a method the view lacks (405): nothing to compare
    documented = str(status) in operation.responses
    if not documented:
        if 200 <= status < 300:
            raise SchemaMismatch(
                f"{method.upper()} {operation.path} answered {status}; the schema documents "
                f"{', '.join(operation.responses)}"
            )
        return
    if status == 204 or getattr(response, "streaming", False):
        return
    if not response.get("Content-Type", "").startswith("application/json"):
        return
    validator = _validator(operation.path, method, str(status))
    if validator is None:
        return
    body = json.loads(response.content)
    error = best_match(validator.iter_errors(body))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(the body)"
        raise SchemaMismatch(
            f"{method.upper()} {operation.path} {status}: at {where}: {error.message}"
        )


def checking_request(original: Any) -> Any:
    """``django.test.Client.request`` (which ``APIClient`` calls too), checking each answer."""

    def request(self: Any, **environ: Any) -> Any:
        response = original(self, **environ)
        check_response(environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", ""), response)
        return response

    return request
