"""One error shape for every API failure: {"success": false, "message", "code", "errors"?}.

Domain errors subclass `ApiError` with a stable `code` (`<app>.<snake_case>`); tests assert on the
status and the code. DRF's own exceptions are mapped here, and anything unexpected becomes a 500
whose body says nothing about its cause.
"""

import logging
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import BadRequest as BadRequestError
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from blocra import starknet

logger = logging.getLogger("blocra.errors")


class ApiError(exceptions.APIException):
    """A domain error with an HTTP status, a stable code and a human message."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code = "request.invalid"
    message = "The request is invalid."
    # Seconds after which asking again may succeed, sent as Retry-After when set.
    retry_after: int | None = None

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        errors: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.message
        if code:
            self.code = code
        self.errors = errors
        # Further top-level fields of the error body (e.g. the id of a query recorded as failed).
        self.extra = extra or {}
        super().__init__(detail=self.message, code=self.code)


class BadRequest(ApiError):
    status_code = 400
    code = "request.invalid"
    message = "The request is invalid."


class Unauthorized(ApiError):
    status_code = 401
    code = "auth.not_authenticated"
    message = "Authentication credentials were not provided or are invalid."


class Forbidden(ApiError):
    status_code = 403
    code = "auth.forbidden"
    message = "You do not have permission to perform this action."


class NotFound(ApiError):
    status_code = 404
    code = "request.not_found"
    message = "Not found."


class Conflict(ApiError):
    status_code = 409
    code = "request.conflict"
    message = "The request conflicts with the current state."


class ServiceUnavailable(ApiError):
    status_code = 503
    code = "upstream.unavailable"
    message = "A service this request needs is unavailable; try again later."


class DatabaseUnavailable(ServiceUnavailable):
    """The database refused or lost the request: locked past the busy timeout, the connection cut,
    the server unreachable. Whatever the request wrote was rolled back with its transaction."""

    code = "server.database_unavailable"
    message = "The database is unavailable right now; try again shortly."
    retry_after = 5


# What Django raises when the database cannot serve a statement (locked, connection lost, server gone,
# a deadlock or serialization failure). Errors in the statement itself (IntegrityError, DataError,
# ProgrammingError) stay bugs or domain answers.
DATABASE_TROUBLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)


def database_unavailable_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """The 503 of a request the database could not serve, logged with its cause: the API's error shape
    under /api (and /health), a plain text page elsewhere (the admin site); with Retry-After."""
    logger.error("Database unavailable on %s %s: %r", request.method, request.path, exc, exc_info=exc)
    retry_after = str(DatabaseUnavailable.retry_after)
    response: HttpResponse
    if is_api_path(request):
        response = json_error_response(DatabaseUnavailable.message, DatabaseUnavailable.code, 503)
    else:
        response = HttpResponse(DatabaseUnavailable.message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = retry_after
    return response


class BadGateway(ApiError):
    status_code = 502
    code = "upstream.bad_gateway"
    message = "An upstream service answered incorrectly."


class GatewayTimeout(ApiError):
    status_code = 504
    code = "upstream.timeout"
    message = "An upstream service did not answer in time."


class StarknetUnavailable(ServiceUnavailable):
    code = "starknet.unavailable"
    message = starknet.NodeUnavailable.message


class StarknetBusy(ServiceUnavailable):
    code = "starknet.busy"
    message = starknet.NodeBusy.message


class StarknetTimeout(GatewayTimeout):
    code = "starknet.timeout"
    message = starknet.NodeTimeout.message


class StarknetBadGateway(BadGateway):
    code = "starknet.bad_gateway"
    message = starknet.NodeBadResponse.message


def starknet_trouble(exc: starknet.NodeError, *, extra: dict[str, Any] | None = None) -> ApiError:
    """Node trouble as the API answers it everywhere: 504 for a timeout, 503 for an unreachable or
    refusing node (or a skipped one: its circuit is open), 503 `starknet.busy` when this server runs as
    many chain calls as it allows, 502 for a wrong or malformed answer; with Retry-After when the client
    knows it. Never a domain answer like "not found".

    The exception handler applies it to every NodeError a view lets through; a caller needs it only to
    add fields to the body (`extra`)."""
    error: ApiError
    if isinstance(exc, starknet.NodeTimeout):
        error = StarknetTimeout(extra=extra)
    elif isinstance(exc, starknet.NodeBusy):
        error = StarknetBusy(extra=extra)
    elif isinstance(exc, starknet.NodeUnavailable):
        error = StarknetUnavailable(extra=extra)
    else:
        error = StarknetBadGateway(extra=extra)
    error.retry_after = exc.retry_after
    return error


def error_body(message: str, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"success": False, "message": message, "code": code}
    if errors:
        body["errors"] = errors
    return body


def _field_errors(detail: Any) -> dict[str, list[str]]:
    """Flatten DRF's nested validation detail into {"field": ["message", ...]}."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for field, value in detail.items():
            nested = _field_errors(value)
            if set(nested) == {"non_field_errors"}:
                out[str(field)] = nested["non_field_errors"]
            else:
                for key, field_messages in nested.items():
                    name = str(field) if key == "non_field_errors" else f"{field}.{key}"
                    out.setdefault(name, []).extend(field_messages)
        return out
    if isinstance(detail, list):
        messages: list[str] = []
        nested_out: dict[str, list[str]] = {}
        for index, item in enumerate(detail):
            if isinstance(item, dict | list) and item:
                for key, value in _field_errors(item).items():
                    nested_out.setdefault(f"{index}.{key}" if isinstance(item, dict) else key, []).extend(value)
            elif item:
                messages.append(str(item))
        if messages:
            nested_out.setdefault("non_field_errors", []).extend(messages)
        return nested_out
    return {"non_field_errors": [str(detail)]}


_DRF_CODES: list[tuple[type[Exception], int, str, str]] = [
    (exceptions.ParseError, 400, "request.malformed", "The request body could not be parsed: send valid JSON."),
    (exceptions.NotAuthenticated, 401, "auth.not_authenticated", "Authentication credentials were not provided."),
    (exceptions.AuthenticationFailed, 401, "auth.invalid_token", "The access token is invalid or expired."),
    (exceptions.PermissionDenied, 403, "auth.forbidden", "You do not have permission to perform this action."),
    (exceptions.NotFound, 404, "request.not_found", "Not found."),
    (exceptions.MethodNotAllowed, 405, "request.method_not_allowed", "This method is not allowed here."),
    (exceptions.NotAcceptable, 406, "request.not_acceptable", "The requested response format is not available."),
    (exceptions.UnsupportedMediaType, 415, "request.unsupported_media_type", "Send the body as application/json."),
    (exceptions.Throttled, 429, "request.rate_limited", "Too many requests; slow down."),
]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF exception handler producing the one error shape; None lets unexpected errors reach the 500 path."""
    headers: dict[str, str] = {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, starknet.NodeError):
        exc = starknet_trouble(exc)
    elif isinstance(exc, RequestDataTooBig):
        set_rollback()
        return Response(error_body("The request body is too large.", "request.too_large"), status=413)
    elif isinstance(exc, DATABASE_TROUBLE):
        logger.error("Database unavailable on %s: %r", context["request"].path, exc, exc_info=exc)
        exc = DatabaseUnavailable()

    status_code: int
    if isinstance(exc, ApiError):
        body = {**error_body(exc.message, exc.code, exc.errors), **exc.extra}
        status_code = exc.status_code
        if exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, exceptions.ValidationError):
        errors = _field_errors(exc.detail)
        body = error_body(_validation_message(errors), "request.validation_failed", errors)
        status_code = 400
    elif isinstance(exc, exceptions.APIException):
        status_code, code, message = exc.status_code, "request.error", str(exc.detail)
        for klass, mapped_status, mapped_code, mapped_message in _DRF_CODES:
            if isinstance(exc, klass):
                status_code, code, message = mapped_status, mapped_code, mapped_message
                break
        if isinstance(exc, exceptions.MethodNotAllowed):
            message = f"Method {context['request'].method} is not allowed here."
        wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
        if wait is not None:
            headers["Retry-After"] = str(max(1, int(wait + 0.999)))
        body = error_body(message, code)
    else:
        return None

    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    set_rollback()
    return Response(body, status=status_code, headers=headers)


def _validation_message(errors: dict[str, list[str]]) -> str:
    if not errors:
        return "The request is invalid."
    field, messages = next(iter(errors.items()))
    if field == "non_field_errors":
        return messages[0]
    return f"{field}: {messages[0]}" if len(errors) == 1 else f"Invalid input in {', '.join(errors)}."


def json_error_response(message: str, code: str, status_code: int, **headers: str) -> JsonResponse:
    response = JsonResponse(error_body(message, code), status=status_code)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def is_api_path(request: HttpRequest) -> bool:
    return is_api_route(request.path)


def is_api_route(path: str) -> bool:
    """Whether answers at `path` take the API's error shape: /api and below, and /health."""
    return path == "/api" or path.startswith("/api/") or path == "/health"


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request):
        return json_error_response("Not found.", "request.not_found", 404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """Django's answer to an exception nothing else handled (in a view or a middleware): a database that
    cannot serve is a 503 (see database_unavailable_response), anything else a 500."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_TROUBLE):
        return database_unavailable_response(request, error)
    if is_api_path(request):
        return json_error_response("Internal server error.", "server.error", 500)
    from django.views.defaults import server_error

    return server_error(request)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request):
        if isinstance(exception, RequestDataTooBig):
            return json_error_response("The request body is too large.", "request.too_large", 413)
        return json_error_response("Bad request.", "request.invalid", 400)
    if isinstance(exception, RequestDataTooBig):
        # The admin site's forms: Django would answer a 400 page; the status says what went wrong.
        return HttpResponse("The request body is too large.", status=413, content_type="text/plain; charset=utf-8")
    from django.views.defaults import bad_request

    return bad_request(request, exception or BadRequestError())


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api_path(request):
        return json_error_response("Forbidden.", "auth.forbidden", 403)
    from django.views.defaults import permission_denied

    return permission_denied(request, exception or DjangoPermissionDenied())


@csrf_exempt
def api_not_found(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """Every path under /api that no app serves: a JSON 404 for any method. Exempt from CSRF, which
    guards cookie sessions (the admin site), not this bearer-token API: an unknown path is a 404,
    never Django's "CSRF verification failed" page."""
    return json_error_response("Not found.", "request.not_found", 404)


def api_methods(*methods: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Plain Django views under /api: answer other methods with the JSON 405 (and `Allow`), exempt
    from CSRF like DRF's views (the API authenticates with bearer tokens, not cookies)."""
    allowed = {method.upper() for method in methods} | ({"HEAD"} if "GET" in methods else set())

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in allowed:
                return json_error_response(
                    f"Method {request.method} is not allowed here.",
                    "request.method_not_allowed",
                    405,
                    Allow=", ".join(sorted(allowed)),
                )
            return view(request, *args, **kwargs)

        return csrf_exempt(wrapped)

    return decorate


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: under /api the JSON 403 of the contract; elsewhere (the admin site) Django's page."""
    if is_api_path(request):
        return json_error_response("CSRF verification failed.", "auth.csrf_failed", 403)
    from django.views.csrf import csrf_failure as django_csrf_failure

    return django_csrf_failure(request, reason)
