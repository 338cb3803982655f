"""Races closed in the database, proven with simultaneous HTTP requests against a live server.

Every test releases all its client threads at once (a barrier after each has connected) and checks
both the answers (no 5xx, clean 409s with their codes) and the rows left in the database.
"""

import http.client
import json
import threading

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import ActivityLog, User
from bounties.models import BountyParticipant, PayoutTransfer, Reward, Submission
from tests.bounties.helpers import join, submit
from tests.bounties.payouts import SENDER, padded, pay, pending_reward, units
from tests.factories import BountyFactory, UserFactory
from tests.starknet_node import STRK

pytestmark = pytest.mark.django_db(transaction=True)


def token_for(user) -> str:
    return str(AccessToken.for_user(user))


def fire(server, calls: list[tuple[str, str, str, dict | None]]) -> list[tuple[int, dict]]:
    """Send (method, path, token, body) calls all at once, one thread and connection each."""
    host, port = server
    barrier = threading.Barrier(len(calls))
    results: list[tuple[int, dict] | None] = [None] * len(calls)

    def call(index: int, method: str, path: str, token: str, body: dict | None) -> None:
        connection = http.client.HTTPConnection(host, port, timeout=60)
        try:
            connection.connect()
            barrier.wait(timeout=30)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = connection.getresponse()
            results[index] = (response.status, json.loads(response.read() or b"{}"))
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(i, *spec)) for i, spec in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result is not None for result in results), "a request got no answer"
    return results  # type: ignore[return-value]


def statuses(results) -> list[int]:
    return sorted(status for status, _ in results)


def test_concurrent_joins_never_overfill(concurrent_server):
    # given: a bounty with room for 5 and 100 hunters
    bounty = BountyFactory(max_participants=5)
    hunters = User.objects.bulk_create(
        [User(email=f"hunter{i}@example.com", username=f"hunter{i}", password="!") for i in range(100)]
    )
    path = f"/api/bounties/{bounty.pk}/join"

    # when: all of them join at the same moment
    results = fire(concurrent_server, [("POST", path, token_for(hunter), None) for hunter in hunters])

    # then: exactly 5 places taken, 95 clean refusals, nothing else
    assert statuses(results) == [201] * 5 + [409] * 95
    assert {body["code"] for status, body in results if status == 409} == {"bounties.full"}
    bounty.refresh_from_db()
    assert bounty.participant_count == 5
    assert BountyParticipant.objects.filter(bounty=bounty, status="active").count() == 5


def test_concurrent_duplicate_joins_make_one_participant(concurrent_server):
    bounty = BountyFactory(max_participants=None)
    hunter = UserFactory()
    results = fire(concurrent_server, [("POST", f"/api/bounties/{bounty.pk}/join", token_for(hunter), None)] * 12)
    assert statuses(results) == [201] + [409] * 11
    assert {body["code"] for status, body in results if status == 409} == {"bounties.already_joined"}
    bounty.refresh_from_db()
    assert bounty.participant_count == 1
    assert BountyParticipant.objects.filter(bounty=bounty).count() == 1


def test_concurrent_submissions_of_one_hunter_leave_one_pending(concurrent_server):
    # given: a participant
    bounty = BountyFactory()
    hunter = UserFactory()
    join(bounty, hunter)
    path, token = f"/api/bounties/{bounty.pk}/submit", token_for(hunter)

    # when: they submit eight versions of their work at once
    results = fire(concurrent_server, [("POST", path, token, {"content": f"version {n}"}) for n in range(8)])

    # then: each replaced the one before; one pending submission is left, counted once
    assert statuses(results) == [201] * 8
    assert Submission.objects.filter(bounty=bounty, user=hunter).count() == 1
    assert Submission.objects.get(bounty=bounty, user=hunter).status == "pending"
    bounty.refresh_from_db()
    assert bounty.submission_count == 1


def test_concurrent_winner_selections_create_one_reward(concurrent_server):
    # given: a bounty with one submission
    bounty = BountyFactory()
    hunter = UserFactory()
    join(bounty, hunter)
    submit(bounty, hunter)
    owner_token = token_for(bounty.created_by)
    body = {"winnerId": hunter.pk}

    # when: the owner's "choose winner" fires many times at once
    results = fire(concurrent_server, [("POST", f"/api/bounties/{bounty.pk}/winner", owner_token, body)] * 8)

    # then: every call answers with the one reward
    assert statuses(results) == [200] * 8
    assert len({body["data"]["reward"]["id"] for _, body in results}) == 1
    assert Reward.objects.filter(bounty=bounty).count() == 1
    bounty.refresh_from_db()
    assert bounty.status == "completed"


def test_concurrent_winner_selections_of_different_winners_pick_one(concurrent_server):
    bounty = BountyFactory()
    first, second = UserFactory(), UserFactory()
    for hunter in (first, second):
        join(bounty, hunter)
        submit(bounty, hunter)
    owner_token = token_for(bounty.created_by)
    path = f"/api/bounties/{bounty.pk}/winner"

    results = fire(
        concurrent_server,
        [("POST", path, owner_token, {"winnerId": first.pk}), ("POST", path, owner_token, {"winnerId": second.pk})],
    )

    assert statuses(results) == [200, 409]
    assert [body["code"] for status, body in results if status == 409] == ["bounties.winner_already_chosen"]
    reward = Reward.objects.get(bounty=bounty)
    assert Submission.objects.filter(bounty=bounty, status="approved").get().user_id == reward.user_id


def test_concurrent_reviews_apply_once(concurrent_server):
    # given: one pending submission
    bounty = BountyFactory()
    hunter = UserFactory()
    join(bounty, hunter)
    submission = submit(bounty, hunter)
    owner_token = token_for(bounty.created_by)
    path = f"/api/bounties/{bounty.pk}/submissions/{submission.pk}/review"

    # when: approvals and rejections race
    calls = [
        ("POST", path, owner_token, {"status": "approved" if i % 2 else "rejected", "feedback": str(i)})
        for i in range(8)
    ]
    results = fire(concurrent_server, calls)

    # then: exactly one review applied, and the row says what that one answered
    assert statuses(results) == [200] + [409] * 7
    assert {body["code"] for status, body in results if status == 409} == {"bounties.submission_not_pending"}
    winner = next(body for status, body in results if status == 200)
    submission.refresh_from_db()
    assert (submission.status, submission.feedback) == (winner["status"], winner["feedback"])


# --- payouts: the chain is read first, then one transaction decides ---------------------------------


@pytest.fixture
def paying_chain(starknet_node):
    starknet_node.chain.mint(STRK, SENDER, units("1000000"))
    return starknet_node.chain


def test_concurrent_payouts_of_one_transaction_pay_once(concurrent_server, paying_chain):
    # given: a pending reward and the transfer that pays it
    reward = pending_reward(owner=UserFactory(), winner=UserFactory())
    tx_hash = pay(paying_chain, units("150.5"))
    path = f"/api/rewards/{reward.pk}/payout"

    # when: the owner's "paid" button fires many times at once
    results = fire(
        concurrent_server, [("POST", path, token_for(reward.bounty.created_by), {"transaction_hash": tx_hash})] * 8
    )

    # then: every call answers with the one paid reward, and one transfer pays it
    assert statuses(results) == [200] * 8
    assert {(body["status"], body["transaction_hash"]) for _, body in results} == {("paid", padded(tx_hash))}
    assert PayoutTransfer.objects.get().reward_id == reward.pk
    assert ActivityLog.objects.filter(action="reward.paid", target_id=str(reward.pk)).count() == 1


def test_concurrent_payouts_of_two_transactions_keep_one(concurrent_server, paying_chain):
    # given: two transfers, each of which would pay the reward
    reward = pending_reward(owner=UserFactory(), winner=UserFactory())
    hashes = [pay(paying_chain, units("150.5")), pay(paying_chain, units("150.5"))]
    path = f"/api/rewards/{reward.pk}/payout"
    token = token_for(reward.bounty.created_by)

    # when: both are submitted at the same moment, several times each
    results = fire(concurrent_server, [("POST", path, token, {"transaction_hash": tx_hash}) for tx_hash in hashes * 4])

    # then: one transaction won; the other's calls are clean conflicts
    reward.refresh_from_db()
    assert reward.status == "paid"
    winners = [body for status, body in results if status == 200]
    assert {body["transaction_hash"] for body in winners} == {reward.transaction_hash}
    assert statuses(results) == [200] * 4 + [409] * 4
    assert {body["code"] for status, body in results if status == 409} == {"bounties.reward_already_paid"}
    assert PayoutTransfer.objects.get().transaction_hash == reward.transaction_hash


def test_concurrent_payouts_of_one_transfer_for_two_rewards_pay_one(concurrent_server, paying_chain):
    # given: two rewards of the same amount to the same wallet, and one transfer
    owner, winner = UserFactory(), UserFactory()
    rewards = [pending_reward(owner=owner, winner=winner) for _ in range(2)]
    tx_hash = pay(paying_chain, units("150.5"))
    token = token_for(owner)

    # when: the transfer is submitted for both at once
    calls = [("POST", f"/api/rewards/{r.pk}/payout", token, {"transaction_hash": tx_hash}) for r in rewards] * 3
    results = fire(concurrent_server, calls)

    # then: it pays exactly one of them
    assert 500 not in {status for status, _ in results}
    assert {body["code"] for status, body in results if status == 409} == {"bounties.transfer_already_used"}
    paid = Reward.objects.get(status="paid")
    assert PayoutTransfer.objects.get().reward_id == paid.pk
    assert Reward.objects.filter(status="pending").count() == 1
    assert statuses(results) == [200] * 3 + [409] * 3
