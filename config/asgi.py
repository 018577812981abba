"""ASGI entry point: HTTP through Django, WebSockets through origin and auth checks to Channels."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402 - needs Django set up

from config.routing import websocket_urlpatterns  # noqa: E402
from config.websocket_server import install_message_size_close  # noqa: E402
from gateway.ws_auth import OriginCheck, WebSocketAuthStack  # noqa: E402

install_message_size_close()  # daphne's 1 MiB limit answers 4009, not a dropped connection

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin from ALLOWED_HOSTS, or none at all with a token (gateway.ws_auth.OriginCheck)
        "websocket": OriginCheck(WebSocketAuthStack(URLRouter(websocket_urlpatterns))),
    }
)
