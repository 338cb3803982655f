"""SQL query counts: every endpoint has a fixed budget, and no list grows with its page size.

Counts are taken inside the test transaction, so each service's `transaction.atomic` shows up as a
SAVEPOINT / RELEASE SAVEPOINT pair. "auth" is the JWT authentication's user lookup.
"""

import pytest
from django.core.cache import cache

from bounties.models import Reward
from bounties.services import bounty_select_winner, participant_leave, submission_review
from tests.bounties.helpers import join, submit
from tests.bounties.payouts import SENDER, pay, payout, pending_reward, units, verify
from tests.factories import BountyFactory, RewardFactory, UserFactory
from tests.starknet_node import STRK

pytestmark = pytest.mark.django_db

SIZES = [1, 50]


# --- lists: 1 row versus 50 rows ---------------------------------------------------------------------


@pytest.mark.parametrize("rows", SIZES)
def test_queries_bounty_list_constant(clients, django_assert_num_queries, rows):
    for creator in UserFactory.create_batch(rows):
        BountyFactory(created_by=creator)
    # COUNT for X-Total-Count; the page of bounties joined with their creators
    with django_assert_num_queries(2):
        response = clients["anonymous"].get(
            "/api/bounties?page_size=50&status=active&search=Bounty&ordering=-reward_amount"
        )
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", SIZES)
def test_queries_bounty_list_signed_in_constant(clients, django_assert_num_queries, rows):
    BountyFactory.create_batch(rows)
    # auth; COUNT; page
    with django_assert_num_queries(3):
        response = clients["stranger"].get("/api/bounties?page_size=50")
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", SIZES)
def test_queries_mine_constant(clients, owner, django_assert_num_queries, rows):
    for _ in range(rows):
        join(BountyFactory(), owner)
    BountyFactory(created_by=owner)
    # auth; COUNT; page (created OR actively joined, as a subquery)
    with django_assert_num_queries(3):
        response = clients["owner"].get("/api/bounties/mine?page_size=100")
    assert len(response.json()) == rows + 1


@pytest.mark.parametrize("rows", SIZES)
def test_queries_participants_constant(clients, bounty, django_assert_num_queries, rows):
    bounty.max_participants = None
    bounty.save(update_fields=["max_participants"])
    for user in UserFactory.create_batch(rows):
        join(bounty, user)
    # bounty exists; COUNT; page
    with django_assert_num_queries(3):
        response = clients["anonymous"].get(f"/api/bounties/{bounty.pk}/participants?page_size=50")
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", SIZES)
def test_queries_submissions_owner_constant(clients, bounty, django_assert_num_queries, rows):
    bounty.max_participants = None
    bounty.save(update_fields=["max_participants"])
    for user in UserFactory.create_batch(rows):
        join(bounty, user)
        submit(bounty, user)
    # auth; bounty; COUNT; page
    with django_assert_num_queries(4):
        response = clients["owner"].get(f"/api/bounties/{bounty.pk}/submissions?page_size=50")
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", SIZES)
def test_queries_submissions_participant_constant(
    clients, bounty, joined, participant, owner, django_assert_num_queries, rows
):
    for _ in range(rows):
        pending = submit(bounty, participant)
        submission_review(bounty_id=bounty.pk, submission_id=pending.pk, actor=owner, status="rejected")
    # auth; bounty; is a participant; COUNT; page
    with django_assert_num_queries(5):
        response = clients["participant"].get(f"/api/bounties/{bounty.pk}/submissions?page_size=50")
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", SIZES)
def test_queries_rewards_constant(clients, participant, django_assert_num_queries, rows):
    RewardFactory.create_batch(rows, user=participant)
    # auth; COUNT; page
    with django_assert_num_queries(3):
        response = clients["participant"].get("/api/rewards?role=winner&page_size=50")
    assert len(response.json()) == rows


# --- single objects and writes -----------------------------------------------------------------------


def test_queries_bounty_detail(clients, bounty, django_assert_num_queries):
    # the bounty joined with its creator
    with django_assert_num_queries(1):
        assert clients["anonymous"].get(f"/api/bounties/{bounty.pk}").status_code == 200


def test_queries_bounty_create(clients, django_assert_num_queries):
    body = {
        "title": "Abc",
        "description": "d",
        "reward_amount": "1",
        "reward_token": "STRK",
        "difficulty": "beginner",
        "category": "c",
    }
    # auth; SAVEPOINT; INSERT bounty; INSERT activity; RELEASE
    with django_assert_num_queries(5):
        assert clients["owner"].post("/api/bounties", body, format="json").status_code == 201


def test_queries_bounty_update(clients, bounty, django_assert_num_queries):
    # auth; SAVEPOINT; lock bounty + creator; participants exist?; UPDATE bounty; INSERT activity;
    # UPDATE status; INSERT activity; RELEASE
    with django_assert_num_queries(9):
        response = clients["owner"].patch(
            f"/api/bounties/{bounty.pk}", {"reward_amount": "5", "status": "in_review"}, format="json"
        )
    assert response.status_code == 200


def test_queries_bounty_delete(clients, bounty, joined, django_assert_num_queries):
    # auth; SAVEPOINT; lock bounty; approved submission?; reward?; INSERT activity;
    # cascade: SELECT participants, SELECT submissions (for the collector), DELETE participants,
    # DELETE bounty; RELEASE
    with django_assert_num_queries(11):
        assert clients["owner"].delete(f"/api/bounties/{bounty.pk}").status_code == 200


def test_queries_join(clients, bounty, django_assert_num_queries):
    # auth; bounty; SAVEPOINT; participation row?; conditional UPDATE counter; SAVEPOINT; INSERT
    # participant; RELEASE; INSERT activity; INSERT notification (to the owner); RELEASE
    with django_assert_num_queries(11):
        assert clients["stranger"].post(f"/api/bounties/{bounty.pk}/join").status_code == 201


def test_queries_rejoin(clients, bounty, joined, participant, django_assert_num_queries):
    participant_leave(bounty_id=bounty.pk, user=participant)
    # auth; bounty; SAVEPOINT; participation row; conditional UPDATE counter; UPDATE participant;
    # INSERT activity; INSERT notification; RELEASE
    with django_assert_num_queries(9):
        assert clients["participant"].post(f"/api/bounties/{bounty.pk}/join").status_code == 201


def test_queries_join_refused_when_full(clients, owner, django_assert_num_queries):
    bounty = BountyFactory(created_by=owner, max_participants=1)
    join(bounty, UserFactory())
    # auth; bounty; SAVEPOINT; participation row?; conditional UPDATE (0 rows); why: bounty; ROLLBACK TO; RELEASE
    with django_assert_num_queries(8):
        assert clients["stranger"].post(f"/api/bounties/{bounty.pk}/join").status_code == 409


def test_queries_leave(clients, bounty, joined, django_assert_num_queries):
    # auth; bounty; SAVEPOINT; UPDATE counter; approved submission?; UPDATE participant; participant;
    # INSERT activity; RELEASE
    with django_assert_num_queries(9):
        assert clients["participant"].post(f"/api/bounties/{bounty.pk}/leave").status_code == 200


def test_queries_submit(clients, bounty, joined, django_assert_num_queries):
    # auth; SAVEPOINT; lock bounty; active participant?; pending to replace; INSERT submission;
    # UPDATE counter; INSERT activity; INSERT notification (to the owner); RELEASE
    with django_assert_num_queries(10):
        response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", {"content": "x"}, format="json")
    assert response.status_code == 201


def test_queries_resubmit(clients, bounty, submission, django_assert_num_queries):
    # auth; SAVEPOINT; lock bounty; active participant?; pending to replace; its rewards (PROTECT
    # check); DELETE it; INSERT submission; INSERT activity; INSERT notification; RELEASE
    with django_assert_num_queries(11):
        response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", {"content": "y"}, format="json")
    assert response.status_code == 201


def test_queries_review(clients, bounty, submission, django_assert_num_queries):
    # auth; SAVEPOINT; lock bounty; conditional UPDATE submission; submission; INSERT activity;
    # INSERT notification (to the submitter); RELEASE
    with django_assert_num_queries(8):
        response = clients["owner"].post(
            f"/api/bounties/{bounty.pk}/submissions/{submission.pk}/review", {"status": "approved"}, format="json"
        )
    assert response.status_code == 200


def test_queries_winner(clients, bounty, submission, participant, django_assert_num_queries):
    # auth; SAVEPOINT; lock bounty; lock submissions; existing reward?; approve submission; winner's
    # wallet; INSERT reward; UPDATE status + activity (in_review); UPDATE status + activity
    # (completed); INSERT reward activity; INSERT notification (to the winner); RELEASE
    with django_assert_num_queries(15):
        response = clients["owner"].post(
            f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json"
        )
    assert response.status_code == 200


def test_queries_winner_repeated(clients, bounty, submission, participant, owner, django_assert_num_queries):
    bounty_select_winner(bounty_id=bounty.pk, actor=owner, winner_id=participant.pk)
    # auth; SAVEPOINT; lock bounty; lock submissions; existing reward; RELEASE
    with django_assert_num_queries(6):
        response = clients["owner"].post(
            f"/api/bounties/{bounty.pk}/winner", {"winnerId": participant.pk}, format="json"
        )
    assert response.status_code == 200
    assert Reward.objects.count() == 1


def test_queries_reward_detail(clients, participant, django_assert_num_queries):
    reward = RewardFactory(user=participant)
    # auth; the reward, scoped to what the caller may see
    with django_assert_num_queries(2):
        assert clients["participant"].get(f"/api/rewards/{reward.pk}").status_code == 200


@pytest.mark.parametrize("rows", SIZES)
def test_queries_stats_bounded(clients, settings, django_assert_num_queries, rows):
    # A process-local cache, so that only the statistics' own queries are counted.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "stats"}}
    cache.clear()
    for hunter in UserFactory.create_batch(rows):
        RewardFactory(user=hunter)
    # per-status counts and counter sums; paid amounts; top hunters
    with django_assert_num_queries(3):
        assert clients["anonymous"].get("/api/bounties/stats").status_code == 200
    # then served from the cache
    with django_assert_num_queries(0):
        assert clients["anonymous"].get("/api/bounties/stats").status_code == 200


# --- payouts (the node answers over HTTP; only SQL is counted) --------------------------------------


@pytest.fixture
def payout_chain(starknet_node):
    starknet_node.chain.mint(STRK, SENDER, units("1000000"))
    return starknet_node.chain


def test_queries_payout_paid(clients, owner, participant, payout_chain, django_assert_num_queries):
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(payout_chain, units("150.5"))
    # auth; the reward joined with its bounty (visibility, owner check); SAVEPOINT; lock the reward;
    # transfers already claimed from this transaction; SAVEPOINT; INSERT transfer; RELEASE; UPDATE reward;
    # INSERT activity; INSERT notification (to the winner; the owner acted); RELEASE
    with django_assert_num_queries(12):
        response = payout(clients["owner"], reward, tx_hash)
    assert response.json()["status"] == "paid"


def test_queries_payout_processing(clients, owner, participant, payout_chain, django_assert_num_queries):
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(payout_chain, units("150.5"), finality="PRE_CONFIRMED")
    # auth; the reward with its bounty; SAVEPOINT; lock the reward; claimed transfers; UPDATE reward;
    # INSERT activity; RELEASE
    with django_assert_num_queries(8):
        response = payout(clients["owner"], reward, tx_hash)
    assert response.json()["status"] == "processing"


def test_queries_payout_refused(clients, owner, participant, payout_chain, django_assert_num_queries):
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(payout_chain, units("150"))
    # auth; the reward with its bounty; INSERT activity (the refusal)
    with django_assert_num_queries(3):
        response = payout(clients["owner"], reward, tx_hash)
    assert response.status_code == 400


def test_queries_payout_repeated_on_paid_reward(clients, owner, participant, payout_chain, django_assert_num_queries):
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(payout_chain, units("150.5"))
    payout(clients["owner"], reward, tx_hash)
    # auth; the reward with its bounty (paid with this hash: returned as it is)
    with django_assert_num_queries(2):
        response = payout(clients["owner"], reward, tx_hash)
    assert response.json()["status"] == "paid"


def test_queries_verify_paid(clients, owner, participant, payout_chain, django_assert_num_queries):
    reward = pending_reward(owner=owner, winner=participant)
    tx_hash = pay(payout_chain, units("150.5"), finality="PRE_CONFIRMED")
    payout(clients["owner"], reward, tx_hash)
    payout_chain.accept(int(tx_hash, 16))
    # auth; the reward with its bounty; SAVEPOINT; lock the reward; claimed transfers; SAVEPOINT;
    # INSERT transfer; RELEASE; UPDATE reward; INSERT activity; INSERT notification (to the winner);
    # RELEASE
    with django_assert_num_queries(12):
        response = verify(clients["owner"], reward)
    assert response.json()["status"] == "paid"


def test_queries_verify_still_processing(clients, owner, participant, payout_chain, django_assert_num_queries):
    reward = pending_reward(owner=owner, winner=participant)
    payout(clients["owner"], reward, pay(payout_chain, units("150.5"), finality="PRE_CONFIRMED"))
    # auth; the reward with its bounty; SAVEPOINT; lock the reward; claimed transfers; RELEASE
    with django_assert_num_queries(6):
        response = verify(clients["owner"], reward)
    assert response.json()["status"] == "processing"
