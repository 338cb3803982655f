"""Request bodies sent without a Content-Length (`Transfer-Encoding: chunked`), for Django.

Django reads exactly CONTENT_LENGTH bytes of a body, and none when it is absent: a chunked body would
reach the views as empty (a valid JSON document answered as if nothing was sent) and escape
DATA_UPLOAD_MAX_MEMORY_SIZE. gunicorn decodes the chunks and marks its input as ending where the body
ends (`wsgi.input_terminated`), so this WSGI middleware reads such a body up to the limit, hands it to
Django with its length, and answers 413 without reading further once it is longer. nginx in front
already does this (it sends a Content-Length upstream); this covers gunicorn serving directly.
"""

import io
import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

_READ_SIZE = 64 * 1024


def _read_at_most(stream: Any, limit: int) -> bytes:
    """Up to `limit` bytes of `stream` (fewer when it ends first), in bounded reads."""
    parts: list[bytes] = []
    left = limit
    while left > 0:
        part = stream.read(min(_READ_SIZE, left))
        if not part:
            break
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


def _too_large(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    # Imported here: blocra.wsgi imports this module before Django is set up, and the errors module
    # loads DRF, which reads the settings on import.
    from blocra.errors import error_body, is_api_route

    message = "The request body is too large."
    if is_api_route(environ.get("PATH_INFO", "")):
        body, content_type = json.dumps(error_body(message, "request.too_large")).encode(), "application/json"
    else:
        body, content_type = message.encode(), "text/plain; charset=utf-8"
    start_response("413 Request Entity Too Large", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


class ChunkedBodyLimit:
    """Wraps the WSGI application: a body without Content-Length, on a server that says where it ends,
    is read up to DATA_UPLOAD_MAX_MEMORY_SIZE and passed on with its length; a longer one is a 413."""

    def __init__(self, application: WsgiApp) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated"):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            stream = environ["wsgi.input"]
            body = stream.read() if limit is None else _read_at_most(stream, limit + 1)
            if limit is not None and len(body) > limit:
                return _too_large(environ, start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.application(environ, start_response)
