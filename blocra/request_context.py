"""Who asks, from where, under which request id: set once per request by the middleware, read by the
logs and the activity log, so that services take plain values and never the request itself."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

# "No request id": log lines and activity rows written outside a request (commands, timers).
NO_REQUEST_ID = "-"


@dataclass(frozen=True)
class RequestContext:
    request_id: str
    # None when unknown (e.g. a Unix-socket peer without X-Forwarded-For).
    ip_address: str | None = None
    user_agent: str = ""


_current: ContextVar[RequestContext | None] = ContextVar("blocra_request_context", default=None)


def request_context() -> RequestContext | None:
    """The context of the request being served, or None outside one."""
    return _current.get()


def current_request_id() -> str:
    context = _current.get()
    return context.request_id if context is not None else NO_REQUEST_ID


@contextmanager
def request_context_bound(context: RequestContext) -> Iterator[RequestContext]:
    """Make `context` current for the duration of the block (one request, one test, one job)."""
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
