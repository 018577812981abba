"""ASGI entry point: HTTP through Django, WebSockets through origin and auth checks to Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402 - needs Django set up

from config.routing import websocket_urlpatterns  # noqa: E402
from config.websocket_server import (  # noqa: E402
    install_message_size_close,
    install_overload_refusal,
    install_raw_form_bodies,
)
from gateway.ws_auth import OriginCheck, WebSocketAuthStack  # noqa: E402
from gateway.ws_gate import ConnectGate  # noqa: E402

# Shed a connect storm first (gateway.ws_gate: 4013 while the process is behind); then the
# Origin: from ALLOWED_HOSTS, or none at all with a token (gateway.ws_auth.OriginCheck).
gate = ConnectGate(OriginCheck(WebSocketAuthStack(URLRouter(websocket_urlpatterns))))

install_message_size_close()  # daphne's 1 MiB limit answers 4009, not a dropped connection
install_overload_refusal(gate.behind)  # under daphne, while behind: 503 before any parsing
install_raw_form_bodies()  # under daphne, a form POST's body is parsed once, by Django

application = ProtocolTypeRouter({"http": django_asgi_app, "websocket": gate})
