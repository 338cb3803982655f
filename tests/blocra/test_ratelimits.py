"""Fixed-window rate limits on the shared cache (blocra.ratelimits), with time from the app's clock."""

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from urllib.parse import urlparse

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import ActivityLog, WalletChallenge
from adminpanel.models import Feedback
from blocra.cache import SQLiteCache
from blocra.logging import RequestIdFilter
from blocra.ratelimits import RateLimitUnavailable, client_key, parse_rate, rate_limit_refund, rate_limit_usage
from tests.blocra.test_database import ROOT, sqlite_only
from tests.factories import TEST_PASSWORD, AdminFactory, BountyFactory, UserFactory
from tests.real_services import redis_url

pytestmark = pytest.mark.django_db


def request_from(address: str):
    return RequestFactory().get("/api/anything", REMOTE_ADDR=address)


@pytest.mark.parametrize(
    ("rate", "expected"), [("10/m", (10, 60)), ("2/3s", (2, 3)), ("100/h", (100, 3600)), ("5/2d", (5, 172800))]
)
def test_parse_rate_reads_count_and_period(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.parametrize("rate", ["", "10", "ten/m", "10/w", "10/m/s"])
def test_parse_rate_refuses_anything_else(rate):
    with pytest.raises(ValueError):
        parse_rate(rate)


def test_rate_limit_counts_within_a_window_and_starts_again_after_it(fake_clock):
    request = request_from("198.51.100.7")

    counts = [rate_limit_usage(request, group="t", key="ip", rate="3/m") for _ in range(4)]

    assert [usage.count for usage in counts] == [1, 2, 3, 4]
    assert [usage.should_limit for usage in counts] == [False, False, False, True]
    fake_clock.advance(counts[-1].time_left)
    assert rate_limit_usage(request, group="t", key="ip", rate="3/m").count == 1


def test_rate_limit_keeps_groups_and_clients_apart(fake_clock):
    first, second = request_from("198.51.100.7"), request_from("198.51.100.8")
    rate_limit_usage(first, group="login", key="ip", rate="1/m")

    assert rate_limit_usage(first, group="feedback", key="ip", rate="1/m").count == 1
    assert rate_limit_usage(second, group="login", key="ip", rate="1/m").count == 1
    assert rate_limit_usage(first, group="login", key="ip", rate="1/m").should_limit


def test_rate_limit_by_key_function(fake_clock):
    by_email = lambda group, request: "ada@example.com"  # noqa: E731
    rate_limit_usage(request_from("198.51.100.1"), group="email", key=by_email, rate="1/m")

    assert rate_limit_usage(request_from("198.51.100.2"), group="email", key=by_email, rate="1/m").should_limit


def test_rate_limit_counts_an_ipv6_client_as_its_64_network():
    assert client_key(request_from("2001:db8:1:2:aaaa::1")) == client_key(request_from("2001:db8:1:2:bbbb::9"))
    assert client_key(request_from("2001:db8:1:3::1")) != client_key(request_from("2001:db8:1:2::1"))
    assert client_key(request_from("198.51.100.7")) == "198.51.100.7"


def test_rate_limit_disabled_counts_nothing(settings):
    settings.RATELIMIT_ENABLE = False
    assert rate_limit_usage(request_from("198.51.100.7"), group="t", key="ip", rate="1/m") is None


def test_rate_limit_refund_takes_a_request_back_in_its_window(fake_clock):
    request = request_from("198.51.100.7")
    first = rate_limit_usage(request, group="t", key="ip", rate="2/m")
    second = rate_limit_usage(request, group="t", key="ip", rate="2/m")

    rate_limit_refund(second)

    assert (first.count, second.count) == (1, 2)
    assert rate_limit_usage(request, group="t", key="ip", rate="2/m").count == 2


def test_rate_limit_refund_after_the_window_leaves_the_next_window_alone(fake_clock):
    request = request_from("198.51.100.7")
    old = rate_limit_usage(request, group="t", key="ip", rate="2/m")
    fake_clock.advance(old.time_left)
    current = rate_limit_usage(request, group="t", key="ip", rate="2/m")

    rate_limit_refund(old)

    assert current.count == 1
    assert rate_limit_usage(request, group="t", key="ip", rate="2/m").count == 2


# --- The counter store: shared across processes, failing open or closed -----------------------------

_COUNTING_PROCESS = """
import json, sys
import django
django.setup()
from django.test import RequestFactory
from rest_framework_simplejwt.tokens import AccessToken
from blocra.clock import Clock, clock_replaced
from blocra.ratelimits import rate_limit_usage

class Frozen(Clock):
    def time(self):
        return float(sys.argv[1])

request = RequestFactory().get("/api/anything", REMOTE_ADDR="198.51.100.9")
print("ready", flush=True)
sys.stdin.readline()
with clock_replaced(Frozen()):
    usages = [rate_limit_usage(request, group=sys.argv[2], key="ip", rate="100/d") for _ in range(40)]
print(json.dumps([[usage.count, usage.should_limit] for usage in usages]), flush=True)
"""


@pytest.mark.parametrize("store", ["sqlite", "redis"])
def test_rate_limit_counts_across_processes(store, tmp_path):
    # given: three processes (as gunicorn's workers are) configured from the environment alone, all at
    # the same instant of the application's clock, so their 120 requests fall in one window
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "blocra.settings", "CACHE_SQLITE_PATH": str(tmp_path / "c.db")}
    env["REDIS_URL"] = redis_url() if store == "redis" else ""
    group = f"cross-process-{uuid.uuid4().hex}"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _COUNTING_PROCESS, str(time.time()), group],
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
        # when: they count against one limit at once
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        outputs = [process.communicate(timeout=120)[0] for process in processes]
    finally:
        for process in processes:
            process.kill()
    # then: no count is lost or given twice, and exactly the requests beyond the limit are refused
    usages = [tuple(usage) for output in outputs for usage in json.loads(output)]
    assert sorted(count for count, _ in usages) == list(range(1, 121))
    assert sorted(count for count, limited in usages if limited) == list(range(101, 121))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _break_the_store(kind: str, settings, tmp_path, request) -> None:
    """Point the rate limits at a store that really fails (the default cache keeps working):
    - sqlite_locked: the counter file's write lock is held by another connection past the busy timeout;
    - sqlite_no_directory: the counter file's directory cannot be made (a file stands in its way);
    - redis_closed_port: Redis on a port nothing listens on."""
    if kind == "sqlite_locked":
        path = tmp_path / "counters.db"
        SQLiteCache(str(path), {}).clear()  # the file and its table exist
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        request.addfinalizer(holder.close)
        store = {"BACKEND": "blocra.cache.SQLiteCache", "LOCATION": str(path), "OPTIONS": {"busy_timeout": 0.05}}
    elif kind == "sqlite_no_directory":
        (tmp_path / "a-file").write_text("")
        store = {"BACKEND": "blocra.cache.SQLiteCache", "LOCATION": str(tmp_path / "a-file" / "counters.db")}
    else:
        store = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    settings.CACHES = {**settings.CACHES, "counters": store}
    settings.RATELIMIT_USE_CACHE = "counters"


STORE_FAILURES = ["sqlite_locked", "sqlite_no_directory", "redis_closed_port"]


@pytest.fixture(params=STORE_FAILURES)
def broken_store(request, settings, tmp_path):
    _break_the_store(request.param, settings, tmp_path, request)
    return request.param


def _ratelimit_records(caplog) -> list[tuple[str, str]]:
    return [(record.levelname, record.request_id) for record in caplog.records if record.name == "blocra.ratelimits"]


def test_login_rate_limit_fails_closed_when_its_store_fails(client, settings, broken_store, caplog):
    # given: an account, and sign-in limits whose store fails
    UserFactory(email="ada@example.com", password=make_password("correct-horse-battery-staple"))
    caplog.handler.addFilter(RequestIdFilter())
    # when: the right password is sent
    response = client.post(
        "/api/auth/login",
        {"email": "ada@example.com", "password": "correct-horse-battery-staple"},
        content_type="application/json",
        HTTP_X_REQUEST_ID="login-store-down",
    )
    # then: refused with 503, not signed in, and logged as an error under the request id
    assert response.status_code == 503
    assert response.json()["code"] == "server.rate_limit_unavailable"
    assert "token" not in response.json()
    assert not ActivityLog.objects.filter(action="auth.login").exists()
    assert _ratelimit_records(caplog) == [("ERROR", "login-store-down")]


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/auth/google", {"token": "an.id.token"}),
        ("get", f"/api/auth/wallet/challenge?address=0x{'1' * 64}", None),
        ("post", "/api/auth/wallet", {"wallet_address": "0x" + "1" * 64, "nonce": "n", "signature": ["0x1", "0x2"]}),
        ("post", "/api/auth/email/resend", None),
        ("post", "/api/feedback/submit", {"name": "Ada", "feedback": "hello"}),
        ("post", "/api/contracts/analyze", {"contractAddress": "0x" + "1" * 64}),
    ],
)
def test_guarded_endpoints_fail_closed_when_their_store_fails(client, settings, tmp_path, request, method, path, body):
    # given: a signed-in user (the mail resend needs one), and the limits' store failing
    token = AccessToken.for_user(UserFactory(email="ada@example.com"))
    _break_the_store("sqlite_no_directory", settings, tmp_path, request)
    # when
    response = getattr(client, method)(
        path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    # then: refused before doing anything
    assert response.status_code == 503
    assert response.json()["code"] == "server.rate_limit_unavailable"
    assert not (ActivityLog.objects.exists() or Feedback.objects.exists() or WalletChallenge.objects.exists())
    assert mail.outbox == []


def test_admin_site_login_fails_closed_when_its_store_fails(client, settings, tmp_path, request):
    AdminFactory(email="root@example.com")
    _break_the_store("sqlite_no_directory", settings, tmp_path, request)

    response = client.post("/admin/login/", {"username": "root@example.com", "password": TEST_PASSWORD})

    assert response.status_code == 503
    assert b"cannot be checked against its limits" in response.content
    assert "_auth_user_id" not in client.session


def test_rate_limit_usage_fails_open_only_when_asked(settings, tmp_path, request):
    _break_the_store("sqlite_no_directory", settings, tmp_path, request)

    assert rate_limit_usage(request_from("198.51.100.7"), group="t", key="ip", rate="1/m", fail_open=True) is None
    with pytest.raises(RateLimitUnavailable):
        rate_limit_usage(request_from("198.51.100.7"), group="t", key="ip", rate="1/m")


def test_rate_limit_refund_lost_to_a_failing_store_leaves_the_request_counted(settings, tmp_path, request, caplog):
    # given: a request counted, then the store fails
    usage = rate_limit_usage(request_from("198.51.100.7"), group="t", key="ip", rate="2/m")
    _break_the_store("sqlite_no_directory", settings, tmp_path, request)
    # when: it is taken back
    rate_limit_refund(usage)
    # then: nothing is raised (the answer is decided already), and the loss is logged
    assert [record.levelname for record in caplog.records if record.name == "blocra.ratelimits"] == ["WARNING"]


# --- A write lock on the main database does not hold up the rate limits ------------------------------

LOCK_SECONDS = 5


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_reads_answer_while_a_writer_holds_the_sqlite_lock(live_server, settings):
    # given: the global ceiling on, a bounty to read, and another connection holding the main database's
    # write lock (BEGIN IMMEDIATE, a change not yet committed) for LOCK_SECONDS
    settings.API_RATE_LIMIT = "1000/m"
    bounty = BountyFactory()
    database = connection.settings_dict["NAME"]
    locked, released = threading.Event(), threading.Event()

    def writer():
        holder = sqlite3.connect(database, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("UPDATE bounties_bounty SET title = 'being edited'")
            locked.set()
            time.sleep(LOCK_SECONDS)  # the writer's work: what the reads must not wait for
            holder.execute("ROLLBACK")
        finally:
            holder.close()
            released.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(30)
        probe = sqlite3.connect(database, isolation_level=None, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            probe.execute("BEGIN IMMEDIATE")  # the lock is real: no other writer gets in
        probe.close()
        # when: reads come while the lock is held
        during = [get(live_server, path) for path in ["/api/bounties", f"/api/bounties/{bounty.pk}"] * 5]
        answered_while_locked = not released.is_set()
    finally:
        thread.join()
    after = [get(live_server, path) for path in ["/api/bounties", f"/api/bounties/{bounty.pk}"]]

    # then: every read was answered 200 (never 429, never a wait for the writer), and after it too
    assert [status for status, _ in during] == [200] * 10
    assert answered_while_locked
    assert during[1][1]["title"] == bounty.title  # the writer's change is not committed, so not seen
    assert [status for status, _ in after] == [200, 200]


def get(live_server, path: str) -> tuple[int, dict]:
    url = urlparse(live_server.url)
    http_connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    try:
        http_connection.request("GET", path)
        response = http_connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        http_connection.close()
