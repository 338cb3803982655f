"""Rate limits on the shared cache (django-ratelimit), answered as 429 with Retry-After.

The cache is Redis when REDIS_URL is set and the database otherwise: either way every worker counts
against the same numbers.
"""

from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from rest_framework.exceptions import Throttled

from blocra.errors import json_error_response
from blocra.middleware import GetResponse

KeyFunc = Callable[[str, HttpRequest], str]


def rate_limit_usage(request: HttpRequest, *, group: str, key: str | KeyFunc, rate: str) -> dict[str, Any] | None:
    """Count this request against `rate` for `key`; None when rate limiting is disabled."""
    return cast(
        "dict[str, Any] | None", get_usage(request, group=group, key=key, rate=rate, method=ALL, increment=True)
    )


def enforce_rate_limit(request: HttpRequest, *, group: str, key: str | KeyFunc, rate: str) -> None:
    """Count this request and raise DRF's Throttled (429 with Retry-After) once over `rate`; an empty
    rate turns the limit off."""
    if not rate:
        return
    usage = rate_limit_usage(request, group=group, key=key, rate=rate)
    if usage and usage["should_limit"]:
        raise Throttled(wait=max(1, usage["time_left"]))


class ApiRateLimitMiddleware:
    """A per-client ceiling on every /api request (`API_RATE_LIMIT`, e.g. `600/m`; empty turns it off).

    Endpoints that attract abuse (login, feedback, analytics) have tighter limits of their own.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        rate = settings.API_RATE_LIMIT
        if rate and request.path_info.startswith("/api/") and not request.path_info.startswith("/api/health"):
            usage = rate_limit_usage(request, group="api", key="ip", rate=rate)
            if usage and usage["should_limit"]:
                return json_error_response(
                    "Too many requests; slow down.",
                    "request.rate_limited",
                    429,
                    Retry_After=str(max(1, usage["time_left"])),
                )
        return self.get_response(request)
