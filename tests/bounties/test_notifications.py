"""Inbox notifications written by the bounty and reward services: each event kind through the real
service path (mostly through the API), to whom, never to the actor, and nothing when the change rolls
back."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification
from bounties.models import Bounty
from bounties.services import (
    bounty_cancel,
    bounty_expire_due,
    participant_join,
    participant_leave,
    submission_create,
    submission_review,
)
from tests.bounties.payouts import padded, pay, payout, pending_reward, units
from tests.factories import AdminFactory, BountyFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind


class Rollback(Exception):
    """Raised after a change, inside its transaction, to undo it."""


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).order_by("id"))


def kinds(user) -> list[str]:
    return [notification.kind for notification in inbox(user)]


def notification_inserts(queries: CaptureQueriesContext) -> int:
    # The table's name quoted as this database quotes it (MySQL and MariaDB with backticks).
    insert = f"INSERT INTO {connection.ops.quote_name('accounts_notification')}"
    return sum(1 for query in queries.captured_queries if query["sql"].startswith(insert))


# --- participant joined, submission received: to the owner -----------------------------------------


def test_join_tells_the_owner_only(clients, bounty, owner, participant):
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/join")

    assert response.status_code == 201
    (notification,) = inbox(owner)
    assert notification.kind == Kind.PARTICIPANT_JOINED
    assert notification.actor_id == participant.pk
    assert notification.bounty_id == bounty.pk
    assert notification.payload == {"bounty_title": bounty.title}
    assert notification.read_at is None
    assert inbox(participant) == []


def test_rejoin_tells_the_owner_again(bounty, owner, participant, joined):
    participant_leave(bounty_id=bounty.pk, user=participant)

    participant_join(bounty_id=bounty.pk, user=participant)

    assert kinds(owner) == [Kind.PARTICIPANT_JOINED, Kind.PARTICIPANT_JOINED]


def test_refused_join_tells_nobody(clients, owner):
    full = BountyFactory(created_by=owner, max_participants=1)
    participant_join(bounty_id=full.pk, user=UserFactory())

    response = clients["stranger"].post(f"/api/bounties/{full.pk}/join")

    assert response.status_code == 409
    assert kinds(owner) == [Kind.PARTICIPANT_JOINED]  # the first, successful join only


def test_submission_tells_the_owner(clients, bounty, owner, participant, joined):
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", {"content": "done"}, format="json")

    assert response.status_code == 201
    notification = inbox(owner)[-1]
    assert notification.kind == Kind.SUBMISSION_RECEIVED
    assert notification.actor_id == participant.pk
    assert notification.payload == {"bounty_title": bounty.title, "submission_id": response.json()["id"]}
    assert inbox(participant) == []


# --- submission reviewed: to the submitter -----------------------------------------------------------


@pytest.mark.parametrize("outcome", ["approved", "rejected"])
def test_review_tells_the_submitter(clients, bounty, owner, participant, submission, outcome):
    response = clients["owner"].post(
        f"/api/bounties/{bounty.pk}/submissions/{submission.pk}/review", {"status": outcome}, format="json"
    )

    assert response.status_code == 200
    (notification,) = inbox(participant)
    assert notification.kind == Kind.SUBMISSION_REVIEWED
    assert notification.actor_id == owner.pk
    assert notification.payload == {
        "bounty_title": bounty.title,
        "submission_id": str(submission.pk),
        "status": outcome,
    }
    assert kinds(owner) == [Kind.PARTICIPANT_JOINED, Kind.SUBMISSION_RECEIVED]  # nothing for reviewing


def test_admin_reviewing_their_own_submission_is_not_told(clients, bounty, admin):
    # given: an admin takes part in someone else's bounty
    participant_join(bounty_id=bounty.pk, user=admin)
    own = submission_create(bounty_id=bounty.pk, user=admin, content="mine")

    # when: the admin reviews their own work (admins may review any bounty's submissions)
    response = clients["admin"].post(
        f"/api/bounties/{bounty.pk}/submissions/{own.pk}/review", {"status": "approved"}, format="json"
    )

    # then: the actor is never told about their own action
    assert response.status_code == 200
    assert inbox(admin) == []


def test_failed_review_tells_nobody(clients, bounty, participant, submission):
    clients["owner"].post(
        f"/api/bounties/{bounty.pk}/submissions/{submission.pk}/review", {"status": "rejected"}, format="json"
    )

    again = clients["owner"].post(
        f"/api/bounties/{bounty.pk}/submissions/{submission.pk}/review", {"status": "approved"}, format="json"
    )

    assert again.status_code == 409
    assert kinds(participant) == [Kind.SUBMISSION_REVIEWED]


# --- winner chosen and reward created: to the winner -------------------------------------------------


def test_winner_is_told_once_with_the_reward(clients, bounty, owner, participant, submission):
    response = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    repeated = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")

    assert response.status_code == repeated.status_code == 200
    reward = response.json()["data"]["reward"]
    (notification,) = inbox(participant)  # the repeated call returns the same reward and tells nobody
    assert notification.kind == Kind.WINNER_CHOSEN
    assert notification.actor_id == owner.pk
    assert notification.bounty_id == bounty.pk
    assert notification.payload == {
        "bounty_title": bounty.title,
        "reward_id": reward["id"],
        "amount": reward["amount"],
        "token": bounty.reward_token,
        "submission_id": str(submission.pk),
    }
    # completing the bounty tells its participants nothing more (only cancellation and expiry do)
    assert Kind.SUBMISSION_REVIEWED not in kinds(participant)


# --- payout verified: to the winner and the owner ---------------------------------------------------


def test_payout_paid_by_the_owner_tells_the_winner(clients, owner, participant, funded_chain):
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(funded_chain, units("150.5"))

    response = payout(clients["owner"], reward, tx_hash)

    assert response.json()["status"] == "paid"
    (notification,) = inbox(participant)
    assert notification.kind == Kind.PAYOUT_VERIFIED
    assert notification.actor_id == owner.pk
    assert notification.payload == {
        "bounty_title": reward.bounty.title,
        "reward_id": str(reward.pk),
        "amount": "150.5",
        "token": "STRK",
        "transaction_hash": padded(tx_hash),
    }
    assert inbox(owner) == []  # the owner acted


def test_payout_still_processing_tells_nobody(clients, owner, participant, funded_chain):
    reward = pending_reward(owner=owner, winner=participant)

    response = payout(clients["owner"], reward, pay(funded_chain, units("150.5"), finality="PRE_CONFIRMED"))

    assert response.json()["status"] == "processing"
    assert inbox(participant) == inbox(owner) == []


def test_payout_verified_by_the_system_tells_winner_and_owner_in_one_insert(clients, owner, participant, funded_chain):
    # given: a payout recorded while pre-confirmed, then accepted on chain
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(funded_chain, units("150.5"), finality="PRE_CONFIRMED")
    payout(clients["owner"], reward, tx_hash)
    funded_chain.accept(int(tx_hash, 16))

    # when: the timer's command checks it
    with CaptureQueriesContext(connection) as queries:
        call_command("verify_payouts", stdout=StringIO(), stderr=StringIO())

    # then: both are told, by the system (no actor), in one INSERT
    assert kinds(participant) == kinds(owner) == [Kind.PAYOUT_VERIFIED]
    assert inbox(participant)[0].actor_id is None
    assert inbox(owner)[0].payload["transaction_hash"] == padded(tx_hash)
    assert notification_inserts(queries) == 1


# --- bounty cancelled or expired: to its active participants ----------------------------------------


def test_cancel_tells_active_participants_in_one_insert(clients, bounty, owner, participant, joined):
    # given: two more participants, one of whom withdrew
    staying, leaving = UserFactory(), UserFactory()
    participant_join(bounty_id=bounty.pk, user=staying)
    participant_join(bounty_id=bounty.pk, user=leaving)
    participant_leave(bounty_id=bounty.pk, user=leaving)

    # when
    with CaptureQueriesContext(connection) as queries:
        response = clients["owner"].patch(f"/api/bounties/{bounty.pk}", {"status": "cancelled"}, format="json")

    # then
    assert response.status_code == 200
    assert kinds(participant) == kinds(staying) == [Kind.BOUNTY_CANCELLED]
    assert inbox(leaving) == []
    assert Kind.BOUNTY_CANCELLED not in kinds(owner)
    notification = inbox(participant)[0]
    assert notification.actor_id == owner.pk
    assert notification.payload == {"bounty_title": bounty.title, "status": "cancelled"}
    assert notification_inserts(queries) == 1


def test_cancel_without_participants_writes_nothing(clients, bounty):
    with CaptureQueriesContext(connection) as queries:
        response = clients["owner"].patch(f"/api/bounties/{bounty.pk}", {"status": "cancelled"}, format="json")

    assert response.status_code == 200
    assert notification_inserts(queries) == 0
    assert not Notification.objects.exists()


def test_admin_action_cancel_tells_participants_but_not_the_acting_admin(client, owner, participant):
    # given: two bounties, the acting admin takes part in the second
    admin = AdminFactory()
    first, second = BountyFactory(created_by=owner), BountyFactory(created_by=owner)
    participant_join(bounty_id=first.pk, user=participant)
    participant_join(bounty_id=second.pk, user=participant)
    participant_join(bounty_id=second.pk, user=admin)
    client.force_login(admin)

    # when: the admin site's bulk action cancels both (through bounty_cancel, one bounty at a time)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("admin:bounties_bounty_changelist"),
            {"action": "cancel_bounties", ACTION_CHECKBOX_NAME: [str(first.pk), str(second.pk)]},
        )

    # then: one INSERT per bounty, for all its participants but the admin who acted
    assert response.status_code == 302
    assert kinds(participant) == [Kind.BOUNTY_CANCELLED, Kind.BOUNTY_CANCELLED]
    assert inbox(admin) == []
    assert {n.actor_id for n in inbox(participant)} == {admin.pk}
    assert notification_inserts(queries) == 2


def test_expiry_tells_active_participants_in_one_insert_per_bounty(owner):
    # given: a bounty past its deadline with three participants, and one with none
    due = BountyFactory(created_by=owner, deadline=timezone.now() + timedelta(hours=1))
    hunters = UserFactory.create_batch(3)
    for hunter in hunters:
        participant_join(bounty_id=due.pk, user=hunter)
    empty = BountyFactory(created_by=owner, deadline=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=2)

    # when
    with CaptureQueriesContext(connection) as queries:
        expired = bounty_expire_due(now=later)

    # then: the three are told by the system, in one INSERT; the empty bounty writes none
    assert set(expired) == {due.pk, empty.pk}
    for hunter in hunters:
        (notification,) = inbox(hunter)
        assert (notification.kind, notification.actor_id, notification.bounty_id) == (Kind.BOUNTY_EXPIRED, None, due.pk)
        assert notification.payload == {"bounty_title": due.title, "status": "expired"}
    assert notification_inserts(queries) == 1
    assert Kind.BOUNTY_EXPIRED not in kinds(owner)


def test_expire_bounties_command_writes_through_the_service(owner, participant):
    due = BountyFactory(created_by=owner, deadline=timezone.now() + timedelta(hours=1))
    participant_join(bounty_id=due.pk, user=participant)
    Bounty.objects.filter(pk=due.pk).update(deadline=timezone.now() - timedelta(seconds=1))

    call_command("expire_bounties", stdout=StringIO())
    call_command("expire_bounties", stdout=StringIO())  # idempotent: nothing more

    assert kinds(participant) == [Kind.BOUNTY_EXPIRED]


# --- a rolled-back change leaves no notification ----------------------------------------------------


def _undone(change) -> None:
    with pytest.raises(Rollback), transaction.atomic():
        change()
        raise Rollback()


@pytest.mark.django_db(transaction=True)
def test_rolled_back_changes_leave_no_notification():
    # given: real transactions (not the test's wrapping one), a bounty with a participant's submission
    owner, participant = UserFactory(), UserFactory()
    bounty = BountyFactory(created_by=owner)

    # when: each change is undone after it was written, inside its transaction
    _undone(lambda: participant_join(bounty_id=bounty.pk, user=participant))
    assert not Notification.objects.exists()
    participant_join(bounty_id=bounty.pk, user=participant)
    Notification.objects.all().delete()
    _undone(lambda: submission_create(bounty_id=bounty.pk, user=participant, content="x"))
    submission = submission_create(bounty_id=bounty.pk, user=participant, content="y")
    Notification.objects.all().delete()
    _undone(lambda: submission_review(bounty_id=bounty.pk, submission_id=submission.pk, actor=owner, status="rejected"))
    _undone(lambda: bounty_cancel(bounty_id=bounty.pk, actor=owner))
    Bounty.objects.filter(pk=bounty.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    _undone(bounty_expire_due)

    # then: neither the changes nor their notifications are there
    assert not Notification.objects.exists()
    bounty.refresh_from_db()
    submission.refresh_from_db()
    assert (bounty.status, bounty.participant_count, submission.status) == (Bounty.Status.OPEN, 1, "pending")
