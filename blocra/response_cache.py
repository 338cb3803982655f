"""Versioned response caching on the shared cache (CACHES["default"]), and strong ETags.

A namespace's entries are stored under its current *version*, a counter in the cache. A write that
changes what the cached answers show calls `changed()`: the version moves on once at once and once
more when the transaction commits, so no reader is ever served an entry stored under a version that
existed before the commit. A reader takes the version BEFORE it queries and stores its answer under
that version: an answer read from the database before a commit can only be stored under a version the
commit has already retired. A lost version key (eviction, a flushed Redis) restarts at a random number,
never at one used before. Entries carry a TTL only as a safety net.

The cache failing never fails a request: reads then go to the database, and the failure is logged
(a failed bump leaves entries to their TTL).
"""

import hashlib
import json
import logging
import secrets
import threading
from collections import OrderedDict
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.http import parse_etags

from blocra.clock import clock

logger = logging.getLogger("blocra.response_cache")

# A version nobody used before: a restart from 1 after the key was lost would revive old entries.
_VERSION_BITS = 62


class VersionedCache:
    """Entries of one namespace, all retired at once by `changed()`."""

    # Entries this process has read or stored lately, kept beside the shared cache: a hit then costs
    # only the version's read. Safe because an entry's key holds its version and versions are never
    # reused; each copy expires with the entry's TTL all the same.
    LOCAL_ENTRIES = 512

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.version_key = f"{namespace}:version"
        self._local: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._local_lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return bool(getattr(settings, "RESPONSE_CACHE_ENABLED", True))

    def version(self) -> int | None:
        """The current version (made when missing); None when the cache fails."""
        try:
            version = cache.get(self.version_key)
            if version is None:
                cache.add(self.version_key, secrets.randbits(_VERSION_BITS), None)
                version = cache.get(self.version_key)
        except Exception as exc:
            logger.warning("response cache %s: version not read: %r", self.namespace, exc)
            return None
        return version if isinstance(version, int) else None

    def bump(self) -> None:
        """Retire every entry stored under the current version."""
        try:
            try:
                cache.incr(self.version_key)
            except ValueError:  # no version yet (or lost): start at an unused one
                if not cache.add(self.version_key, secrets.randbits(_VERSION_BITS), None):
                    cache.incr(self.version_key)
        except Exception as exc:
            logger.error("response cache %s: version not bumped, entries live out their TTL: %r", self.namespace, exc)

    def changed(self, *, using: str | None = None) -> None:
        """A write on database `using` changes what this namespace's answers show: bump now (inside a
        transaction, readers stop serving what they stored) and again on commit (what readers stored
        meanwhile, read before the commit, is retired). A rolled-back write bumps only the first time:
        an extra miss, harmless. The commit bumps once however many writes the transaction made."""
        self.bump()
        connection = transaction.get_connection(using)
        if not connection.in_atomic_block:
            return  # autocommit: the write is committed already
        # One commit bump per transaction (a callback of a rolled-back savepoint is gone from the list).
        if not any(callback == self._bump_on_commit for _, callback, _ in connection.run_on_commit):
            transaction.on_commit(self._bump_on_commit, using=using)

    def _bump_on_commit(self) -> None:
        self.bump()

    def _key(self, version: int, key: str) -> str:
        return f"{self.namespace}:{version}:{key}"

    def get(self, version: int, key: str) -> Any:
        full_key = self._key(version, key)
        with self._local_lock:
            local = self._local.get(full_key)
            if local is not None:
                if local[0] > clock().monotonic():
                    self._local.move_to_end(full_key)
                    return local[1]
                del self._local[full_key]
        try:
            value = cache.get(full_key)
        except Exception as exc:
            logger.warning("response cache %s: entry not read: %r", self.namespace, exc)
            return None
        if value is not None:
            self._remember(full_key, value)
        return value

    def set(self, version: int, key: str, value: Any) -> None:
        full_key = self._key(version, key)
        try:
            cache.set(full_key, value, self._ttl())
        except Exception as exc:
            logger.warning("response cache %s: entry not stored: %r", self.namespace, exc)
            return
        self._remember(full_key, value)

    def _ttl(self) -> int:
        return int(getattr(settings, "RESPONSE_CACHE_TTL_SECONDS", 600))

    def _remember(self, full_key: str, value: Any) -> None:
        with self._local_lock:
            self._local[full_key] = (clock().monotonic() + self._ttl(), value)
            self._local.move_to_end(full_key)
            while len(self._local) > self.LOCAL_ENTRIES:
                self._local.popitem(last=False)


def key_digest(*parts: Any) -> str:
    """A short cache-key-safe digest of `parts` as JSON (a str enum counts as its value): equal parts,
    equal digest; 128 bits, so different parts never share one in practice."""
    text = json.dumps(parts, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def strong_etag(body: bytes, *extra: str) -> str:
    """A strong ETag of `body` and of headers that belong to the representation (`extra`)."""
    digest = hashlib.sha256(body)
    for part in extra:
        digest.update(b"\x00" + part.encode())
    return f'"{digest.hexdigest()[:40]}"'


def etag_matches(request: HttpRequest, etag: str) -> bool:
    """Whether If-None-Match names `etag` (weak comparison, as RFC 9110 asks for If-None-Match) or is `*`."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    candidates = parse_etags(header)
    return "*" in candidates or etag in {tag.removeprefix("W/") for tag in candidates}


def cacheable_response(body: bytes, etag: str, request: HttpRequest, headers: dict[str, str]) -> HttpResponse:
    """200 with `body` (JSON) and `headers`, or 304 without a body when If-None-Match names the ETag.
    Browsers may keep the answer but must ask again each time (`no-cache`); proxies must not keep it."""
    response: HttpResponse
    if etag_matches(request, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
        for name, value in headers.items():
            response[name] = value
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
