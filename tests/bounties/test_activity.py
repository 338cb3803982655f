"""Every bounty, submission and reward change leaves one activity row, written with the change, by
whom (the system for expiry), on what, from where; a moderation (an admin acting on another's
bounty) says so. A change that fails leaves no row."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import ActivityLog
from bounties.models import Bounty, Reward
from tests.activity import activity_row, traced
from tests.bounties.payouts import padded, pay, pending_reward, units
from tests.factories import BountyFactory
from tests.starknet_node import STRK

pytestmark = pytest.mark.django_db

CREATE = {
    "title": "Audit the vault",
    "description": "Find what is wrong with it.",
    "reward_amount": "100",
    "reward_token": "STRK",
    "difficulty": "advanced",
    "category": "development",
}


def test_activity_bounty_create_update_cancel_delete(owner, clients):
    created = clients["owner"].post("/api/bounties", CREATE, format="json", **traced("req-b-1"))
    assert created.status_code == 201, created.content
    bounty_id = created.json()["id"]
    updated = clients["owner"].patch(
        f"/api/bounties/{bounty_id}", {"title": "Audit the vault, again"}, format="json", **traced("req-b-2")
    )
    cancelled = clients["owner"].patch(
        f"/api/bounties/{bounty_id}", {"status": "cancelled"}, format="json", **traced("req-b-3")
    )
    deleted = clients["owner"].delete(f"/api/bounties/{bounty_id}", **traced("req-b-4"))

    assert [r.status_code for r in (created, updated, cancelled, deleted)] == [201, 200, 200, 200]
    common = {"actor": owner, "target_type": "bounty", "target_id": bounty_id}
    activity_row("bounty.created", **common, request_id="req-b-1", metadata={"status": "open"})
    activity_row("bounty.updated", **common, request_id="req-b-2", metadata={"fields": ["title"]})
    changed = activity_row(
        "bounty.status_changed", **common, request_id="req-b-3", metadata={"from": "open", "to": "cancelled"}
    )
    removed = activity_row(
        "bounty.deleted", **common, request_id="req-b-4", metadata={"title": "Audit the vault, again"}
    )
    # The owner acting on their own bounty is no moderation.
    assert "moderation" not in changed.metadata
    assert "moderation" not in removed.metadata


def test_activity_bounty_join_leave_submit_review(bounty, participant, owner, clients):
    joined = clients["participant"].post(f"/api/bounties/{bounty.pk}/join", **traced("req-p-1"))
    submitted = clients["participant"].post(
        f"/api/bounties/{bounty.pk}/submit", {"content": "https://example.com/pr/1"}, format="json", **traced("req-p-2")
    )
    submission_id = submitted.json()["id"]
    reviewed = clients["owner"].post(
        f"/api/bounties/{bounty.pk}/submissions/{submission_id}/review",
        {"status": "rejected", "feedback": "Not yet."},
        format="json",
        **traced("req-p-3"),
    )
    left = clients["participant"].post(f"/api/bounties/{bounty.pk}/leave", **traced("req-p-4"))

    assert [r.status_code for r in (joined, submitted, reviewed, left)] == [201, 201, 200, 200]
    on_bounty = {"target_type": "bounty", "target_id": bounty.pk}
    activity_row("bounty.joined", actor=participant, **on_bounty, request_id="req-p-1")
    activity_row(
        "submission.created",
        actor=participant,
        target_type="submission",
        target_id=submission_id,
        request_id="req-p-2",
        metadata={"bounty_id": str(bounty.pk), "replaced": False},
    )
    review = activity_row(
        "submission.reviewed",
        actor=owner,
        target_type="submission",
        target_id=submission_id,
        request_id="req-p-3",
        metadata={"bounty_id": str(bounty.pk), "status": "rejected"},
    )
    assert "moderation" not in review.metadata
    activity_row("bounty.left", actor=participant, **on_bounty, request_id="req-p-4")


def test_activity_winner_creates_the_reward_row(bounty, submission, owner, participant, clients):
    response = clients["owner"].post(
        f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json", **traced("req-win")
    )

    assert response.status_code == 200
    reward = Reward.objects.get(bounty=bounty)
    activity_row(
        "reward.created",
        actor=owner,
        target_type="reward",
        target_id=reward.pk,
        request_id="req-win",
        metadata={
            "bounty_id": str(bounty.pk),
            "winner_id": participant.pk,
            "submission_id": str(submission.pk),
            "submission_approved": True,
        },
    )
    # The lifecycle's two steps are logged too, in the same request.
    steps = ActivityLog.objects.filter(action="bounty.status_changed", request_id="req-win").order_by("id")
    assert [(row.metadata["from"], row.metadata["to"]) for row in steps] == [
        ("open", "in_review"),
        ("in_review", "completed"),
    ]


def test_activity_bounty_expiry_is_logged_without_an_actor(owner):
    bounty = BountyFactory(created_by=owner)
    Bounty.objects.filter(pk=bounty.pk).update(deadline=timezone.now() - timedelta(minutes=1))

    call_command("expire_bounties", stdout=StringIO())

    row = ActivityLog.objects.get(action="bounty.status_changed", target_id=str(bounty.pk))
    assert (row.actor, row.target_type, row.metadata) == (None, "bounty", {"from": "open", "to": "expired"})
    # A job has no request: no address, agent or request id.
    assert (row.ip_address, row.user_agent, row.request_id) == (None, "", "")


def test_activity_admin_moderation_is_marked(bounty, submission, admin, clients):
    # given: an admin acting on a bounty someone else created, through the API
    updated = clients["admin"].patch(
        f"/api/bounties/{bounty.pk}", {"description": "Moderated."}, format="json", **traced("req-m-1")
    )
    reviewed = clients["admin"].post(
        f"/api/bounties/{bounty.pk}/submissions/{submission.pk}/review",
        {"status": "rejected"},
        format="json",
        **traced("req-m-2"),
    )
    cancelled = clients["admin"].patch(
        f"/api/bounties/{bounty.pk}", {"status": "cancelled"}, format="json", **traced("req-m-3")
    )

    # then: the usual rows, with the admin as actor and marked as moderation
    assert [r.status_code for r in (updated, reviewed, cancelled)] == [200, 200, 200]
    on_bounty = {"actor": admin, "target_type": "bounty", "target_id": bounty.pk}
    moderation = {"moderation": True}
    activity_row("bounty.updated", **on_bounty, request_id="req-m-1", metadata=moderation)
    activity_row(
        "submission.reviewed",
        actor=admin,
        target_type="submission",
        target_id=submission.pk,
        request_id="req-m-2",
        metadata=moderation,
    )
    activity_row("bounty.status_changed", **on_bounty, request_id="req-m-3", metadata=moderation)


def test_activity_admin_delete_of_another_owners_bounty_is_moderation(bounty, admin, clients):
    response = clients["admin"].delete(f"/api/bounties/{bounty.pk}", **traced("req-m-4"))

    assert response.status_code == 200
    activity_row(
        "bounty.deleted",
        actor=admin,
        target_type="bounty",
        target_id=bounty.pk,
        request_id="req-m-4",
        metadata={"moderation": True},
    )


def test_activity_failed_change_leaves_no_row(bounty, clients):
    # given: a title change (logged first) together with a status the lifecycle refuses
    response = clients["owner"].patch(
        f"/api/bounties/{bounty.pk}", {"title": "A new title", "status": "completed"}, format="json"
    )

    # then: refused, rolled back, and the row written before the refusal is gone with it
    assert response.status_code == 409
    assert response.json()["code"] == "bounties.invalid_transition"
    bounty.refresh_from_db()
    assert bounty.title != "A new title"
    assert not ActivityLog.objects.filter(target_type="bounty").exists()


# --- payouts: submitted, then paid, processing, refused or failed -----------------------------------


@pytest.fixture
def chain(starknet_node):
    starknet_node.chain.mint(STRK, 0x5E4D3C2B1A, units("1000000"))
    return starknet_node.chain


def test_activity_payout_submitted_and_paid(clients, chain, owner, participant):
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(chain, units("150.5"))

    response = clients["owner"].post(
        f"/api/rewards/{reward.pk}/payout", {"transaction_hash": tx_hash}, format="json", **traced("req-pay-1")
    )

    assert response.json()["status"] == "paid"
    row = activity_row(
        "reward.paid",
        actor=owner,
        target_type="reward",
        target_id=reward.pk,
        request_id="req-pay-1",
        metadata={"bounty_id": str(reward.bounty_id), "transaction_hash": padded(tx_hash), "check": "submit"},
    )
    assert "moderation" not in row.metadata


def test_activity_payout_processing_then_verified_paid_by_an_admin(clients, chain, owner, participant, admin):
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(chain, units("150.5"), finality="PRE_CONFIRMED")

    submitted = clients["owner"].post(
        f"/api/rewards/{reward.pk}/payout", {"transaction_hash": tx_hash}, format="json", **traced("req-pay-2")
    )
    chain.accept(int(tx_hash, 16))
    verified = clients["admin"].post(f"/api/rewards/{reward.pk}/verify", **traced("req-pay-3"))

    assert (submitted.json()["status"], verified.json()["status"]) == ("processing", "paid")
    on_reward = {"target_type": "reward", "target_id": reward.pk}
    activity_row(
        "reward.processing",
        actor=owner,
        **on_reward,
        request_id="req-pay-2",
        metadata={"check": "submit", "finality_status": "PRE_CONFIRMED"},
    )
    activity_row(
        "reward.paid",
        actor=admin,
        **on_reward,
        request_id="req-pay-3",
        metadata={"check": "verify", "moderation": True},
    )


def test_activity_payout_refused_and_failed(clients, chain, owner, participant):
    # given: a wrong amount (refused), then a pre-confirmed transfer that another reward claims first
    reward = pending_reward(owner=owner, winner=participant)
    wrong = pay(chain, units("150"))
    refused = clients["owner"].post(
        f"/api/rewards/{reward.pk}/payout", {"transaction_hash": wrong}, format="json", **traced("req-pay-4")
    )
    tx_hash = pay(chain, units("150.5"), finality="PRE_CONFIRMED")
    clients["owner"].post(f"/api/rewards/{reward.pk}/payout", {"transaction_hash": tx_hash}, format="json")
    chain.accept(int(tx_hash, 16))
    other = pending_reward(owner=owner, winner=participant)
    clients["owner"].post(f"/api/rewards/{other.pk}/payout", {"transaction_hash": tx_hash}, format="json")

    # when: the processing reward is verified, its transfer already used
    failed = clients["owner"].post(f"/api/rewards/{reward.pk}/verify", **traced("req-pay-5"))

    # then
    assert (refused.status_code, failed.status_code) == (400, 409)
    on_reward = {"actor": owner, "target_type": "reward", "target_id": reward.pk}
    activity_row(
        "reward.payout_refused",
        **on_reward,
        request_id="req-pay-4",
        metadata={"code": "bounties.wrong_amount", "check": "submit", "transaction_hash": padded(wrong)},
    )
    activity_row(
        "reward.payout_failed",
        **on_reward,
        request_id="req-pay-5",
        metadata={"code": "bounties.transfer_already_used", "check": "verify"},
    )
