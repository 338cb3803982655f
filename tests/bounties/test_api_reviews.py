"""Review, winner selection and rewards: rules, idempotency, permissions, the reward's recipient."""

import uuid
from decimal import Decimal

import pytest

from accounts.models import ActivityLog
from bounties.models import Bounty, Reward, Submission
from bounties.services import bounty_select_winner, reward_assign_recipient, submission_review
from tests.bounties.helpers import assert_error, join, submit
from tests.factories import BountyFactory, RewardFactory, UserFactory, wallet_for

pytestmark = pytest.mark.django_db

REWARD_KEYS = {
    "id",
    "bounty_id",
    "user_id",
    "amount",
    "token",
    "recipient_address",
    "transaction_hash",
    "status",
    "created_at",
    "paid_at",
}


def review_url(bounty, submission):
    return f"/api/bounties/{bounty.pk}/submissions/{submission.pk}/review"


# --- review ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "admin"])
@pytest.mark.parametrize("outcome", ["approved", "rejected"])
def test_review_by_owner_or_admin(clients, bounty, submission, persona, outcome, request):
    response = clients[persona].post(
        review_url(bounty, submission), {"status": outcome, "feedback": "Thanks"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == outcome
    assert body["feedback"] == "Thanks"
    assert body["reviewed_at"] is not None
    submission.refresh_from_db()
    assert submission.reviewed_by == request.getfixturevalue(persona)
    assert ActivityLog.objects.filter(action="submission.reviewed", target_id=str(submission.pk)).exists()


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("participant", 403, "bounties.not_owner"),
        ("stranger", 403, "bounties.not_owner"),
        ("anonymous", 401, "auth.not_authenticated"),
    ],
)
def test_review_by_others_is_refused(clients, bounty, submission, persona, status, code):
    response = clients[persona].post(review_url(bounty, submission), {"status": "approved"}, format="json")
    assert_error(response, status, code)
    submission.refresh_from_db()
    assert submission.status == "pending"


def test_review_only_pending_submissions(clients, bounty, submission):
    assert (
        clients["owner"].post(review_url(bounty, submission), {"status": "rejected"}, format="json").status_code == 200
    )
    response = clients["owner"].post(review_url(bounty, submission), {"status": "approved"}, format="json")
    assert_error(response, 409, "bounties.submission_not_pending")
    submission.refresh_from_db()
    assert submission.status == "rejected"


@pytest.mark.parametrize(
    "body", [{}, {"status": "pending"}, {"status": "maybe"}, {"status": "approved", "feedback": "x" * 20_001}]
)
def test_review_bad_input_is_400(clients, bounty, submission, body):
    response = clients["owner"].post(review_url(bounty, submission), body, format="json")
    assert_error(response, 400, "request.validation_failed")


def test_review_submission_of_another_bounty_is_404(clients, bounty, submission, owner):
    other = BountyFactory(created_by=owner)
    response = clients["owner"].post(review_url(other, submission), {"status": "approved"}, format="json")
    assert_error(response, 404, "bounties.submission_not_found")
    response = clients["owner"].post(
        f"/api/bounties/{bounty.pk}/submissions/{uuid.uuid4()}/review", {"status": "approved"}, format="json"
    )
    assert_error(response, 404, "bounties.submission_not_found")


# --- winner ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_winner_creates_reward_and_completes_bounty(clients, bounty, submission, participant, persona):
    response = clients[persona].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert body["data"]["bounty"]["status"] == "completed"
    reward = body["data"]["reward"]
    assert set(reward) == REWARD_KEYS
    assert reward["user_id"] == participant.pk
    assert reward["amount"] == "150.5"
    assert reward["token"] == "STRK"
    assert reward["status"] == "pending"
    assert reward["recipient_address"] is None  # no linked wallet yet
    submission.refresh_from_db()
    assert submission.status == "approved"
    assert Reward.objects.get().submission == submission
    changes = ActivityLog.objects.filter(action="bounty.status_changed", target_id=str(bounty.pk)).order_by("id")
    assert [entry.metadata["to"] for entry in changes] == ["in_review", "completed"]
    assert ActivityLog.objects.filter(action="reward.created", target_id=reward["id"]).exists()


def test_winner_by_submission_id_pays_linked_wallet(clients, bounty, submission, participant):
    participant.wallet_address = wallet_for(7)
    participant.save(update_fields=["wallet_address"])
    response = clients["owner"].post(
        f"/api/bounties/{bounty.pk}/winner", {"submission_id": str(submission.pk)}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["reward"]["recipient_address"] == wallet_for(7)


def test_winner_second_call_returns_same_reward(clients, bounty, submission, participant):
    first = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    second = clients["admin"].post(
        f"/api/bounties/{bounty.pk}/winner", {"submission_id": str(submission.pk)}, format="json"
    )
    assert second.status_code == 200
    assert second.json()["data"]["reward"]["id"] == first.json()["data"]["reward"]["id"]
    assert Reward.objects.count() == 1


def test_winner_cannot_change_to_another_user(clients, bounty, submission, participant):
    other = UserFactory()
    join(bounty, other)
    submit(bounty, other)
    clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    response = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": other.pk}, format="json")
    assert_error(response, 409, "bounties.winner_already_chosen")
    assert Reward.objects.get().user == participant


def test_winner_without_submission_is_409(clients, bounty, joined, participant):
    response = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    assert_error(response, 409, "bounties.winner_without_submission")
    bounty.refresh_from_db()
    assert bounty.status == "open"
    assert not Reward.objects.exists()


def test_winner_with_rejected_submission_is_409(clients, bounty, submission, participant, owner):
    submission_review(bounty_id=bounty.pk, submission_id=submission.pk, actor=owner, status="rejected")
    response = clients["owner"].post(
        f"/api/bounties/{bounty.pk}/winner", {"submission_id": str(submission.pk)}, format="json"
    )
    assert_error(response, 409, "bounties.winner_without_submission")
    assert not Reward.objects.exists()


@pytest.mark.parametrize("status", ["cancelled", "expired"])
def test_winner_on_closed_bounty_is_409(clients, bounty, submission, participant, status):
    Bounty.objects.filter(pk=bounty.pk).update(status=status)
    response = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    assert_error(response, 409, "bounties.invalid_transition")
    submission.refresh_from_db()
    assert submission.status == "pending"  # nothing half-written
    assert not Reward.objects.exists()


def test_winner_from_in_review(clients, bounty, submission, participant):
    clients["owner"].patch(f"/api/bounties/{bounty.pk}", {"status": "in_review"}, format="json")
    response = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["bounty"]["status"] == "completed"


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("participant", 403, "bounties.not_owner"),
        ("stranger", 403, "bounties.not_owner"),
        ("anonymous", 401, "auth.not_authenticated"),
    ],
)
def test_winner_by_others_is_refused(clients, bounty, submission, participant, persona, status, code):
    response = clients[persona].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    assert_error(response, status, code)
    assert not Reward.objects.exists()


@pytest.mark.parametrize(
    "body", [{}, {"winnerId": "abc"}, {"submission_id": "nope"}, {"winnerId": 0}, {"winnerId": 2**63}]
)
def test_winner_bad_input_is_400(clients, bounty, submission, body):
    response = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", body, format="json")
    assert_error(response, 400, "request.validation_failed")


def test_winner_mismatched_user_and_submission_is_400(clients, bounty, submission, stranger):
    body = {"winnerId": stranger.pk, "submission_id": str(submission.pk)}
    response = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", body, format="json")
    assert_error(response, 400, "bounties.submission_of_another_user")
    assert "winnerId" in response.json()["errors"]


def test_winner_unknown_submission_is_404(clients, bounty, submission):
    response = clients["owner"].post(
        f"/api/bounties/{bounty.pk}/winner", {"submission_id": str(uuid.uuid4())}, format="json"
    )
    assert_error(response, 404, "bounties.submission_not_found")


def test_winner_unknown_bounty_is_404(clients, participant):
    response = clients["owner"].post(
        f"/api/bounties/{uuid.uuid4()}/winner", {"winnerId": participant.pk}, format="json"
    )
    assert_error(response, 404, "bounties.not_found")


# --- rewards -----------------------------------------------------------------------------------------


@pytest.fixture
def reward(bounty, submission, participant, owner):
    _, reward = bounty_select_winner(bounty_id=bounty.pk, actor=owner, winner_id=participant.pk)
    return reward


def test_rewards_list_by_role(clients, reward, owner):
    foreign = RewardFactory()  # neither theirs nor owed by them
    as_winner = clients["participant"].get("/api/rewards?role=winner")
    assert [row["id"] for row in as_winner.json()] == [str(reward.pk)]
    assert set(as_winner.json()[0]) == REWARD_KEYS
    assert clients["participant"].get("/api/rewards?role=creator").json() == []
    assert [row["id"] for row in clients["owner"].get("/api/rewards?role=creator").json()] == [str(reward.pk)]
    assert clients["owner"].get("/api/rewards?role=winner").json() == []
    assert [row["id"] for row in clients["owner"].get("/api/rewards").json()] == [str(reward.pk)]
    assert clients["stranger"].get("/api/rewards").json() == []
    assert str(foreign.pk) not in {row["id"] for row in clients["admin"].get("/api/rewards").json()}


def test_rewards_list_anonymous_401_bad_role_400(clients):
    assert_error(clients["anonymous"].get("/api/rewards"), 401, "auth.not_authenticated")
    assert_error(clients["owner"].get("/api/rewards?role=thief"), 400, "request.validation_failed")


@pytest.mark.parametrize("persona", ["participant", "owner", "admin"])
def test_reward_detail_visible_to_winner_owner_admin(clients, reward, persona):
    response = clients[persona].get(f"/api/rewards/{reward.pk}")
    assert response.status_code == 200
    assert response.json()["id"] == str(reward.pk)
    assert response.json()["amount"] == "150.5"


def test_reward_detail_hidden_from_others(clients, reward):
    assert_error(clients["stranger"].get(f"/api/rewards/{reward.pk}"), 404, "bounties.reward_not_found")
    assert_error(clients["anonymous"].get(f"/api/rewards/{reward.pk}"), 401, "auth.not_authenticated")
    assert_error(clients["owner"].get(f"/api/rewards/{uuid.uuid4()}"), 404, "bounties.reward_not_found")


def test_reward_waiting_for_wallet_gets_recipient_when_linked(clients, reward, participant):
    # given: the winner had no wallet when chosen; they see the waiting reward
    assert clients["participant"].get("/api/rewards?role=winner").json()[0]["recipient_address"] is None

    # when: the wallet-link flow stores the wallet and calls the service
    participant.wallet_address = wallet_for(3)
    participant.save(update_fields=["wallet_address"])
    assert reward_assign_recipient(user=participant) == 1

    # then
    assert clients["participant"].get(f"/api/rewards/{reward.pk}").json()["recipient_address"] == wallet_for(3)
    assert reward_assign_recipient(user=participant) == 0  # idempotent
    assert ActivityLog.objects.filter(action="reward.recipient_assigned", target_id=str(reward.pk)).count() == 1


def test_reward_assign_recipient_leaves_addressed_and_paid_rewards(participant):
    participant.wallet_address = wallet_for(4)
    participant.save(update_fields=["wallet_address"])
    addressed = RewardFactory(user=participant, recipient_address=wallet_for(5))
    processing = RewardFactory(user=participant, status="processing")
    assert reward_assign_recipient(user=participant) == 0
    addressed.refresh_from_db()
    processing.refresh_from_db()
    assert addressed.recipient_address == wallet_for(5)
    assert processing.recipient_address is None


def test_reward_amount_is_exact(clients, owner, participant):
    bounty = BountyFactory(created_by=owner, reward_amount=Decimal("0.000000000000000001"), reward_token="ETH")
    join(bounty, participant)
    submit(bounty, participant)
    response = clients["owner"].post(f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json")
    assert response.json()["data"]["reward"]["amount"] == "0.000000000000000001"
    assert Reward.objects.get().amount == Decimal("1e-18")
    assert Submission.objects.get().status == "approved"
