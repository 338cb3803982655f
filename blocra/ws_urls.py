"""The WebSocket routes of the ASGI application (blocra.asgi), as `blocra/urls.py` is the HTTP ones'.

Each route names its consumer by dotted path, loaded here once, so that the blocra layer imports no app
(as `include("accounts.urls")` names an app's URLconf). Any other path is refused with 4404.
"""

from typing import Any

from django.urls import path, re_path
from django.utils.module_loading import import_string


def consumer(dotted_path: str) -> Any:
    """The ASGI application of the consumer class at `dotted_path`."""
    return import_string(dotted_path).as_asgi()


websocket_urlpatterns = [
    path("ws/notifications", consumer("accounts.consumers.NotificationsConsumer")),
    path("ws/bounties/<uuid:bounty_id>", consumer("bounties.consumers.BountyConsumer")),
    re_path(r"", consumer("blocra.consumers.UnknownPathConsumer")),
]
