"""The sensitive rate limits hold exactly across the workers and threads of a live gunicorn: a burst of
concurrent failed sign-ins, and of feedback posts, admits exactly the limit and answers the rest 429
with Retry-After, with the counters in the SQLite cache file the workers share and in Redis.

(The global per-client ceiling, API_RATE_LIMIT, is approximate by design and off here.)"""

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from adminpanel.models import Feedback
from blocra.ratelimits import rate_window_end
from tests.faults.server import WAIT, Answer, Server, live_server, server_env
from tests.real_services import redis_url

pytestmark = pytest.mark.django_db(transaction=True)  # the server writes the test's database

WORKERS = 3
THREADS = 2
BURST = 30
LIMIT = 5
RATE, PERIOD = f"{LIMIT}/d", 86400
# Bursts from new clients until one was served by more than one worker (each burst must be exact).
MAX_BURSTS = 8


def quiet_clients() -> Iterator[str]:
    """Client addresses (sent as X-Forwarded-For by the loopback proxy the server trusts) whose window of
    RATE ends more than an hour from now, so that no burst straddles two windows (each key's windows are
    offset by a jitter of its own)."""
    now = time.time()
    for n in itertools.count(1):
        address = f"198.51.100.{n}"
        if rate_window_end(address, PERIOD, now) - now > 3600:
            yield address


def burst(server: Server, path: str, documents: list[dict], client: str) -> list[Answer]:
    """POST each document at once from `client`, one thread each, released together."""
    start = threading.Barrier(len(documents))
    answers: list[Answer] = []
    errors: list[BaseException] = []

    def send(document: dict) -> None:
        try:
            start.wait(timeout=WAIT)
            answers.append(server.post_json(path, document, **{"X-Forwarded-For": client}))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(document,)) for document in documents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT)
    assert not errors, errors
    assert len(answers) == len(documents)
    return answers


def workers_that_served(log: Path, path: str, client: str) -> set[int]:
    records = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    return {
        r["pid"]
        for r in records
        if r.get("logger") == "blocra.access" and r.get("path") == path and r.get("client_ip") == client
    }


def assert_exactly_limited(answers: list[Answer], admitted: tuple[int, str | None]) -> None:
    outcomes = sorted((answer.status, answer.code) for answer in answers)
    assert outcomes == sorted([admitted] * LIMIT + [(429, "request.rate_limited")] * (BURST - LIMIT))
    for answer in answers:
        if answer.status == 429:
            assert 1 <= int(answer.headers["retry-after"]) <= PERIOD


def bursts_until_spread(
    server: Server, path: str, documents: Callable[[int], list[dict]], admitted: tuple[int, str | None]
) -> int:
    """Bursts on `path`, each from a new client and each admitting exactly LIMIT, until one was served
    by several workers; how many were sent."""
    clients = quiet_clients()
    for attempt in range(1, MAX_BURSTS + 1):
        client = next(clients)
        assert_exactly_limited(burst(server, path, documents(attempt), client), admitted)
        if len(workers_that_served(server.log, path, client)) > 1:
            return attempt
    raise AssertionError(f"{MAX_BURSTS} bursts on {path}, each served by a single worker")


@pytest.fixture(params=["cache-file", "redis"])
def cache_env(request, tmp_path) -> dict[str, str]:
    """Where the server counts: the SQLite cache file its workers share, or Redis."""
    if request.param == "cache-file":
        return {"CACHE_SQLITE_PATH": str(tmp_path / "limits.db")}
    # A key prefix of its own: the test process clears this Redis database between tests, never during one.
    return {"REDIS_URL": redis_url(), "CACHE_KEY_PREFIX": f"fault-{uuid.uuid4().hex}"}


def test_sign_in_and_feedback_limits_admit_exactly_the_limit_across_workers(tmp_path, cache_env):
    # given: several workers with several threads each, counting in one shared store
    env = server_env(
        tmp_path,
        **cache_env,
        LOG_LEVEL="info",
        LOG_FORMAT="json",
        TRUSTED_PROXIES="127.0.0.1/32",
        LOGIN_RATE_LIMIT_IP=RATE,
        FEEDBACK_RATE_LIMIT=RATE,
    )
    with live_server(env, tmp_path / "gunicorn.log", workers=WORKERS, threads=THREADS) as server:
        # when: bursts of failed sign-ins, each attempt on an address of its own (only the client's limit
        # applies); then: exactly the limit fail as sign-ins, the rest are refused with Retry-After
        bursts_until_spread(
            server,
            "/api/auth/login",
            lambda b: [{"email": f"guess{b}-{n}@example.com", "password": "wrong"} for n in range(BURST)],
            (401, "auth.invalid_credentials"),
        )
        # and the same for feedback, of which exactly the limit per burst is stored
        sent = bursts_until_spread(
            server,
            "/api/feedback/submit",
            lambda b: [{"name": f"n{b}-{n}", "feedback": "hi"} for n in range(BURST)],
            (201, None),
        )
    assert Feedback.objects.count() == LIMIT * sent
