"""gunicorn's worker for the ASGI server (deploy/gunicorn_ws.conf.py): uvicorn's, with the uvicorn options
gunicorn has no setting for.

- The largest message uvicorn takes is WS_MAX_MESSAGE_BYTES, so a larger one is refused by the server
  itself (close 1009) before it is buffered whole, as the consumers refuse it in any server.
- Proxy headers off: the application alone reads X-Forwarded-For, from TRUSTED_PROXIES
  (blocra.consumers.scope_address); uvicorn would otherwise rewrite the client's address first.
- Lifespan off: Django and Channels have no lifespan handler, and uvicorn would log that at each start.
- A ping every WS_PING_INTERVAL_SECONDS: a peer that vanished without closing (a laptop lid, a dropped
  mobile link) is noticed within WS_PING_INTERVAL_SECONDS + WS_PING_TIMEOUT_SECONDS, and the proxy
  in front sees traffic on a socket whose client is quiet.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from uvicorn_worker import UvicornWorker

WS_PING_INTERVAL_SECONDS = 20.0
WS_PING_TIMEOUT_SECONDS = 20.0


def uvicorn_options() -> dict[str, Any]:
    """The uvicorn options of BlocRA's ASGI server (keyword arguments of uvicorn.Config)."""
    return {
        "ws_max_size": int(settings.WS_MAX_MESSAGE_BYTES),
        "ws_ping_interval": WS_PING_INTERVAL_SECONDS,
        "ws_ping_timeout": WS_PING_TIMEOUT_SECONDS,
        "lifespan": "off",
        "proxy_headers": False,
        "server_header": False,
    }


class SocketWorker(UvicornWorker):
    """uvicorn's gunicorn worker with `uvicorn_options()` (the settings are read when gunicorn makes
    the worker, in the master)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # UvicornWorker.__init__ builds uvicorn's Config from CONFIG_KWARGS: set per instance, so that
        # the settings are read only once Django's are configured.
        self.CONFIG_KWARGS = {**UvicornWorker.CONFIG_KWARGS, **uvicorn_options()}
        super().__init__(*args, **kwargs)
