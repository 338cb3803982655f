"""ws/notifications: who may open it (an access token as subprotocol, or a one-use ticket), who is refused
and with which close code, whose events it carries, and how a signed-in socket ends (its token expired,
its sessions signed out) or goes on (a fresh token)."""

from datetime import timedelta

import pytest
from django.db import transaction
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import Notification
from accounts.services.notifications import notification_create
from accounts.services.sessions import sessions_revoke_all
from blocra.consumers import SUBPROTOCOL
from tests.conftest import bearer_client
from tests.factories import NotificationFactory, UserFactory
from tests.sockets import ARRIVES, NOTHING, access_token, closed, communicator, in_thread, next_message, opened, refused

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

Kind = Notification.Kind
PATH = "/ws/notifications"


@pytest.fixture
def me(transactional_db):
    return UserFactory(username="me")


@pytest.fixture
def stranger(transactional_db):
    return UserFactory(username="stranger")


@pytest.fixture
def my_token(me) -> str:
    return access_token(me)


def tell(recipient, kind: str = Kind.PARTICIPANT_JOINED) -> Notification | None:
    """A notification written and committed the way the services write them."""
    with transaction.atomic():
        return notification_create(recipient_id=recipient.pk, kind=kind, payload={"bounty_title": "T"})


def ticket_for(user) -> str:
    response = bearer_client(user).post("/api/notifications/ticket")
    assert response.status_code == 201, response.content
    return response.json()["data"]["ticket"]


# --- opening ----------------------------------------------------------------------------------------


async def test_socket_opens_with_the_access_token_as_subprotocol_and_counts_unread(me, my_token):
    # given: two unread notifications and a read one
    await in_thread(lambda: [NotificationFactory(recipient=me) for _ in range(2)])
    await in_thread(NotificationFactory, recipient=me, read_at="2026-01-01T00:00:00Z")
    socket = communicator(PATH, token=my_token)

    connected, protocol = await socket.connect(timeout=ARRIVES)
    ready = await next_message(socket, "ready")

    assert (connected, protocol) == (True, SUBPROTOCOL)  # never the token echoed back
    assert ready["user_id"] == me.pk
    assert ready["unread_count"] == 2
    assert ready["expires_at"] == AccessToken(my_token)["exp"]
    await socket.disconnect()


async def test_socket_opens_with_a_ticket_once(me):
    ticket = await in_thread(ticket_for, me)

    socket, ready = await opened(f"{PATH}?ticket={ticket}", protocols=())
    error, close = await refused(f"{PATH}?ticket={ticket}", protocols=())

    assert ready["user_id"] == me.pk
    assert (error["code"], close["code"]) == ("ws.ticket_used", 4401)
    await socket.disconnect()


async def test_ticket_older_than_its_lifetime_is_refused(me, settings):
    ticket = await in_thread(ticket_for, me)
    settings.WS_TICKET_TTL_SECONDS = 0  # every ticket is older than that by the time it is used

    error, close = await refused(f"{PATH}?ticket={ticket}", protocols=())

    assert (error["code"], close["code"]) == ("ws.ticket_expired", 4401)


async def test_forged_ticket_is_refused(me):
    ticket = await in_thread(ticket_for, me)
    forged = ticket[:-2] + ("AA" if not ticket.endswith("AA") else "BB")

    error, close = await refused(f"{PATH}?ticket={forged}", protocols=())

    assert (error["code"], close["code"]) == ("ws.invalid_ticket", 4401)


# --- refused ----------------------------------------------------------------------------------------


async def test_socket_without_credentials_is_refused(me):
    error, close = await refused(PATH)

    assert (error["code"], close["code"], close["reason"]) == ("ws.not_authenticated", 4401, "ws.not_authenticated")


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda user: "not-a.jwt.at-all", id="garbage"),
        pytest.param(lambda user: str(AccessToken.for_user(user))[:-3] + "abc", id="forged signature"),
        pytest.param(
            lambda user: str(_expired(AccessToken.for_user(user))),
            id="expired",
        ),
        pytest.param(lambda user: str(RefreshToken.for_user(user)), id="refresh token"),
    ],
)
async def test_invalid_or_expired_token_is_refused(me, make_token):
    token = await in_thread(make_token, me)

    error, close = await refused(PATH, token=token)

    assert (error["code"], close["code"]) == ("ws.invalid_token", 4401)


def _expired(token: AccessToken) -> AccessToken:
    token.set_exp(lifetime=-timedelta(seconds=1))
    return token


async def test_token_of_signed_out_sessions_is_refused(me, my_token):
    await in_thread(sessions_revoke_all, user=me)

    error, close = await refused(PATH, token=my_token)

    assert (error["code"], close["code"]) == ("ws.credentials_revoked", 4401)


async def test_token_of_a_deactivated_user_is_refused(me, my_token):
    me.is_active = False
    await in_thread(me.save, update_fields=["is_active"])

    error, close = await refused(PATH, token=my_token)

    assert (error["code"], close["code"]) == ("ws.credentials_revoked", 4401)


async def test_token_and_ticket_together_are_refused(me, my_token):
    ticket = await in_thread(ticket_for, me)

    error, close = await refused(f"{PATH}?ticket={ticket}", token=my_token)

    assert (error["code"], close["code"]) == ("ws.credentials_ambiguous", 4400)


# --- whose events -----------------------------------------------------------------------------------


async def test_socket_carries_its_users_notifications_only(me, stranger, my_token):
    # given: my socket, and a stranger's that asks for my stream in the query
    mine, _ = await opened(PATH, token=my_token)
    stranger_token = await in_thread(access_token, stranger)
    theirs, ready = await opened(f"{PATH}?user={me.pk}&user_id={me.pk}", token=stranger_token)
    assert ready["user_id"] == stranger.pk

    # when: I am told something
    created = await in_thread(tell, me)

    # then: I get it, in the inbox's shape; the stranger gets nothing
    message = await next_message(mine, "notification")
    assert message["notification"]["id"] == created.pk
    assert message["notification"]["kind"] == Kind.PARTICIPANT_JOINED
    assert message["notification"]["read_at"] is None
    assert await theirs.receive_nothing(timeout=NOTHING)
    await mine.disconnect()
    await theirs.disconnect()


async def test_another_users_stream_has_no_path(me, stranger):
    stranger_token = await in_thread(access_token, stranger)

    error, close = await refused(f"{PATH}/{me.pk}", token=stranger_token)

    assert (error["code"], close["code"]) == ("ws.not_found", 4404)


async def test_marking_read_reaches_the_users_other_sockets(me, my_token):
    socket, _ = await opened(PATH, token=my_token)
    first = await in_thread(tell, me)
    await in_thread(tell, me)
    await next_message(socket, "notification")
    await next_message(socket, "notification")
    client = await in_thread(bearer_client, me)

    await in_thread(client.post, f"/api/notifications/{first.pk}/read")
    await in_thread(client.post, f"/api/notifications/{first.pk}/read")  # already read: nothing new
    await in_thread(client.post, "/api/notifications/read-all")
    await in_thread(client.post, "/api/notifications/read-all")  # nothing left unread: nothing new

    assert (await next_message(socket, "notification.read"))["id"] == first.pk
    assert (await next_message(socket, "notification.read_all"))["marked_read"] == 1
    assert await socket.receive_nothing(timeout=NOTHING)
    await socket.disconnect()


# --- how a signed-in socket ends ----------------------------------------------------------------------


async def test_signing_out_everywhere_closes_open_sockets(me, my_token):
    socket, _ = await opened(PATH, token=my_token)

    await in_thread(lambda: transaction.atomic()(sessions_revoke_all)(user=me))

    (error,), close = await closed(socket)
    assert (error["code"], close["code"]) == ("ws.session_revoked", 4401)


async def test_sessions_kept_by_a_credential_change_stay_open(me):
    # given: a socket of the session that changed a credential (its token names the session kept)
    token = AccessToken.for_user(me)
    token["sid"] = "kept-session"
    socket, _ = await opened(PATH, token=str(token))

    # when: the other sessions end
    await in_thread(sessions_revoke_all, user=me, keep_session="kept-session")

    # then: this one goes on
    assert await socket.receive_nothing(timeout=NOTHING)
    await socket.send_json_to({"type": "ping"})
    await next_message(socket, "pong")
    await socket.disconnect()


async def test_socket_closes_when_its_token_expires(me, my_token, fake_clock, settings):
    settings.WS_IDLE_TIMEOUT_SECONDS = 3600  # the client is not silent for too long meanwhile
    socket, ready = await opened(PATH, token=my_token)

    # the application's clock passes the token's expiry; the next message wakes the socket's watchdog
    fake_clock.advance(ready["expires_at"] - fake_clock.time() + 1)
    await socket.send_json_to({"type": "ping"})

    messages, close = await closed(socket)
    assert [m["code"] for m in messages if m["type"] == "error"] == ["ws.credentials_expired"]
    assert close["code"] == 4401


async def test_fresh_token_keeps_the_socket_open_past_the_old_expiry(me, my_token, fake_clock, settings):
    settings.WS_IDLE_TIMEOUT_SECONDS = 3600
    socket, ready = await opened(PATH, token=my_token)
    fake_clock.advance(600)
    fresh = AccessToken.for_user(me)
    fresh.set_exp(from_time=fresh.current_time + timedelta(seconds=600), lifetime=timedelta(minutes=15))

    await socket.send_json_to({"type": "authenticate", "token": str(fresh)})
    renewed = await next_message(socket, "authenticated")
    fake_clock.advance(ready["expires_at"] - fake_clock.time() + 1)  # past the first token's expiry
    await socket.send_json_to({"type": "ping"})

    assert renewed["expires_at"] == fresh["exp"] > ready["expires_at"]
    await next_message(socket, "pong")
    assert await socket.receive_nothing(timeout=NOTHING)
    await socket.disconnect()


async def test_another_users_token_cannot_take_over_a_socket(me, stranger, my_token):
    socket, _ = await opened(PATH, token=my_token)
    stranger_token = await in_thread(access_token, stranger)

    await socket.send_json_to({"type": "authenticate", "token": stranger_token})

    (error,), close = await closed(socket)
    assert (error["code"], close["code"]) == ("ws.other_user", 4403)


async def test_bad_fresh_token_ends_the_socket(me, my_token):
    socket, _ = await opened(PATH, token=my_token)

    await socket.send_json_to({"type": "authenticate", "token": "not-a.jwt.at-all"})

    (error,), close = await closed(socket)
    assert (error["code"], close["code"]) == ("ws.invalid_token", 4401)


async def test_one_user_may_hold_only_so_many_sockets(me, my_token, settings):
    settings.WS_MAX_CONNECTIONS_PER_USER = 2
    first, _ = await opened(PATH, token=my_token)
    second, _ = await opened(PATH, token=my_token)

    error, close = await refused(PATH, token=my_token)
    await first.disconnect()
    third, _ = await opened(PATH, token=my_token)  # the closed socket's slot is free again

    assert (error["code"], close["code"]) == ("ws.too_many_connections", 4429)
    await second.disconnect()
    await third.disconnect()
