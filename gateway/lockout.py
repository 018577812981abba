"""django-axes' side of the login defences: which username an attempt counts against, and the
answer a locked-out client gets (JSON for the API, a page for the admin and browsable forms).

Axes counts failed logins in Postgres per username and client address (``AXES_LOCKOUT_PARAMETERS``)
on every form that calls ``authenticate``: the admin's, DRF's browsable login, and the API's token
and session logins. After ``AXES_FAILURE_LIMIT`` failures that pair is refused, right password or
not, for ``AXES_COOLOFF_TIME``; a success before that clears its count.
"""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off  # axes ships no types: ignored in pyproject
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from gateway.throttling import normalise_username


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """``AXES_USERNAME_CALLABLE``: the username as the login throttle counts it (one spelling
    per account), taken from the credentials given to ``authenticate``, else the form."""
    value = (credentials or {}).get("username")
    if value is None:
        value = request.POST.get("username")
    return normalise_username(value) or ""


def _message(seconds: int | None) -> str:
    wait = f"in {math.ceil(seconds / 60)} minutes" if seconds else "later"
    return f"Too many failed logins for this username from this address. Try again {wait}."


def lockout_response(request: HttpRequest, *_: object, **__: object) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: 429 with ``Retry-After``, in JSON under ``/v1/``, else a page.

    Takes only the request: axes 8.3 passes its other arguments in a different order from its
    async middleware than from its sync one.
    """
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    message = _message(seconds)
    response: HttpResponse
    if request.path.startswith("/v1/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        page = render_to_string("gateway/lockout.html", {"message": message}, request=request)
        response = HttpResponse(page, status=429)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
