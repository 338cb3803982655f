"""Request-scoped logging: every log line carries the id of the request it belongs to, as text or as
one JSON object per line (LOG_FORMAT)."""

import logging
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

from blocra.request_context import NO_REQUEST_ID, current_request_id

# Where the middleware leaves the request id on the request, for records made after it returned.
REQUEST_ID_META = "BLOCRA_REQUEST_ID"

# LOG_FORMAT=json (python-json-logger): `timestamp` (RFC 3339, UTC), `level`, `logger`, `message`,
# `request_id`, `pid`, a traceback as `exception`, and the fields a record carries in `extra` (the access
# log's method, path, status, duration_ms, client_ip, user_id). Django's own records carry the request
# object, which is not logged.
JSON_FORMATTER: dict[str, Any] = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": ["levelname", "name", "message", "request_id", "process"],
    "rename_fields": {
        "levelname": "level",
        "name": "logger",
        "process": "pid",
        "exc_info": "exception",
        "stack_info": "stack",
    },
    "timestamp": True,
    "reserved_attrs": [*RESERVED_ATTRS, "request"],
}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = current_request_id()
        if request_id == NO_REQUEST_ID:
            # Django logs a failed request ("Internal Server Error: ...") after the middleware that set
            # the context has returned; the record carries the request itself then.
            request = getattr(record, "request", None)
            request_id = getattr(request, "META", {}).get(REQUEST_ID_META, NO_REQUEST_ID)
        record.request_id = request_id
        return True
