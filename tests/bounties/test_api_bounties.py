"""POST /bounties, PUT/PATCH/DELETE /bounties/{id}: shapes, rules, permissions, bad input."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import ActivityLog
from bounties.models import Bounty, Reward, Submission
from bounties.services import submission_review
from tests.bounties.helpers import BOUNTY_KEYS, assert_error, join
from tests.factories import BountyFactory, RewardFactory, UserFactory

pytestmark = pytest.mark.django_db


def valid_payload(**overrides):
    payload = {
        "title": "Index Starknet transfers",
        "description": "Write an indexer for ERC-20 transfers.",
        "reward_amount": "150.5",
        "reward_token": "STRK",
        "difficulty": "advanced",
        "category": "development",
        "deadline": (timezone.now() + timedelta(days=3)).isoformat(),
        "max_participants": 5,
        "requirements": "Python",
    }
    payload.update(overrides)
    return payload


# --- create ------------------------------------------------------------------------------------------


def test_bounty_create_returns_bounty_owned_by_caller(clients, owner):
    # when: the body tries to name another creator
    response = clients["owner"].post("/api/bounties", valid_payload(created_by=999, status="completed"), format="json")

    # then
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == BOUNTY_KEYS
    assert body["created_by"] == owner.pk
    assert body["creator"] == {"id": owner.pk, "username": "owner", "wallet_address": None}
    assert body["status"] == "open"
    assert body["reward_amount"] == "150.5"
    assert body["participant_count"] == 0 and body["submission_count"] == 0
    assert body["created_at"].endswith("Z")
    uuid.UUID(body["id"])
    bounty = Bounty.objects.get(pk=body["id"])
    assert bounty.reward_amount == Decimal("150.5")
    assert ActivityLog.objects.filter(action="bounty.created", target_id=body["id"], actor=owner).exists()


def test_bounty_create_anonymous_is_401(clients):
    response = clients["anonymous"].post("/api/bounties", valid_payload(), format="json")
    assert_error(response, 401, "auth.not_authenticated")
    assert not Bounty.objects.exists()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ('"0.000001"', "0.000001"),
        ("150.5", "150.5"),
        ("100", "100"),
        ("0.1", "0.1"),
        # 20 significant digits: a float would round them; the Decimal parser keeps every one.
        ("12.345678901234567891", "12.345678901234567891"),
        ("1.0000000000000000001", None),  # 19 decimals: more than ETH has
    ],
)
def test_bounty_create_reads_json_numbers_exactly(clients, raw, stored):
    body = (
        '{"title": "Exact", "description": "d", "reward_token": "ETH", "difficulty": "beginner", '
        f'"category": "c", "reward_amount": {raw}}}'
    )
    response = clients["owner"].post("/api/bounties", body, content_type="application/json")
    if stored is None:
        assert_error(response, 400, "request.validation_failed")
        assert "reward_amount" in response.json()["errors"]
    else:
        assert response.status_code == 201, response.content
        assert response.json()["reward_amount"] == stored


def test_bounty_create_token_address_is_normalised(clients):
    response = clients["owner"].post(
        "/api/bounties", valid_payload(reward_token="0xABC", reward_amount="1.123456789012345678"), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["reward_token"] == "0x" + "0" * 61 + "abc"
    assert response.json()["reward_amount"] == "1.123456789012345678"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "ab"),
        ("title", "x" * 201),
        ("title", "   "),
        ("description", ""),
        ("description", "x" * 20_001),
        ("reward_amount", "0"),
        ("reward_amount", "-5"),
        ("reward_amount", "NaN"),
        ("reward_amount", "Infinity"),
        ("reward_amount", "abc"),
        ("reward_amount", True),
        ("reward_amount", None),
        ("reward_amount", "1000000000001"),
        ("reward_amount", "1.1234567"),  # USDC has 6 decimals
        ("reward_amount", "1e-9999999999"),  # rounds to 0 under a Decimal context: must still be refused
        ("reward_token", "DOGE"),
        ("reward_token", "0xzz"),
        ("reward_token", "0x" + "f" * 64),  # above the Starknet address range
        ("difficulty", "legendary"),
        ("category", ""),
        ("category", "x" * 65),
        ("deadline", "2001-01-01T00:00:00Z"),
        ("deadline", "tomorrow"),
        ("max_participants", 0),
        ("max_participants", 10_001),
        ("max_participants", "many"),
    ],
)
def test_bounty_create_rejects_bad_field(clients, field, value):
    payload = valid_payload(reward_token="USDC")
    payload[field] = value
    response = clients["owner"].post("/api/bounties", payload, format="json")
    assert_error(response, 400, "request.validation_failed")
    assert field in response.json()["errors"]
    assert not Bounty.objects.exists()


@pytest.mark.parametrize("field", ["title", "description", "reward_amount", "reward_token", "difficulty", "category"])
def test_bounty_create_requires_field(clients, field):
    payload = valid_payload()
    del payload[field]
    response = clients["owner"].post("/api/bounties", payload, format="json")
    assert_error(response, 400, "request.validation_failed")
    assert field in response.json()["errors"]


@pytest.mark.parametrize("body", ['{"reward_amount": NaN}', '{"reward_amount": Infinity}', "{not json", "[]"])
def test_bounty_create_malformed_or_non_object_body_is_400(clients, body):
    response = clients["owner"].post("/api/bounties", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert not Bounty.objects.exists()


def test_bounty_create_optional_fields_may_be_null(clients):
    response = clients["owner"].post(
        "/api/bounties", valid_payload(deadline=None, max_participants=None, requirements=None), format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["deadline"] is None
    assert response.json()["max_participants"] is None


# --- update ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "admin"])
@pytest.mark.parametrize("method", ["put", "patch"])
def test_bounty_update_by_owner_or_admin(clients, bounty, persona, method):
    response = getattr(clients[persona], method)(
        f"/api/bounties/{bounty.pk}", {"title": "A better title", "reward_amount": 200}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "A better title"
    assert response.json()["reward_amount"] == "200"
    bounty.refresh_from_db()
    assert bounty.title == "A better title"
    assert bounty.reward_amount == Decimal(200)


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("participant", 403, "bounties.not_owner"),
        ("stranger", 403, "bounties.not_owner"),
        ("anonymous", 401, "auth.not_authenticated"),
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_bounty_update_by_others_is_refused(clients, bounty, joined, persona, status, code, method):
    response = getattr(clients[persona], method)(f"/api/bounties/{bounty.pk}", {"title": "Hijacked"}, format="json")
    assert_error(response, status, code)
    bounty.refresh_from_db()
    assert bounty.title != "Hijacked"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_bounty_update_unknown_is_404(clients, method):
    response = getattr(clients["owner"], method)(f"/api/bounties/{uuid.uuid4()}", {"title": "Nobody"}, format="json")
    assert_error(response, 404, "bounties.not_found")


@pytest.mark.parametrize(
    "change",
    [
        {"reward_amount": "999"},
        {"reward_token": "ETH"},
        {"deadline": (timezone.now() + timedelta(days=30)).isoformat()},
        {"deadline": None},
    ],
)
@pytest.mark.parametrize("method", ["patch", "put"])
def test_bounty_update_terms_immutable_after_join(clients, bounty, joined, change, method):
    response = getattr(clients["owner"], method)(f"/api/bounties/{bounty.pk}", change, format="json")
    assert_error(response, 409, "bounties.immutable_after_join")
    before = (bounty.reward_amount, bounty.reward_token, bounty.deadline)
    bounty.refresh_from_db()
    assert (bounty.reward_amount, bounty.reward_token, bounty.deadline) == before


def test_bounty_update_terms_stay_immutable_after_participant_left(clients, bounty, joined, participant):
    clients["participant"].post(f"/api/bounties/{bounty.pk}/leave")
    response = clients["owner"].patch(f"/api/bounties/{bounty.pk}", {"reward_amount": "1"}, format="json")
    assert_error(response, 409, "bounties.immutable_after_join")


def test_bounty_update_same_terms_and_other_fields_allowed_after_join(clients, bounty, joined):
    response = clients["owner"].patch(
        f"/api/bounties/{bounty.pk}",
        {"reward_amount": str(bounty.reward_amount), "reward_token": "STRK", "description": "Clarified."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["description"] == "Clarified."


def test_bounty_update_max_participants_below_count_is_409(clients, bounty, joined):
    join(bounty, UserFactory())
    response = clients["owner"].patch(f"/api/bounties/{bounty.pk}", {"max_participants": 1}, format="json")
    assert_error(response, 409, "bounties.max_below_participants")
    bounty.refresh_from_db()
    assert bounty.max_participants == 10


def test_bounty_update_amount_checked_against_token_decimals(clients, bounty):
    response = clients["owner"].patch(
        f"/api/bounties/{bounty.pk}", {"reward_token": "USDT", "reward_amount": "1.0000001"}, format="json"
    )
    assert_error(response, 400, "request.validation_failed")
    assert "reward_amount" in response.json()["errors"]


def test_bounty_update_amount_alone_is_checked_against_the_stored_token(clients, owner):
    # given: a USDC bounty (6 decimals); only the amount changes
    bounty = BountyFactory(created_by=owner, reward_token="USDC", reward_amount=Decimal("5"))

    # when
    response = clients["owner"].patch(f"/api/bounties/{bounty.pk}", {"reward_amount": "1.0000001"}, format="json")

    # then
    assert_error(response, 400, "bounties.amount_too_precise")
    assert "reward_amount" in response.json()["errors"]
    bounty.refresh_from_db()
    assert bounty.reward_amount == Decimal("5")


@pytest.mark.parametrize("method", ["put", "patch"])
def test_bounty_update_empty_body_is_400(clients, bounty, method):
    response = getattr(clients["owner"], method)(f"/api/bounties/{bounty.pk}", {}, format="json")
    assert_error(response, 400, "request.validation_failed")


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["in_review"], True),
        (["cancelled"], True),
        (["in_review", "completed"], True),
        (["in_review", "cancelled"], True),
        (["completed"], False),
        (["expired"], False),
        (["in_review", "open"], False),
        (["cancelled", "open"], False),
        (["in_review", "completed", "cancelled"], False),
    ],
)
def test_bounty_status_moves_only_along_the_lifecycle(clients, bounty, path, allowed, owner):
    responses = [
        clients["owner"].patch(f"/api/bounties/{bounty.pk}", {"status": status}, format="json") for status in path
    ]
    if allowed:
        assert [r.status_code for r in responses] == [200] * len(path)
        assert responses[-1].json()["status"] == path[-1]
        logged = ActivityLog.objects.filter(action="bounty.status_changed", target_id=str(bounty.pk))
        assert [entry.metadata["to"] for entry in logged.order_by("id")] == path
    else:
        assert_error(responses[-1], 409, "bounties.invalid_transition")
        bounty.refresh_from_db()
        assert bounty.status == (path[-2] if len(path) > 1 else "open")


def test_bounty_update_with_invalid_status_change_writes_nothing(clients, bounty):
    response = clients["owner"].patch(
        f"/api/bounties/{bounty.pk}", {"title": "New title", "status": "completed"}, format="json"
    )
    assert_error(response, 409, "bounties.invalid_transition")
    bounty.refresh_from_db()
    assert bounty.title != "New title"


def test_bounty_update_unknown_status_is_400(clients, bounty):
    response = clients["owner"].patch(f"/api/bounties/{bounty.pk}", {"status": "paused"}, format="json")
    assert_error(response, 400, "request.validation_failed")
    assert "status" in response.json()["errors"]


# --- delete ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_bounty_delete_by_owner_or_admin(clients, bounty, joined, persona):
    response = clients[persona].delete(f"/api/bounties/{bounty.pk}")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Bounty deleted"}
    assert not Bounty.objects.filter(pk=bounty.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("participant", 403, "bounties.not_owner"),
        ("stranger", 403, "bounties.not_owner"),
        ("anonymous", 401, "auth.not_authenticated"),
    ],
)
def test_bounty_delete_by_others_is_refused(clients, bounty, joined, persona, status, code):
    response = clients[persona].delete(f"/api/bounties/{bounty.pk}")
    assert_error(response, status, code)
    assert Bounty.objects.filter(pk=bounty.pk).exists()


def test_bounty_delete_unknown_is_404(clients):
    assert_error(clients["owner"].delete(f"/api/bounties/{uuid.uuid4()}"), 404, "bounties.not_found")


def test_bounty_delete_blocked_after_approval(clients, bounty, submission, owner):
    submission_review(bounty_id=bounty.pk, submission_id=submission.pk, actor=owner, status="approved")
    response = clients["owner"].delete(f"/api/bounties/{bounty.pk}")
    assert_error(response, 409, "bounties.delete_blocked")
    assert Submission.objects.filter(pk=submission.pk).exists()


def test_bounty_delete_blocked_when_reward_exists(clients, bounty):
    RewardFactory(bounty=bounty)
    response = clients["admin"].delete(f"/api/bounties/{bounty.pk}")
    assert_error(response, 409, "bounties.delete_blocked")
    assert Reward.objects.filter(bounty=bounty).exists()


def test_bounty_delete_allowed_with_rejected_submission(clients, bounty, submission, owner):
    submission_review(bounty_id=bounty.pk, submission_id=submission.pk, actor=owner, status="rejected")
    response = clients["owner"].delete(f"/api/bounties/{bounty.pk}")
    assert response.status_code == 200


def test_bounty_create_deeply_nested_json_is_400(clients):
    response = clients["owner"].post("/api/bounties", "[" * 5000 + "]" * 5000, content_type="application/json")
    assert_error(response, 400, "request.malformed")
    assert not Bounty.objects.exists()
