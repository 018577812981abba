"""One error shape for the API: ``detail`` says what is wrong in a sentence naming the field."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _first_message(errors: Any, path: str = "") -> str:
    """The first error as ``field: message``, its field spelled as a request spells it:
    ``tasks[1].assignee`` (DRF gives a list's errors as a dict keyed by the item's index)."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):
                return _first_message(value, f"{path}[{key}]")
            name = key if key != "non_field_errors" else ""
            return _first_message(value, f"{path}.{name}" if path and name else (name or path))
    if isinstance(errors, list) and errors:
        if all(isinstance(item, str) for item in errors):
            return f"{path}: {errors[0]}" if path else str(errors[0])
        for index, item in enumerate(errors):
            if item:
                return _first_message(item, f"{path}[{index}]")
    return f"{path}: {errors}" if path else str(errors)


class FieldError(ValueError):
    """A service refusing bad input; ``field`` names what is wrong (``tasks[2].due_date``).

    Services raise it (or a subclass) without knowing about HTTP; the API answers it as a 400
    in the usual shape, so views need no try/except to translate it.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, FieldError):
        exc = exceptions.ValidationError({exc.field: [exc.message]})
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        errors = response.data
        response.data = {"detail": _first_message(errors), "errors": errors}
    return response
