"""Live events of the bounty and reward services: each notification kind reaches its recipient's socket
(ws/notifications) through the real API path, nothing reaches it when the change rolls back, and the
watchers of a bounty (ws/bounties/{id}) see its status change and its deletion."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.models import Notification
from bounties.models import Bounty
from bounties.services import bounty_cancel, bounty_expire_due, participant_join, submission_create, submission_review
from tests.bounties.payouts import pay, payout, pending_reward, units
from tests.factories import BountyFactory, UserFactory
from tests.sockets import NOTHING, access_token, closed, in_thread, next_message, opened, refused

pytestmark = [pytest.mark.asyncio, pytest.mark.django_db(transaction=True)]

Kind = Notification.Kind
NOTIFICATIONS = "/ws/notifications"


class Rollback(Exception):
    """Raised after a change, inside its transaction, to undo it."""


def undone(change) -> None:
    with pytest.raises(Rollback), transaction.atomic():
        change()
        raise Rollback()


async def inbox_socket(user):
    socket, _ = await opened(NOTIFICATIONS, token=await in_thread(access_token, user))
    return socket


async def told(socket, kind: str) -> dict:
    message = await next_message(socket, "notification")
    assert message["notification"]["kind"] == kind, message
    return message["notification"]


# --- each event kind, live, to its recipient ----------------------------------------------------------


async def test_owner_is_told_live_of_a_join_and_a_submission(clients, bounty, owner, participant):
    socket = await inbox_socket(owner)

    joined = await in_thread(clients["participant"].post, f"/api/bounties/{bounty.pk}/join")
    submitted = await in_thread(
        clients["participant"].post, f"/api/bounties/{bounty.pk}/submit", {"content": "done"}, format="json"
    )

    assert (joined.status_code, submitted.status_code) == (201, 201)
    join = await told(socket, Kind.PARTICIPANT_JOINED)
    submission = await told(socket, Kind.SUBMISSION_RECEIVED)
    assert join["actor_id"] == submission["actor_id"] == participant.pk
    assert join["bounty_id"] == str(bounty.pk)
    assert submission["payload"] == {"bounty_title": bounty.title, "submission_id": submitted.json()["id"]}
    # the socket carries exactly what the inbox holds
    inbox = await in_thread(lambda: clients["owner"].get("/api/notifications").json())
    assert [join, submission] == list(reversed(inbox))
    await socket.disconnect()


@pytest.mark.parametrize("outcome", ["approved", "rejected"])
async def test_submitter_is_told_live_of_the_review(clients, bounty, participant, submission, outcome):
    socket = await inbox_socket(participant)

    response = await in_thread(
        clients["owner"].post,
        f"/api/bounties/{bounty.pk}/submissions/{submission.pk}/review",
        {"status": outcome},
        format="json",
    )

    assert response.status_code == 200
    reviewed = await told(socket, Kind.SUBMISSION_REVIEWED)
    assert reviewed["payload"]["status"] == outcome
    await socket.disconnect()


async def test_winner_is_told_live_with_the_reward(clients, bounty, participant, submission):
    socket = await inbox_socket(participant)

    response = await in_thread(
        clients["owner"].post, f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json"
    )

    assert response.status_code == 200
    won = await told(socket, Kind.WINNER_CHOSEN)
    assert won["payload"]["reward_id"] == response.json()["data"]["reward"]["id"]
    assert won["payload"]["amount"] == response.json()["data"]["reward"]["amount"]
    await socket.disconnect()


async def test_winner_is_told_live_of_the_verified_payout(clients, owner, participant, funded_chain):
    reward = await in_thread(pending_reward, owner=owner, winner=participant)
    tx_hash = pay(funded_chain, units("150.5"))
    socket = await inbox_socket(participant)

    response = await in_thread(payout, clients["owner"], reward, tx_hash)

    assert response.json()["status"] == "paid"
    paid = await told(socket, Kind.PAYOUT_VERIFIED)
    assert paid["payload"]["amount"] == "150.5"
    assert int(paid["payload"]["transaction_hash"], 16) == int(tx_hash, 16)
    await socket.disconnect()


async def test_participants_are_told_live_of_cancellation_and_expiry(clients, owner, participant):
    cancelled, expiring = await in_thread(lambda: [BountyFactory(created_by=owner) for _ in range(2)])
    for bounty in (cancelled, expiring):
        await in_thread(participant_join, bounty_id=bounty.pk, user=participant)
    socket = await inbox_socket(participant)

    await in_thread(clients["owner"].patch, f"/api/bounties/{cancelled.pk}", {"status": "cancelled"}, format="json")
    await in_thread(
        lambda: Bounty.objects.filter(pk=expiring.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    )
    await in_thread(bounty_expire_due)

    assert (await told(socket, Kind.BOUNTY_CANCELLED))["bounty_id"] == str(cancelled.pk)
    assert (await told(socket, Kind.BOUNTY_EXPIRED))["bounty_id"] == str(expiring.pk)
    await socket.disconnect()


async def test_actor_is_not_told_live_of_their_own_action(clients, bounty, owner, participant):
    socket = await inbox_socket(participant)

    await in_thread(clients["participant"].post, f"/api/bounties/{bounty.pk}/join")

    assert await socket.receive_nothing(timeout=NOTHING)
    await socket.disconnect()


# --- a rolled-back change sends nothing -----------------------------------------------------------------


async def test_rolled_back_changes_send_nothing(bounty, owner, participant):
    owner_socket = await inbox_socket(owner)
    participant_socket = await inbox_socket(participant)
    watcher, _ = await opened(f"/ws/bounties/{bounty.pk}")

    # when: each change is undone after it was written, inside its transaction
    await in_thread(undone, lambda: participant_join(bounty_id=bounty.pk, user=participant))
    await in_thread(participant_join, bounty_id=bounty.pk, user=participant)
    await told(owner_socket, Kind.PARTICIPANT_JOINED)  # the committed join: the sockets are live
    await in_thread(undone, lambda: submission_create(bounty_id=bounty.pk, user=participant, content="x"))
    submission = await in_thread(submission_create, bounty_id=bounty.pk, user=participant, content="y")
    await told(owner_socket, Kind.SUBMISSION_RECEIVED)
    await in_thread(
        undone,
        lambda: submission_review(bounty_id=bounty.pk, submission_id=submission.pk, actor=owner, status="rejected"),
    )
    await in_thread(undone, lambda: bounty_cancel(bounty_id=bounty.pk, actor=owner))

    # then: nothing more reached any socket
    assert await owner_socket.receive_nothing(timeout=NOTHING)
    assert await participant_socket.receive_nothing(timeout=NOTHING)
    assert await watcher.receive_nothing(timeout=NOTHING)
    for socket in (owner_socket, participant_socket, watcher):
        await socket.disconnect()


# --- watching one bounty ----------------------------------------------------------------------------


async def test_watcher_gets_the_bounty_state_then_its_status_changes(clients, bounty, owner, joined):
    other = await in_thread(BountyFactory, created_by=owner)
    watcher, ready = await opened(f"/ws/bounties/{bounty.pk}")  # anonymous: every bounty is public
    other_watcher, _ = await opened(f"/ws/bounties/{other.pk}")

    response = await in_thread(
        clients["owner"].patch, f"/api/bounties/{bounty.pk}", {"status": "cancelled"}, format="json"
    )

    assert ready["bounty"] == {
        "id": str(bounty.pk),
        "status": "open",
        "participant_count": 1,
        "updated_at": ready["bounty"]["updated_at"],
    }
    assert response.status_code == 200
    change = await next_message(watcher, "bounty.status")
    assert change == {
        "type": "bounty.status",
        "bounty_id": str(bounty.pk),
        "status": "cancelled",
        "previous_status": "open",
        "updated_at": change["updated_at"],
    }
    assert change["updated_at"] == response.json()["updated_at"]
    assert await other_watcher.receive_nothing(timeout=NOTHING)
    await watcher.disconnect()
    await other_watcher.disconnect()


async def test_watcher_sees_expiry(bounty):
    watcher, _ = await opened(f"/ws/bounties/{bounty.pk}")

    await in_thread(lambda: Bounty.objects.filter(pk=bounty.pk).update(deadline=timezone.now() - timedelta(seconds=1)))
    await in_thread(bounty_expire_due)

    assert (await next_message(watcher, "bounty.status"))["status"] == "expired"
    await watcher.disconnect()


async def test_watcher_is_told_of_the_deletion_and_closed(clients, bounty):
    watcher, _ = await opened(f"/ws/bounties/{bounty.pk}")

    response = await in_thread(clients["owner"].delete, f"/api/bounties/{bounty.pk}")

    assert response.status_code == 200
    messages, close = await closed(watcher)
    assert messages == [{"type": "bounty.deleted", "bounty_id": str(bounty.pk)}]
    assert close["code"] == 4404


async def test_watching_an_unknown_bounty_is_refused(db):
    error, close = await refused("/ws/bounties/8a2ae1a6-8a0f-4bd8-9a67-9d9b3c3c4e11")

    assert (error["code"], close["code"]) == ("bounties.not_found", 4404)


async def test_watcher_with_a_bad_token_is_refused_and_with_a_good_one_welcome(bounty, participant):
    good = await in_thread(access_token, participant)

    error, close = await refused(f"/ws/bounties/{bounty.pk}", token="not-a.jwt.at-all")
    watcher, ready = await opened(f"/ws/bounties/{bounty.pk}", token=good)

    assert (error["code"], close["code"]) == ("ws.invalid_token", 4401)
    assert ready["bounty"]["id"] == str(bounty.pk)
    await watcher.disconnect()


async def test_watchers_are_counted_per_address(bounty, settings):
    settings.WS_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS = 1
    path = f"/ws/bounties/{bounty.pk}"
    first, _ = await opened(path, client=("198.51.100.1", 1000))

    error, close = await refused(path, client=("198.51.100.1", 1001))
    elsewhere, _ = await opened(path, client=("198.51.100.2", 1000))

    assert (error["code"], close["code"]) == ("ws.too_many_connections", 4429)
    await first.disconnect()
    await elsewhere.disconnect()


async def test_bounty_socket_takes_no_fresh_token(bounty, participant):
    token = await in_thread(access_token, participant)
    watcher, _ = await opened(f"/ws/bounties/{bounty.pk}", token=token)

    await watcher.send_json_to({"type": "authenticate", "token": token})

    assert (await next_message(watcher, "error"))["code"] == "ws.unknown_type"
    await watcher.disconnect()


async def test_stranger_cannot_join_a_bounty_by_socket(bounty, stranger):
    """Sockets only listen: a client message that is no `ping` changes nothing."""
    watcher, _ = await opened(f"/ws/bounties/{bounty.pk}", token=await in_thread(access_token, stranger))

    await watcher.send_json_to({"type": "join", "bounty_id": str(bounty.pk)})

    assert (await next_message(watcher, "error"))["code"] == "ws.unknown_type"
    assert await in_thread(lambda: Bounty.objects.get(pk=bounty.pk).participant_count) == 0
    await watcher.disconnect()


async def test_users_are_never_told_of_strangers_events(clients, bounty, stranger):
    socket = await inbox_socket(stranger)

    await in_thread(clients["participant"].post, f"/api/bounties/{bounty.pk}/join")
    await in_thread(UserFactory)

    assert await socket.receive_nothing(timeout=NOTHING)
    await socket.disconnect()
