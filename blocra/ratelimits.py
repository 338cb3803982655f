"""Rate limits on the shared cache, answered as 429 with Retry-After.

Fixed windows per (group, key): the count lives under a cache key named for the window, so a new
window starts a new count and expiry only cleans up. The cache is Redis when REDIS_URL is set, else a
SQLite file of its own (blocra.cache), never the main database: either way every worker counts
against the same numbers, and a writer holding the main database's lock cannot make a request wait
to be counted. Windows are read from the application's clock (`blocra.clock`). Each key's windows are
offset by a stable jitter, so the windows of many clients do not all reset at the same second.

The store may fail (Redis down, the cache file's disk full or its lock held past the busy timeout).
A limit then either fails open, letting the request through with a warning in the log (the global
ceiling: losing it for a while costs less than refusing every request), or fails closed, answering
503 `server.rate_limit_unavailable` (sign-in and the other limits that guard against guessing,
spam or costly work: their protection must not vanish with the store). Closed is the default. It is a
503, not a 429: the client did nothing wrong, and the 5xx shows on the operators' dashboards.
"""

import contextlib
import hashlib
import ipaddress
import logging
import math
import re
import sqlite3
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase
from rest_framework.exceptions import Throttled

from blocra.client_ip import client_ip
from blocra.clock import clock
from blocra.errors import ServiceUnavailable, json_error_response
from blocra.middleware import GetResponse

logger = logging.getLogger("blocra.ratelimits")

KeyFunc = Callable[[str, HttpRequest], str]


def store_errors() -> tuple[type[Exception], ...]:
    """What a failing counter store raises: the SQLite cache file (or its directory), a database cache,
    and Redis. RedisError is named only once the Redis client is loaded (the Redis cache loads it; none
    can be raised before), so that importing the app does not import the client (a slower start)."""
    redis_exceptions = sys.modules.get("redis.exceptions")
    redis_errors = (redis_exceptions.RedisError,) if redis_exceptions is not None else ()
    return (sqlite3.Error, OSError, DatabaseError, *redis_errors)


_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Counters outlive their window a little, so a slow request near its end still finds its count.
_EXPIRY_SLACK = 5


class RateLimitUnavailable(ServiceUnavailable):
    """The counter store failed and the limit fails closed: the request is refused, not counted."""

    code = "server.rate_limit_unavailable"
    message = "This request cannot be checked against its rate limit right now; try again shortly."


@dataclass(frozen=True)
class Usage:
    count: int
    limit: int
    # Whole seconds until the window ends (at least 1): the Retry-After of a refusal.
    time_left: int
    # The store's name for this window's counter, so `rate_limit_refund` can take the request back.
    counter: str = ""

    @property
    def should_limit(self) -> bool:
        return self.count > self.limit


def parse_rate(rate: str) -> tuple[int, int]:
    """`"10/m"` -> (10, 60); `"2/3s"` -> (2, 3). Units s, m, h, d. Raises ValueError."""
    match = _RATE.match(rate.strip())
    if match is None:
        raise ValueError(f"A rate is like 10/m or 2/3s, not {rate!r}.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


def client_key(request: HttpRequest) -> str:
    """The client's address; an IPv6 client is its /64 network (one host owns many addresses)."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{address}/{settings.RATELIMIT_IPV6_MASK}", strict=False).network_address)
    return address


def rate_window_end(value: str, period: int, now: float) -> int:
    """When the fixed window of `period` seconds holding `now` ends for the key `value`: windows start at
    multiples of the period offset by a stable jitter of the key."""
    jitter = zlib.crc32(value.encode()) % period
    return (math.floor(now - jitter) // period + 1) * period + jitter


def rate_limit_usage(
    request: HttpRequest, *, group: str, key: str | KeyFunc, rate: str, fail_open: bool = False
) -> Usage | None:
    """Count this request against `rate` for `key` (`"ip"` or a function of group and request); None
    when rate limiting is disabled (RATELIMIT_ENABLE). When the counter store fails: None with a
    warning logged if `fail_open`, else RateLimitUnavailable (503)."""
    if not settings.RATELIMIT_ENABLE:
        return None
    value = client_key(request) if key == "ip" else key(group, request) if callable(key) else key
    limit, period = parse_rate(rate)
    now = clock().time()
    window_end = rate_window_end(value, period, now)
    digest = hashlib.sha256(f"{group}:{rate}:{value}".encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{digest}:{window_end}"
    try:
        count = _count(cache_key, period)
    except store_errors() as exc:
        # The log line carries the request id (blocra.logging); the store's error says which store.
        if fail_open:
            logger.warning("rate limit %s not counted, request let through: store failed: %r", group, exc)
            return None
        logger.error("rate limit %s not counted, request refused (503): store failed: %r", group, exc)
        raise RateLimitUnavailable() from exc
    return Usage(count=count, limit=limit, time_left=max(1, math.ceil(window_end - now)), counter=cache_key)


def _count(cache_key: str, period: int) -> int:
    """Increment the window's counter, creating it at 1; atomic on every worker's shared store."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if cache.add(cache_key, 1, period + _EXPIRY_SLACK):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between the add and the increment: this request opens it again
        cache.add(cache_key, 1, period + _EXPIRY_SLACK)
        return 1


def enforce_rate_limit(
    request: HttpRequest, *, group: str, key: str | KeyFunc, rate: str, fail_open: bool = False
) -> None:
    """Count this request and raise DRF's Throttled (429 with Retry-After) once over `rate`; an empty
    rate turns the limit off. A failing store raises RateLimitUnavailable (503) unless `fail_open`."""
    if not rate:
        return
    usage = rate_limit_usage(request, group=group, key=key, rate=rate, fail_open=fail_open)
    if usage and usage.should_limit:
        raise Throttled(wait=usage.time_left)


def rate_limit_refund(usage: Usage) -> None:
    """Take back one request `rate_limit_usage` counted, in the window it was counted in: limits that
    count only some outcomes (failed sign-ins) count every attempt first, so that concurrent attempts
    cannot all slip under the limit, then take back the ones that turn out not to count."""
    if not usage.counter:
        return
    try:
        # ValueError: the window's counter has expired, nothing is left to take back.
        with contextlib.suppress(ValueError):
            caches[settings.RATELIMIT_USE_CACHE].decr(usage.counter)
    except store_errors() as exc:
        # The request stays counted: a refund lost errs on the safe side, and the answer is already decided.
        logger.warning("rate limit refund lost, the request stays counted: store failed: %r", exc)


class ApiRateLimitMiddleware:
    """A per-client ceiling on every /api request (`API_RATE_LIMIT`, e.g. `600/m`; empty turns it off).

    Endpoints that attract abuse (login, feedback, analytics) have tighter limits of their own. It fails
    open: when the counter store fails, the request goes through and a warning is logged.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        rate = settings.API_RATE_LIMIT
        if rate and request.path_info.startswith("/api/") and not request.path_info.startswith("/api/health"):
            usage = rate_limit_usage(request, group="api", key="ip", rate=rate, fail_open=True)
            if usage and usage.should_limit:
                return json_error_response(
                    "Too many requests; slow down.",
                    "request.rate_limited",
                    429,
                    Retry_After=str(usage.time_left),
                )
        return self.get_response(request)
