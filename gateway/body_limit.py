"""Request bodies over ``DATA_UPLOAD_MAX_MEMORY_SIZE`` answer a JSON 413 naming the limit.

Django's own answer is an HTML "400 Bad Request" with no word of why, raised wherever the body
is first read (DRF's parsers, the CSRF check of a form). Here a declared ``Content-Length`` over
the limit is refused before anything reads the body, and a ``RequestDataTooBig`` a view meets
later (a body whose size was not declared) gets the same answer. Multipart bodies are left to
Django's check, which counts their fields and not their files, as the setting means.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse


def too_big(limit: int) -> JsonResponse:
    return JsonResponse(
        {"detail": f"Request body too large: the limit is {limit} bytes ({limit / 2**20:g} MB)."},
        status=413,
    )


def declared_length(request: HttpRequest) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and not (request.content_type or "").startswith("multipart/"):
            length = declared_length(request)
            if length is not None and length > limit:
                return too_big(limit)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if isinstance(exception, RequestDataTooBig) and limit is not None:
            return too_big(limit)
        return None
