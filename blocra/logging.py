"""Request-scoped logging: every log line carries the id of the request it belongs to."""

import logging

from blocra.request_context import NO_REQUEST_ID, current_request_id

# Where the middleware leaves the request id on the request, for records made after it returned.
REQUEST_ID_META = "BLOCRA_REQUEST_ID"


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
