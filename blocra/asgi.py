"""ASGI entry point: the WebSockets (blocra.ws_urls) and, for `make run`, the HTTP site too.

In production gunicorn's sync workers serve HTTP (blocra.wsgi) and this application runs beside them
on its own socket, where nginx sends /ws/ (deploy/gunicorn_ws.conf.py).
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blocra.settings")

# First: it sets Django up, which the consumers' modules need before they are imported.
http_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from blocra.realtime import sockets_served_here  # noqa: E402
from blocra.ws_urls import websocket_urlpatterns  # noqa: E402

sockets_served_here()

application = ProtocolTypeRouter({"http": http_application, "websocket": URLRouter(websocket_urlpatterns)})
