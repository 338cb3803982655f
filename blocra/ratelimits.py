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

The global ceiling (`ApiRateLimitMiddleware`, every /api request) is counted differently, so that it
costs no store write per request: each process counts in memory per (client, window) and adds what it
counted to the shared counter (one atomic `incr` by the delta) at most once a second per client, or as
soon as `batch` requests (a twentieth of the limit, at least 1) are pending; each decision uses the
store's count at the last sync plus this process's pending requests. A process admits at most `batch`
requests on one view of the store, which bounds what all of them admit in one window to

    limit + (processes - 1) x batch      (e.g. 600/m on 2 workers: at most 630; threads do not add)

where `processes` counts every gunicorn worker sharing the store (all machines on one Redis). It never
admits fewer than the limit: a view never exceeds the true count. Windows that have ended are pruned at
most once a second, and at most MAX_TRACKED_CLIENTS clients are tracked per process: beyond them (a
flood of distinct addresses) a client is counted in the store on each request, exactly, as the other
limits are. The sensitive limits (`enforce_rate_limit`: sign-in, wallet, feedback, analysis) are exact
across workers: one store increment per request, as described above.
"""

import contextlib
import functools
import hashlib
import ipaddress
import logging
import math
import re
import sqlite3
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

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


@functools.lru_cache(maxsize=64)
def parse_rate(rate: str) -> tuple[int, int]:
    """`"10/m"` -> (10, 60); `"2/3s"` -> (2, 3). Units s, m, h, d. Raises ValueError."""
    match = _RATE.match(rate.strip())
    if match is None:
        raise ValueError(f"A rate is like 10/m or 2/3s, not {rate!r}.")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _UNIT_SECONDS[unit]


def client_key(request: HttpRequest) -> str:
    """The client's address; an IPv6 client is its /64 network (one host owns many addresses)."""
    return _address_key(client_ip(request), settings.RATELIMIT_IPV6_MASK)


@functools.lru_cache(maxsize=4096)
def _address_key(address: str, ipv6_mask: int) -> str:
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{address}/{ipv6_mask}", strict=False).network_address)
    return address


@dataclass(frozen=True)
class _Window:
    """One client's fixed window of one limit: the store's key for its counter and when it ends."""

    cache_key: str
    end: int
    period: int


def rate_window_end(value: str, period: int, now: float) -> int:
    """When the fixed window of `period` seconds holding `now` ends for the key `value`: windows start at
    multiples of the period offset by a stable jitter of the key."""
    jitter = zlib.crc32(value.encode()) % period
    return (math.floor(now - jitter) // period + 1) * period + jitter


def _window(group: str, rate: str, value: str, period: int, end: int) -> _Window:
    digest = hashlib.sha256(f"{group}:{rate}:{value}".encode()).hexdigest()[:32]
    return _Window(cache_key=f"ratelimit:{digest}:{end}", end=end, period=period)


def _key_value(request: HttpRequest, group: str, key: str | KeyFunc) -> str:
    return client_key(request) if key == "ip" else key(group, request) if callable(key) else key


def rate_limit_usage(
    request: HttpRequest, *, group: str, key: str | KeyFunc, rate: str, fail_open: bool = False
) -> Usage | None:
    """Count this request against `rate` for `key` (`"ip"` or a function of group and request); None
    when rate limiting is disabled (RATELIMIT_ENABLE). When the counter store fails: None with a
    warning logged if `fail_open`, else RateLimitUnavailable (503)."""
    if not settings.RATELIMIT_ENABLE:
        return None
    limit, period = parse_rate(rate)
    now = clock().time()
    value = _key_value(request, group, key)
    window = _window(group, rate, value, period, rate_window_end(value, period, now))
    try:
        count = _count(window.cache_key, period)
    except store_errors() as exc:
        # The log line carries the request id (blocra.logging); the store's error says which store.
        if fail_open:
            logger.warning("rate limit %s not counted, request let through: store failed: %r", group, exc)
            return None
        logger.error("rate limit %s not counted, request refused (503): store failed: %r", group, exc)
        raise RateLimitUnavailable() from exc
    return Usage(count=count, limit=limit, time_left=max(1, math.ceil(window.end - now)), counter=window.cache_key)


def _count(cache_key: str, period: int, delta: int = 1) -> int:
    """Add `delta` to the window's counter, creating it; the new count. Atomic on every worker's shared
    store."""
    cache = caches[settings.RATELIMIT_USE_CACHE]
    if cache.add(cache_key, delta, period + _EXPIRY_SLACK):
        return delta
    try:
        return int(cache.incr(cache_key, delta))
    except ValueError:  # expired between the add and the increment: these requests open it again
        cache.add(cache_key, delta, period + _EXPIRY_SLACK)
        return delta


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


@dataclass
class _LocalWindow:
    """What one process knows of one client's window: the store's count at the last sync (every
    process's synced requests), this process's requests not yet added to it, and when to sync next."""

    window: _Window
    known: int = 0
    pending: int = 0
    # Monotonic time of the next sync due by time; 0: at the first request.
    sync_due: float = 0.0
    # After a failed sync, no attempt before this monotonic time, whatever is pending.
    retry_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class LocalRateLimiter:
    """A per-client ceiling counted in this process's memory and synced with the shared store (module
    docstring: the bound on over-admission). Thread-safe; one per process (the middleware's)."""

    SYNC_INTERVAL = 1.0
    BATCH_FRACTION = 20
    MAX_TRACKED_CLIENTS = 10_000
    PRUNE_INTERVAL = 1.0

    def __init__(self, group: str) -> None:
        self.group = group
        self._windows: dict[tuple[str, str, int], _LocalWindow] = {}
        self._lock = threading.Lock()
        self._prune_due = 0.0

    @staticmethod
    def batch(limit: int) -> int:
        """Pending requests that make a sync due at once: a twentieth of the limit, at least 1."""
        return max(1, limit // LocalRateLimiter.BATCH_FRACTION)

    def tracked(self) -> int:
        """How many (client, window) pairs this process holds in memory."""
        return len(self._windows)

    def usage(self, request: HttpRequest, *, rate: str) -> Usage | None:
        """Count this request for its client; None when rate limiting is disabled, or when the client
        is counted in the store alone (over MAX_TRACKED_CLIENTS) and the store fails (fail open)."""
        if not settings.RATELIMIT_ENABLE:
            return None
        limit, period = parse_rate(rate)
        now, monotonic = clock().time(), clock().monotonic()
        value = client_key(request)
        local = self._local_window(rate, value, period, now, monotonic)
        if local is None:  # too many clients tracked: this one is counted in the store, exactly
            return rate_limit_usage(request, group=self.group, key=lambda *_: value, rate=rate, fail_open=True)
        with local.lock:
            local.pending += 1
            if monotonic >= local.retry_at and (local.pending >= self.batch(limit) or monotonic >= local.sync_due):
                self._sync(local, monotonic)
            count = local.known + local.pending
        return Usage(count=count, limit=limit, time_left=max(1, math.ceil(local.window.end - now)))

    def _local_window(self, rate: str, value: str, period: int, now: float, monotonic: float) -> _LocalWindow | None:
        end = rate_window_end(value, period, now)
        key = (rate, value, end)
        with self._lock:
            if monotonic >= self._prune_due:
                self._prune(now, monotonic)
            local = self._windows.get(key)
            if local is None:
                if len(self._windows) >= self.MAX_TRACKED_CLIENTS:
                    return None
                local = self._windows[key] = _LocalWindow(_window(self.group, rate, value, period, end))
            return local

    def _prune(self, now: float, monotonic: float) -> None:
        """Forget windows that have ended (their counts decide nothing any more). Holds self._lock."""
        self._prune_due = monotonic + self.PRUNE_INTERVAL
        ended = [key for key, local in self._windows.items() if local.window.end <= now]
        for key in ended:
            del self._windows[key]

    def _sync(self, local: _LocalWindow, monotonic: float) -> None:
        """Add the pending requests to the store and learn its count. On failure the requests stay
        pending (counted locally: the process still refuses a client over the limit on its own) and the
        next attempt waits SYNC_INTERVAL. Holds local.lock."""
        try:
            local.known = _count(local.window.cache_key, local.window.period, local.pending)
        except store_errors() as exc:
            logger.warning("rate limit %s not synced, counted in this process alone: store failed: %r", self.group, exc)
            local.retry_at = monotonic + self.SYNC_INTERVAL
            return
        local.pending = 0
        local.sync_due = monotonic + self.SYNC_INTERVAL


class ApiRateLimitMiddleware:
    """A per-client ceiling on every /api request (`API_RATE_LIMIT`, e.g. `600/m`; empty turns it off),
    counted in memory and synced with the shared store (LocalRateLimiter; the module docstring bounds
    what it may admit beyond the limit).

    Endpoints that attract abuse (login, feedback, analytics) have tighter, exact limits of their own. It
    fails open: when the counter store fails, the request goes through and a warning is logged.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.limiter = LocalRateLimiter("api")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        rate = settings.API_RATE_LIMIT
        if rate and request.path_info.startswith("/api/") and not request.path_info.startswith("/api/health"):
            usage = self.limiter.usage(request, rate=rate)
            if usage and usage.should_limit:
                return json_error_response(
                    "Too many requests; slow down.",
                    "request.rate_limited",
                    429,
                    Retry_After=str(usage.time_left),
                )
        return self.get_response(request)
