"""The payout of a displayed amount is accepted, at every size the schema stores: a bounty is created
through the API, its winner chosen, the reward's amount read as the API shows it, and a transfer of
exactly that amount in base units (on the local Starknet node) pays it; one base unit less is refused.
"""

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, example, given, settings

from bounties.models import PayoutTransfer, Reward
from tests.bounties.helpers import assert_error
from tests.bounties.payouts import SENDER, WINNER_WALLET, pay, payout, units, verify
from tests.properties import AUDIT, FORTY, SMALLEST, WIDEST, Amount, amounts, example_rolled_back
from tests.starknet_node import FEE, STRK

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _every_stored_amount_allowed(settings):
    """MAX_REWARD_AMOUNT (10**12 by default) would refuse the upper half of the range."""
    settings.MAX_REWARD_AMOUNT = Decimal(WIDEST.text)


@pytest.fixture
def winner(participant):
    participant.wallet_address = WINNER_WALLET
    participant.save(update_fields=["wallet_address"])
    return participant


def displayed_reward(clients, winner, amount: Amount) -> dict:
    """Create a bounty of `amount` through the API, let `winner` join and submit, choose them, and
    return the reward as GET /rewards/{id} shows it to the owner (after checking the winner's list)."""
    owner = clients["owner"]
    body = json.dumps(
        {
            "title": "Exact payout",
            "description": "Pay exactly this.",
            "reward_amount": amount.text,
            "reward_token": "STRK",
            "difficulty": "beginner",
            "category": "development",
        }
    )
    created = owner.post("/api/bounties", body, content_type="application/json")
    assert created.status_code == 201, created.content
    bounty_id = created.json()["id"]
    assert clients["participant"].post(f"/api/bounties/{bounty_id}/join").status_code == 201
    submitted = clients["participant"].post(f"/api/bounties/{bounty_id}/submit", {"content": "done"}, format="json")
    assert submitted.status_code == 201, submitted.content
    chosen = owner.post(f"/api/bounties/{bounty_id}/winner", {"winnerId": winner.pk}, format="json")
    assert chosen.status_code == 200, chosen.content
    reward_id = chosen.json()["data"]["reward"]["id"]
    listed = clients["participant"].get("/api/rewards?role=winner")
    assert [item["amount"] for item in listed.json() if item["id"] == reward_id] == [amount.text]
    shown = owner.get(f"/api/rewards/{reward_id}")
    assert shown.status_code == 200, shown.content
    return shown.json()


@given(amount=amounts())
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(amount=AUDIT)
@example(amount=FORTY)
@example(amount=WIDEST)
@example(amount=SMALLEST)
def test_payout_of_the_displayed_amount_is_accepted_one_unit_less_refused(clients, starknet_node, winner, amount):
    with example_rolled_back():
        # given: the reward as the owner sees it, and a sender holding enough for both transfers
        reward = displayed_reward(clients, winner, amount)
        assert (reward["amount"], reward["token"], reward["recipient_address"]) == (amount.text, "STRK", WINNER_WALLET)
        chain = starknet_node.chain
        chain.mint(STRK, SENDER, 2 * amount.units + 2 * FEE)
        shown_units = units(reward["amount"])  # the displayed text in base units, converted by hand
        reward_model = Reward.objects.get(pk=reward["id"])

        # when: one base unit less than displayed
        short = payout(clients["owner"], reward_model, pay(chain, shown_units - 1))

        # then: refused, naming the expected amount with every digit
        assert_error(short, 400, "bounties.wrong_amount")
        assert f"expected exactly {amount.units} base units ({amount.text} STRK)" in short.json()["message"]
        assert Reward.objects.get(pk=reward["id"]).status == Reward.Status.PENDING

        # when: exactly the displayed amount
        paid = payout(clients["owner"], reward_model, pay(chain, shown_units))

        # then: paid, and the accepted transfer is the displayed amount
        assert paid.status_code == 200, paid.content
        assert (paid.json()["status"], paid.json()["amount"]) == ("paid", amount.text)
        assert PayoutTransfer.objects.get(reward_id=reward["id"]).amount_base_units == str(amount.units)


@pytest.mark.parametrize("amount", [AUDIT, FORTY, WIDEST])
def test_payout_verify_of_forty_digits_pays_once_accepted(clients, starknet_node, winner, amount):
    # given: the displayed amount sent, but only pre-confirmed
    reward = displayed_reward(clients, winner, amount)
    chain = starknet_node.chain
    chain.mint(STRK, SENDER, amount.units + FEE)
    tx_hash = pay(chain, units(reward["amount"]), finality="PRE_CONFIRMED")
    reward_model = Reward.objects.get(pk=reward["id"])
    assert payout(clients["owner"], reward_model, tx_hash).json()["status"] == "processing"

    # when: the node accepts it and the owner verifies
    chain.accept(int(tx_hash, 16))
    response = verify(clients["owner"], reward_model)

    # then
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["amount"]) == ("paid", amount.text)
    assert PayoutTransfer.objects.get(reward_id=reward["id"]).amount_base_units == str(amount.units)
