"""Cross-cutting HTTP middleware: request ids, access log, and /api path handling."""

import logging
import re
import time
import uuid

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from blocra.errors import is_api_path, json_error_response
from blocra.logging import request_id_var

access_logger = logging.getLogger("blocra.access")
error_logger = logging.getLogger("blocra.errors")

_HANDLED_BY_DJANGO = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestIdMiddleware:
    """Honours a well-formed incoming X-Request-ID or makes one; sets it on the response and the logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class AccessLogMiddleware:
    """One line per request: method, path, status, duration and the authenticated user's id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        duration_ms = (time.perf_counter() - started) * 1000
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and getattr(user, "is_authenticated", False) else "-"
        access_logger.info(
            "%s %s %s %.1fms user=%s",
            request.method,
            request.path,
            response.status_code,
            duration_ms,
            user_id,
        )
        return response


class ApiPathMiddleware:
    """Accepts an optional trailing slash on /api paths and answers unhandled /api errors as JSON 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/") and len(path) > len("/api/") and path.endswith("/"):
            request.path_info = path.rstrip("/")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Django answers these itself through the handlers in blocra.errors (404, 403, 400/413).
        if not is_api_path(request) or isinstance(exception, _HANDLED_BY_DJANGO):
            return None
        error_logger.exception("Unhandled error on %s %s", request.method, request.path)
        return json_error_response("Internal server error.", "server.error", 500)
