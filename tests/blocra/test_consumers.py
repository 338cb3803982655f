"""What every socket shares (blocra.consumers): the subprotocol, client messages and their errors, the
message size and idle limits, unknown paths, and the client address behind a proxy."""

import logging

import pytest

from blocra.consumers import SUBPROTOCOL, handshake_credentials
from tests.factories import BountyFactory
from tests.sockets import ARRIVES, NOTHING, closed, communicator, next_message, opened, refused

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def path(transactional_db) -> str:
    """A socket anyone may open: a bounty's."""
    return f"/ws/bounties/{BountyFactory().pk}"


async def test_ping_is_answered_and_keeps_the_socket_open(path):
    socket, _ = await opened(path)

    for _ in range(3):
        await socket.send_json_to({"type": "ping"})
        await next_message(socket, "pong")

    assert await socket.receive_nothing(timeout=NOTHING)
    await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        pytest.param({"text_data": "{not json"}, "ws.invalid_json", id="not JSON"),
        pytest.param({"text_data": "[1, 2]"}, "ws.unknown_type", id="not an object"),
        pytest.param({"text_data": '{"kind": "ping"}'}, "ws.unknown_type", id="no type"),
        pytest.param({"text_data": '{"type": "subscribe"}'}, "ws.unknown_type", id="unknown type"),
        pytest.param({"text_data": '{"type": 7}'}, "ws.unknown_type", id="type not a string"),
        pytest.param({"bytes_data": b'{"type": "ping"}'}, "ws.binary_unsupported", id="binary"),
    ],
)
async def test_bad_message_is_answered_with_an_error_and_the_socket_goes_on(path, frame, code):
    socket, _ = await opened(path)

    await socket.send_to(**frame)
    error = await next_message(socket, "error")
    await socket.send_json_to({"type": "ping"})

    assert error["code"] == code and error["message"]
    await next_message(socket, "pong")
    await socket.disconnect()


async def test_message_over_the_size_limit_closes_the_socket(path, settings):
    settings.WS_MAX_MESSAGE_BYTES = 64
    socket, _ = await opened(path)
    at_limit = '{"type": "ping", "pad": "' + "x" * (64 - 27) + '"}'
    assert len(at_limit.encode()) == 64

    await socket.send_to(text_data=at_limit)
    await next_message(socket, "pong")
    await socket.send_to(text_data=at_limit[:-2] + 'é"}')  # 65 bytes in UTF-8, 64 characters

    messages, close = await closed(socket)
    assert [m["code"] for m in messages] == ["ws.message_too_big"]
    assert close["code"] == 1009


async def test_silent_client_is_closed_after_the_idle_timeout(path, settings):
    settings.WS_IDLE_TIMEOUT_SECONDS = 0.3
    socket, _ = await opened(path)

    messages, close = await closed(socket)

    assert [m["code"] for m in messages] == ["ws.idle_timeout"]
    assert (close["code"], close["reason"]) == (4408, "ws.idle_timeout")


async def test_pinging_client_outlives_the_idle_timeout(path, settings):
    settings.WS_IDLE_TIMEOUT_SECONDS = 0.5
    socket, _ = await opened(path)

    for _ in range(4):  # 0.8 s in all, a ping every 0.2 s
        assert await socket.receive_nothing(timeout=0.2)
        await socket.send_json_to({"type": "ping"})
        await next_message(socket, "pong")

    await socket.disconnect()


async def test_unknown_path_is_refused(db):
    for path in ("/ws/", "/ws/unknown", "/api/bounties", "/ws/bounties/not-a-uuid"):
        error, close = await refused(path)
        assert (error["code"], close["code"]) == ("ws.not_found", 4404), path


async def test_handshake_without_our_subprotocol_is_refused(path):
    socket = communicator(path, protocols=("graphql-ws",))

    connected, code = await socket.connect(timeout=ARRIVES)

    assert (connected, code) == (False, 4400)


async def test_handshake_without_subprotocols_is_accepted_without_one(path):
    socket = communicator(path, protocols=())

    connected, protocol = await socket.connect(timeout=ARRIVES)

    assert (connected, protocol) == (True, None)
    await next_message(socket, "ready")
    await socket.disconnect()


async def test_forwarded_address_counts_only_from_a_trusted_proxy(path, settings):
    settings.WS_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS = 1
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    proxy = ("127.0.0.1", 40000)
    untrusted = ("192.0.2.50", 40000)

    # behind the trusted proxy, two clients are two addresses
    first, _ = await opened(path, client=proxy, headers=[(b"x-forwarded-for", b"198.51.100.1")])
    second, _ = await opened(path, client=proxy, headers=[(b"x-forwarded-for", b"198.51.100.2")])
    # from any other peer the header means nothing: the peer is the address, whatever it claims
    third, _ = await opened(path, client=untrusted, headers=[(b"x-forwarded-for", b"198.51.100.3")])
    error, close = await refused(path, client=untrusted, headers=[(b"x-forwarded-for", b"198.51.100.4")])

    assert (error["code"], close["code"]) == ("ws.too_many_connections", 4429)
    for socket in (first, second, third):
        await socket.disconnect()


async def test_handshake_credentials_read_the_bearer_subprotocol_and_the_ticket():
    scope = {"subprotocols": [SUBPROTOCOL, "bearer.a.b.c"], "query_string": b"", "client": ("192.0.2.1", 1)}

    credentials = handshake_credentials(scope)
    with_ticket = handshake_credentials({**scope, "subprotocols": [SUBPROTOCOL], "query_string": b"ticket=xyz"})

    assert (credentials.token, credentials.ticket, credentials.address) == ("a.b.c", None, "192.0.2.1")
    assert (with_ticket.token, with_ticket.ticket) == (None, "xyz")


async def test_each_socket_ends_with_one_log_line(path, caplog):
    with caplog.at_level(logging.INFO, logger="blocra.realtime"):
        socket, _ = await opened(path)
        await socket.disconnect(code=1001)
        await refused("/ws/unknown")

    lines = [r for r in caplog.records if r.getMessage() == "ws.closed"]
    assert [(r.path, r.close_code, r.error) for r in lines] == [
        (path, 1001, None),
        ("/ws/unknown", 4404, "ws.not_found"),
    ]
    assert all(r.user_id is None and r.seconds >= 0 for r in lines)
