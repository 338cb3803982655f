"""The global per-client ceiling (blocra.ratelimits.ApiRateLimitMiddleware): counted in each process's
memory, synced with the shared store at most once a second per client or every `batch` requests, and
holding across processes within limit + (processes - 1) x batch."""

import json
import os
import random
import subprocess
import sys
import time
import uuid
import zlib

import pytest
from django.test import RequestFactory

from blocra.cache import SQLiteCache
from blocra.logging import RequestIdFilter
from blocra.ratelimits import LocalRateLimiter
from tests.blocra.counting_cache import CountingSQLiteCache
from tests.blocra.test_database import ROOT
from tests.blocra.test_ratelimits import _break_the_store
from tests.blocra.test_ratelimits import broken_store as broken_store  # a fixture
from tests.real_services import redis_url

pytestmark = pytest.mark.django_db

RATE = "100/m"  # batch: 5
LIMIT, BATCH = 100, 5


def request_from(address: str = "198.51.100.7"):
    return RequestFactory().get("/api/bounties", REMOTE_ADDR=address)


def into_window(fake_clock, address: str = "198.51.100.7", period: int = 60, seconds: int = 10) -> None:
    """Move the clock `seconds` into a window of `address`'s (windows are offset by a jitter per key), so
    that a test's next seconds stay in one window."""
    fake_clock.advance(period - (fake_clock.time() - zlib.crc32(address.encode()) % period) % period + seconds)


def counts(limiter: LocalRateLimiter, n: int, address: str = "198.51.100.7", rate: str = RATE) -> list[int]:
    return [limiter.usage(request_from(address), rate=rate).count for _ in range(n)]


def test_batch_is_a_twentieth_of_the_limit_and_at_least_one():
    assert [LocalRateLimiter.batch(limit) for limit in (1, 19, 20, 100, 600)] == [1, 1, 1, 5, 30]


def test_api_rate_limit_refuses_over_the_limit_with_retry_after(client, settings, fake_clock):
    # given: a ceiling of 40 a minute (batch 2)
    settings.API_RATE_LIMIT = "40/m"
    # when: 41 requests come within the window
    statuses = [client.get("/api/").status_code for _ in range(41)]
    # then: the 41st is refused, in the error shape, with the seconds left in the window
    assert statuses == [200] * 40 + [429]
    refused = client.get("/api/")
    assert refused.json()["code"] == "request.rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 60
    # and: a new window admits again
    fake_clock.advance(int(refused["Retry-After"]))
    assert client.get("/api/").status_code == 200


def test_api_rate_limit_writes_to_the_store_once_per_batch_not_per_request(client, settings, fake_clock, tmp_path):
    # given: a store that counts the writes made to it
    counting = {"BACKEND": "tests.blocra.counting_cache.CountingSQLiteCache", "LOCATION": str(tmp_path / "c.db")}
    settings.CACHES = {**settings.CACHES, "counters": counting}
    settings.RATELIMIT_USE_CACHE = "counters"
    settings.API_RATE_LIMIT = "600/m"  # batch: 30
    CountingSQLiteCache.writes = 0
    into_window(fake_clock, "127.0.0.1")
    # when: 61 requests come within one second
    assert [client.get("/api/").status_code for _ in range(61)] == [200] * 61
    # then: one sync at the first request, then one per 30 pending: 3 syncs, each one `add` (the first)
    # or one `add` refused and one `incr`
    assert CountingSQLiteCache.writes == 5
    # and: a second later, the next request syncs again
    fake_clock.advance(1)
    client.get("/api/")
    assert CountingSQLiteCache.writes == 7


def test_a_second_process_sees_only_what_the_first_has_synced(fake_clock):
    # given: two workers' limiters on one store
    first, second = LocalRateLimiter("api"), LocalRateLimiter("api")
    into_window(fake_clock)
    # when: the first counts 7 requests: synced at the 1st and the 6th (5 pending), the 7th pending
    assert counts(first, 7) == [1, 2, 3, 4, 5, 6, 7]
    # then: the second's first request syncs at once and sees the 6 synced, plus its own
    assert counts(second, 1) == [7]
    # and: a second later, the first's next request syncs (its 2 pending) and sees the second's
    fake_clock.advance(1)
    assert counts(first, 1) == [9]


def test_a_client_over_the_limit_on_one_worker_is_refused_by_another(fake_clock):
    first, second = LocalRateLimiter("api"), LocalRateLimiter("api")
    usages = [first.usage(request_from(), rate=RATE) for _ in range(LIMIT + 1)]
    assert [usage.should_limit for usage in usages] == [False] * LIMIT + [True]
    assert second.usage(request_from(), rate=RATE).should_limit


@pytest.mark.parametrize("workers", [2, 3])
@pytest.mark.parametrize("seed", range(5))
def test_api_rate_limit_across_workers_stays_within_the_documented_bound(fake_clock, workers, seed):
    # given: several workers' limiters on one store, one client's requests spread among them at random,
    # within one second (no sync falls due by time: the worst case)
    limiters = [LocalRateLimiter("api") for _ in range(workers)]
    spread = random.Random(seed)
    # when: three times the limit comes
    admitted = sum(not spread.choice(limiters).usage(request_from(), rate=RATE).should_limit for _ in range(3 * LIMIT))
    # then: at least the limit is admitted, and at most limit + (workers - 1) x batch
    assert LIMIT <= admitted <= LIMIT + (workers - 1) * BATCH


def test_api_rate_limit_worst_case_admits_beyond_the_limit_within_the_bound(fake_clock):
    # The worst case: one worker holds batch - 1 requests pending, unseen, while the other reaches the limit.
    first, second = LocalRateLimiter("api"), LocalRateLimiter("api")
    counts(first, 1)  # synced at once
    counts(second, 1)  # synced at once: the store holds 2
    counts(first, BATCH - 1)  # pending, unseen by the second
    admitted_by_second = sum(not second.usage(request_from(), rate=RATE).should_limit for _ in range(LIMIT))
    admitted_by_first = sum(not first.usage(request_from(), rate=RATE).should_limit for _ in range(LIMIT))
    assert 2 + (BATCH - 1) + admitted_by_second + admitted_by_first <= LIMIT + BATCH
    assert 2 + (BATCH - 1) + admitted_by_second + admitted_by_first > LIMIT


def test_api_rate_limit_forgets_ended_windows(fake_clock):
    # given: five clients counted
    limiter = LocalRateLimiter("api")
    for n in range(5):
        counts(limiter, 1, address=f"198.51.100.{n}")
    assert limiter.tracked() == 5
    # when: every window has ended (a window is at most the period long), and one more request comes
    fake_clock.advance(61)
    counts(limiter, 1, address="198.51.100.99")
    # then: only the new window is held
    assert limiter.tracked() == 1


def test_api_rate_limit_tracks_a_bounded_number_of_clients_and_counts_the_rest_exactly(fake_clock):
    # given: room for three clients in memory
    limiter, other = LocalRateLimiter("api"), LocalRateLimiter("api")
    limiter.MAX_TRACKED_CLIENTS = 3
    # when: ten clients come, the last three times
    for n in range(10):
        counts(limiter, 1, address=f"198.51.100.{n}")
    counts(limiter, 2, address="198.51.100.9")
    # then: memory holds three, and the others are counted in the store on each request, exactly
    assert limiter.tracked() == 3
    assert counts(other, 1, address="198.51.100.9") == [4]
    assert counts(limiter, 1, address="198.51.100.9") == [5]


def test_api_rate_limit_fails_open_syncing_once_a_second_and_counting_locally(
    client, settings, broken_store, caplog, fake_clock
):
    # given: a ceiling of three a minute (batch 1: every request syncs), on a store that fails
    settings.API_RATE_LIMIT = "3/m"
    into_window(fake_clock, "127.0.0.1")
    caplog.handler.addFilter(RequestIdFilter())
    # when: five requests come within a second
    statuses = [client.get("/api/bounties", HTTP_X_REQUEST_ID=f"down-{n}").status_code for n in range(5)]
    # then: the first three are served; this process still counts, so the next ones are refused
    assert statuses == [200, 200, 200, 429, 429]
    # and: one warning, for the first request: the next attempt waits a second
    records = [(r.levelname, r.request_id) for r in caplog.records if r.name == "blocra.ratelimits"]
    assert records == [("WARNING", "down-0")]
    fake_clock.advance(1)
    client.get("/api/bounties", HTTP_X_REQUEST_ID="down-later")
    records = [(r.levelname, r.request_id) for r in caplog.records if r.name == "blocra.ratelimits"]
    assert records == [("WARNING", "down-0"), ("WARNING", "down-later")]


def test_api_rate_limit_resyncs_pending_requests_once_the_store_is_back(settings, tmp_path, request, fake_clock):
    # given: a limiter whose store fails for its first 3 requests
    limiter, other = LocalRateLimiter("api"), LocalRateLimiter("api")
    into_window(fake_clock)
    working = settings.CACHES
    _break_the_store("sqlite_no_directory", settings, tmp_path, request)
    assert counts(limiter, 3) == [1, 2, 3]
    # when: the store works again and a second has passed
    settings.CACHES, settings.RATELIMIT_USE_CACHE = working, "default"
    fake_clock.advance(1)
    counts(limiter, 1)
    # then: all four were added to the store
    assert counts(other, 1) == [5]


# --- Real processes, as gunicorn's workers are ---------------------------------------------------------

_WORKER = """
import json, sys
import django
django.setup()
from django.test import RequestFactory
from blocra.clock import Clock, clock_replaced
from blocra.ratelimits import LocalRateLimiter

class Frozen(Clock):
    def time(self):
        return float(sys.argv[1])
    def monotonic(self):
        return 0.0

limiter = LocalRateLimiter(sys.argv[2])
request = RequestFactory().get("/api/bounties", REMOTE_ADDR="198.51.100.9")
print("ready", flush=True)
sys.stdin.readline()
with clock_replaced(Frozen()):
    print(json.dumps([limiter.usage(request, rate=sys.argv[3]).should_limit for _ in range(200)]), flush=True)
"""


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_api_rate_limit_holds_across_processes_within_the_bound(store, tmp_path):
    # given: three processes at one frozen instant (no sync falls due by time), on one store
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "blocra.settings", "CACHE_SQLITE_PATH": str(tmp_path / "c.db")}
    env["REDIS_URL"] = redis_url() if store == "redis" else ""
    group = f"api-{uuid.uuid4().hex}"
    SQLiteCache(env["CACHE_SQLITE_PATH"], {}).clear()  # the file exists before three processes open it
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(time.time()), group, RATE],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        # when: 600 requests of one client come at once, 200 to each
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=120)[0] for process in processes]
    finally:
        for process in processes:
            process.kill()
    # then: the limit is admitted, and no more than limit + (processes - 1) x batch
    admitted = sum(not limited for output in outputs for limited in json.loads(output))
    assert LIMIT <= admitted <= LIMIT + 2 * BATCH
