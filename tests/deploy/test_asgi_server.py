"""The production ASGI server (deploy/gunicorn_ws.conf.py, blocra.asgi_worker) live: two of them on the
test's database and one real Redis carry an event caused through one to a socket held by the other, and
the server itself answers the subprotocol and refuses an oversized message.

Both servers are the production command on their own loopback port (DEBUG off, one worker each); the
clients are real WebSocket clients (websockets' sync client) and plain HTTP."""

from __future__ import annotations

import functools
import http.client
import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from django.conf import settings
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from accounts.models import Notification
from blocra.asgi_worker import WS_PING_INTERVAL_SECONDS, uvicorn_options
from blocra.consumers import BEARER_PREFIX, SUBPROTOCOL
from blocra.realtime import Close
from tests.factories import BountyFactory, UserFactory
from tests.live_gunicorn import HOST, ROOT, asgi_server, free_port, production_env
from tests.real_services import redis_url
from tests.sockets import access_token

CONF = ROOT / "deploy" / "gunicorn_ws.conf.py"
# Seconds a message that must come may take (two servers and a suite on 2 busy cores); never a wait
# that decides the outcome.
ARRIVES = 20


def suite_redis_url() -> str:
    """The suite's Redis when it runs on one (its cache), else the local Redis' scratch database of this
    test worker; skips outside CI and fails in CI when there is none."""
    cache = settings.CACHES["default"]
    if cache["BACKEND"].endswith("RedisCache"):
        return str(cache["LOCATION"])
    return redis_url()


def api(port: int, method: str, path: str, *, token: str, body: dict | None = None) -> tuple[int, dict]:
    """One API request to the server on `port` as the token's user: (status, JSON body)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Host": "localhost"}
        connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    return response.status, json.loads(raw) if raw else {}


def socket(port: int, path: str, *, token: str | None = None) -> ClientConnection:
    """A WebSocket to the server on `port`, offering `blocra.v1` (and the token as `bearer.<JWT>`)."""
    subprotocols = [SUBPROTOCOL, *([f"{BEARER_PREFIX}{token}"] if token else [])]
    return connect(f"ws://{HOST}:{port}{path}", subprotocols=subprotocols, open_timeout=ARRIVES)


def receive(connection: ClientConnection) -> dict:
    return json.loads(connection.recv(timeout=ARRIVES))


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[int, int]]:
    """Two ASGI servers (A, B) on this test's database and the same Redis: their ports."""
    env = production_env(tmp_path, share_redis=True, GUNICORN_WS_WORKERS="1")
    env["REDIS_URL"] = suite_redis_url()
    ports = free_port(), free_port()
    with ExitStack() as stack:
        for name, port in zip("ab", ports, strict=True):
            directory = tmp_path / name
            directory.mkdir()
            stack.enter_context(asgi_server(env, bind=f"{HOST}:{port}", log=directory / "server.log"))
        yield ports


@pytest.mark.django_db(transaction=True)
def test_asgi_servers_carry_an_event_from_one_process_to_a_socket_on_another(two_servers):
    # given: a bounty; its owner listening on B to their notifications, and an anonymous watcher of the
    # bounty on B
    port_a, port_b = two_servers
    owner, hunter = UserFactory(), UserFactory()
    bounty = BountyFactory(created_by=owner)
    with (
        socket(port_b, "/ws/notifications", token=access_token(owner)) as inbox,
        socket(port_b, f"/ws/bounties/{bounty.pk}") as watcher,
    ):
        # the server answers the protocol's subprotocol, never the token
        assert inbox.subprotocol == SUBPROTOCOL
        assert watcher.subprotocol == SUBPROTOCOL
        assert receive(inbox)["type"] == "ready"
        ready = receive(watcher)
        assert ready["type"] == "ready"
        assert (ready["bounty"]["id"], ready["bounty"]["status"]) == (str(bounty.pk), "open")

        # when: a hunter joins through A
        status, body = api(port_a, "POST", f"/api/bounties/{bounty.pk}/join", token=access_token(hunter))

        # then: the owner's socket on B is told
        assert status == 201, body
        pushed = receive(inbox)
        assert pushed["type"] == "notification"
        assert pushed["notification"]["kind"] == Notification.Kind.PARTICIPANT_JOINED
        assert pushed["notification"]["id"] == Notification.objects.get(recipient=owner).pk

        # when: the owner cancels the bounty through A
        status, body = api(
            port_a, "PATCH", f"/api/bounties/{bounty.pk}", token=access_token(owner), body={"status": "cancelled"}
        )

        # then: the watcher on B sees the change of status
        assert status == 200, body
        change = receive(watcher)
        assert change["type"] == "bounty.status"
        assert (change["bounty_id"], change["status"], change["previous_status"]) == (
            str(bounty.pk),
            "cancelled",
            "open",
        )


@pytest.fixture
def one_server(tmp_path: Path) -> Iterator[int]:
    """One ASGI server on this test's database (its own cache file and in-memory channel layer)."""
    port = free_port()
    env = production_env(tmp_path, GUNICORN_WS_WORKERS="1")
    with asgi_server(env, bind=f"{HOST}:{port}", log=tmp_path / "server.log"):
        yield port


@pytest.mark.django_db(transaction=True)
def test_asgi_server_refuses_an_oversized_message_itself_with_1009(one_server):
    # given: a socket on a real bounty, and the largest message allowed, which is answered
    bounty = BountyFactory()
    limit = settings.WS_MAX_MESSAGE_BYTES
    with socket(one_server, f"/ws/bounties/{bounty.pk}") as watcher:
        assert watcher.subprotocol == SUBPROTOCOL
        assert receive(watcher)["type"] == "ready"
        largest = json.dumps({"type": "ping", "padding": ""})
        largest = json.dumps({"type": "ping", "padding": "x" * (limit - len(largest))})
        assert len(largest.encode()) == limit
        watcher.send(largest)
        assert receive(watcher) == {"type": "pong"}

        # when: one byte more
        watcher.send(largest[:-2] + 'x"}')
        with pytest.raises(ConnectionClosed) as closed:
            watcher.recv(timeout=ARRIVES)

    # then: closed with 1009 by the server, before the application saw the message (the consumer's own
    # refusal would have sent its `error` message first, and given its code as the reason)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == Close.MESSAGE_TOO_BIG
    assert closed.value.rcvd.reason != "ws.message_too_big"


def test_asgi_worker_options_follow_the_settings():
    options = uvicorn_options()

    assert options["ws_max_size"] == settings.WS_MAX_MESSAGE_BYTES
    assert options["proxy_headers"] is False  # blocra.consumers.scope_address reads X-Forwarded-For
    assert options["lifespan"] == "off"
    # The server's pings keep a quiet socket alive well within the idle timeout of the proxy and the app.
    assert WS_PING_INTERVAL_SECONDS < settings.WS_IDLE_TIMEOUT_SECONDS


@pytest.fixture
def load_conf(gunicorn_conf):
    """deploy/gunicorn_ws.conf.py's values as gunicorn reads them, under the given environment."""
    return functools.partial(gunicorn_conf, CONF)


def test_asgi_conf_defaults(load_conf):
    conf = load_conf()

    assert conf["bind"] == ["127.0.0.1:8001"]
    assert conf["worker_class"] == "blocra.asgi_worker.SocketWorker"
    assert conf["workers"] == 2
    assert conf["max_requests"] == 0  # a recycled worker would drop every socket it holds
    assert conf["preload_app"] is True
    assert conf["graceful_timeout"] == 30
    assert conf["proc_name"] == "blocra-ws"
    # gunicorn's hooks of /metrics' multiprocess mode, as for the API
    assert {"on_starting", "child_exit", "on_exit"} <= conf.keys()


def test_asgi_conf_reads_its_own_variables_and_the_shared_ones(load_conf):
    conf = load_conf(
        GUNICORN_WS_BIND="unix:/run/blocra/ws.sock",
        GUNICORN_WS_WORKERS="1",
        GUNICORN_BIND="127.0.0.1:9999",
        GUNICORN_WORKERS="7",
        GUNICORN_GRACEFUL_TIMEOUT="12",
        LOG_LEVEL="warn",
    )

    assert conf["bind"] == ["unix:/run/blocra/ws.sock"]
    assert conf["workers"] == 1
    assert conf["graceful_timeout"] == 12
    assert conf["loglevel"] == "warning"


def test_asgi_conf_refuses_a_worker_count_that_is_no_number(load_conf):
    with pytest.raises(RuntimeError, match="GUNICORN_WS_WORKERS"):
        load_conf(GUNICORN_WS_WORKERS="two")
