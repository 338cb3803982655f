"""Cross-cutting HTTP middleware: forwarded headers, metrics, the request context (id, client address),
access log, /api paths."""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.urls import Resolver404, resolve

from blocra import metrics
from blocra.client_ip import UNKNOWN_IP, client_ip, peer_is_trusted_proxy
from blocra.errors import DATABASE_TROUBLE, database_unavailable_response, is_api_path, json_error_response
from blocra.logging import REQUEST_ID_META
from blocra.request_context import RequestContext, request_context, request_context_bound

access_logger = logging.getLogger("blocra.access")
error_logger = logging.getLogger("blocra.errors")

GetResponse = Callable[[HttpRequest], HttpResponseBase]

_HANDLED_BY_DJANGO = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)
# Served to the scraper: neither counted in the request metrics it reports nor logged at INFO.
METRICS_PATH = "/metrics"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
USER_AGENT_MAX = 512


# What a proxy tells the app about the original request, besides the client's address (X-Forwarded-For,
# which blocra.client_ip reads from the right, trusted proxies only): the scheme, the host and the port.
FORWARDED_META = ("HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PORT")


class ForwardedHeadersMiddleware:
    """Drops X-Forwarded-Proto, -Host and -Port unless the direct peer is one of TRUSTED_PROXIES, so
    that Django believes them (SECURE_PROXY_SSL_HEADER makes X-Forwarded-Proto: https a secure request)
    only from the proxy in front: any client could send them. First in MIDDLEWARE."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not peer_is_trusted_proxy(request):
            for name in FORWARDED_META:
                request.META.pop(name, None)
        return self.get_response(request)


def route_of(request: HttpRequest) -> str:
    """The URL pattern that serves the request (`api/bounties/<int:pk>`), never the raw path: a label
    with as few values as there are patterns. A request answered before URL resolution (a 429 of the
    rate limit, a CORS preflight) is resolved here; a path nothing serves is `<unmatched>`."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info, getattr(request, "urlconf", None))
        except Resolver404:
            return metrics.UNMATCHED_ROUTE
    return match.route or match.view_name or metrics.UNMATCHED_ROUTE


class MetricsMiddleware:
    """Counts every request (except GET /metrics) by route, method and status, with its time and the SQL
    statements it ran (blocra.metrics)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info == METRICS_PATH:
            return self.get_response(request)
        started = time.perf_counter()
        with metrics.http_request_in_progress(), metrics.db_queries_observed():
            response = self.get_response(request)
        metrics.http_request_observe(
            route=route_of(request),
            method=metrics.http_method_label(request.method),
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


class RequestContextMiddleware:
    """Honours a well-formed incoming X-Request-ID or makes one, returns it on the response, and makes
    the request id, the client's address and user agent current (`blocra.request_context`) for the
    logs and the activity log."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.META[REQUEST_ID_META] = request_id
        address = client_ip(request)
        context = RequestContext(
            request_id=request_id,
            ip_address=address if address != UNKNOWN_IP else None,
            user_agent=request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
        )
        with request_context_bound(context):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class AccessLogMiddleware:
    """One line per request: method, path, status, duration and the authenticated user's id (as fields
    of their own too, for LOG_FORMAT=json, with the client's address)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        context = request_context()
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
        # A scrape every few seconds would drown the log; a refused one is worth seeing.
        level = logging.DEBUG if request.path == METRICS_PATH and response.status_code == 200 else logging.INFO
        access_logger.log(
            level,
            "%s %s %s %.1fms user=%s",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            user_id if user_id is not None else "-",
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round(duration_ms, 1),
                "client_ip": context.ip_address if context is not None else None,
                "user_id": user_id,
            },
        )
        return response


class ApiPathMiddleware:
    """Accepts an optional trailing slash on /api paths, answers unhandled /api errors as JSON 500 (503
    `server.database_unavailable` when the database could not serve the request), and gives every answer
    that is not streamed its Content-Length (CommonMiddleware's work, which runs on the admin site's paths
    only: blocra.admin_middleware)."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        if path.startswith("/api/") and len(path) > len("/api/") and path.endswith("/"):
            request.path_info = path.rstrip("/")
        response = self.get_response(request)
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Django answers these itself through the handlers in blocra.errors (404, 403, 400/413).
        if not is_api_path(request) or isinstance(exception, _HANDLED_BY_DJANGO):
            return None
        if isinstance(exception, DATABASE_TROUBLE):
            return database_unavailable_response(request, exception)
        error_logger.exception("Unhandled error on %s %s", request.method, request.path)
        return json_error_response("Internal server error.", "server.error", 500)


def is_api_path_info(path_info: str) -> bool:
    """The API's paths, answered by DRF views (bearer tokens, no cookies) or plain JSON views: /api,
    /api/..., /health and /metrics. Everything else is the admin site and the pages under /account/
    (blocra.admin_middleware)."""
    return path_info.startswith("/api/") or path_info in ("/api", "/health", "/metrics")
