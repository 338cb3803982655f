"""Reaching the real services the suite needs (PostgreSQL, Redis, Node.js): skip with a reason outside CI,
fail in CI."""

import os
import socket
from urllib.parse import urlparse

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def require_service(name: str, reachable: bool, how: str) -> None:
    """Skip (or, under CI=true, fail) the calling test when a service it needs is not there."""
    if reachable:
        return
    message = f"{name} is not reachable ({how})"
    if IN_CI:
        pytest.fail(f"{message}; CI must provide it")
    pytest.skip(message)


def tcp_reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def redis_url() -> str:
    """REDIS_URL when set, else a scratch database of the local Redis, as this test worker's own
    database (`worker_redis_url`); skips or fails when absent."""
    url = worker_redis_url(os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL)
    require_service("Redis", tcp_reachable(url, 6379), url)
    return url


def worker_redis_url(url: str) -> str:
    """`url` moved to a Redis database of this pytest-xdist worker's own: tests clear the cache
    (FLUSHDB), which must not wipe what a test running in another worker just stored. Worker N uses
    database (base + N) mod 16."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parsed = urlparse(url)
    path = parsed.path.strip("/")
    base = int(path) if path.isdigit() else 0
    return parsed._replace(path=f"/{(base + int(worker[2:])) % 16}").geturl()
