"""The web console: its page, and the session login the page uses (the API's tokens are for
scripts; a browser keeps a session cookie, which the WebSocket also authenticates with)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authentication import CSRFCheck, SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from gateway.serializers import MeSerializer
from gateway.throttling import login_throttles

# The console is its own files only: ES modules and one stylesheet from /static/, fetch and its
# WebSocket to this origin, no inline script or style (a style the JS sets goes through the CSSOM,
# which the policy allows), no plugins, no framing, forms posting nowhere else.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


@ensure_csrf_cookie
def index(request: HttpRequest) -> HttpResponse:
    """The console's single page; the csrftoken cookie it sets is what the page's JS sends."""
    # The demo's credentials are a hint for a developer's machine, never shown in production.
    # Whether a session is signed in, so the page does not ask (a 401 logs an error in the browser).
    context = {
        "show_demo": settings.COACH_ENV == "development",
        "signed_in": request.user.is_authenticated,
    }
    response = render(request, "console/index.html", context)
    response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


class SessionLoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)  # Django's limit for a username
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=4096
    )


def _no_view(request: HttpRequest) -> HttpResponse:
    """What the CSRF check wraps; only its verdict is used."""
    return HttpResponse()


def enforce_csrf(request: Request) -> None:
    """The check Django's middleware makes, for a view DRF exempts (no authentication yet)."""
    check = CSRFCheck(_no_view)
    check.process_request(request._request)
    reason = check.process_view(request._request, _no_view, (), {})
    if reason:
        # DRF's check answers the reason as text, a sentence ending in a period of its own
        sentence = str(reason).rstrip(".")
        raise PermissionDenied(
            f"CSRF failed: {sentence}. Send the csrftoken cookie's value as the X-CSRFToken header."
        )


class SessionView(APIView):
    """``GET`` who is logged in; ``POST`` logs in (username, password); ``DELETE`` logs out."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [permissions.AllowAny]

    def get_throttles(self) -> list[BaseThrottle]:
        return login_throttles() if self.request.method == "POST" else super().get_throttles()

    def get_authenticate_header(self, request: Request) -> str:
        return 'Session realm="coach"'  # a 401 must say how to authenticate

    @extend_schema(responses={200: MeSerializer})
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated("Not logged in.")
        return Response(MeSerializer(request.user).data)

    @extend_schema(request=SessionLoginSerializer, responses={200: MeSerializer})
    def post(self, request: Request) -> Response:
        enforce_csrf(request)
        given = SessionLoginSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        user = authenticate(
            request._request,
            username=given.validated_data["username"],
            password=given.validated_data["password"],
        )
        if user is None:
            raise AuthenticationFailed("Wrong username or password.")
        login(request._request, user)
        return Response(MeSerializer(user).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        enforce_csrf(request)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)
