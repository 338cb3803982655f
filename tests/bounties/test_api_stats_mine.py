"""GET /bounties/stats and GET /bounties/mine."""

from decimal import Decimal

import pytest
from django.utils import timezone

from bounties.models import Bounty
from bounties.services import participant_leave
from tests.bounties.helpers import assert_error, join
from tests.factories import BountyFactory, RewardFactory, UserFactory

pytestmark = pytest.mark.django_db

PAID = {"status": "paid", "transaction_hash": "0x" + "ab" * 32, "paid_at": timezone.now()}


def test_stats_totals(clients, bounty, submission, owner):
    BountyFactory(status="cancelled")
    hunter = UserFactory(username="hunter")
    RewardFactory(user=hunter, amount=Decimal("0.1"), token="ETH", **PAID)
    RewardFactory(user=hunter, amount=Decimal("0.2"), token="ETH", **PAID)
    RewardFactory(user=hunter, amount=Decimal("5"), token="USDC")  # pending: not paid yet
    RewardFactory(amount=Decimal("1.5"), token="STRK", **PAID)

    response = clients["anonymous"].get("/api/bounties/stats")

    assert response.status_code == 200
    data = response.json()["data"]
    assert response.json()["success"] is True
    assert data["total_bounties"] == Bounty.objects.count()
    assert data["by_status"]["cancelled"] == 1
    assert set(data["by_status"]) == {"open", "in_review", "completed", "cancelled", "expired"}
    assert data["total_participants"] == 1
    assert data["total_submissions"] == 1
    assert data["rewards_paid"] == {"ETH": "0.3", "STRK": "1.5"}  # exact: no float 0.30000000000000004
    assert data["top_hunters"][0] == {"user_id": hunter.pk, "username": "hunter", "rewards_won": 3}


def test_stats_are_cached_briefly(clients, bounty):
    first = clients["anonymous"].get("/api/bounties/stats").json()["data"]["total_bounties"]
    BountyFactory()
    assert clients["anonymous"].get("/api/bounties/stats").json()["data"]["total_bounties"] == first


def test_stats_route_is_not_a_bounty_id(clients):
    assert clients["anonymous"].get("/api/bounties/stats/").status_code == 200


@pytest.fixture
def mine(owner, participant):
    created = BountyFactory(created_by=owner)
    joined = BountyFactory()
    join(joined, owner)
    left = BountyFactory()
    join(left, owner)
    participant_leave(bounty_id=left.pk, user=owner)
    BountyFactory()  # unrelated
    return created, joined


def test_mine_by_role(clients, mine):
    created, joined = mine
    as_creator = clients["owner"].get("/api/bounties/mine?role=creator")
    assert [row["id"] for row in as_creator.json()] == [str(created.pk)]
    as_participant = clients["owner"].get("/api/bounties/mine?role=participant")
    assert [row["id"] for row in as_participant.json()] == [str(joined.pk)]
    both = clients["owner"].get("/api/bounties/mine")
    assert [row["id"] for row in both.json()] == [str(joined.pk), str(created.pk)]
    assert both["X-Total-Count"] == "2"


def test_mine_anonymous_401_bad_role_400(clients):
    assert_error(clients["anonymous"].get("/api/bounties/mine"), 401, "auth.not_authenticated")
    assert_error(clients["owner"].get("/api/bounties/mine?role=judge"), 400, "request.validation_failed")


def test_mine_is_empty_for_stranger(clients, mine):
    assert clients["stranger"].get("/api/bounties/mine").json() == []
