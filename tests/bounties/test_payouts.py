"""POST /rewards/{id}/payout and /verify through the HTTP API, against the local Starknet node.

A reward is paid only by a succeeded, accepted transaction whose Transfer from the reward token's
contract to the winner's wallet is exactly the amount; everything else is refused with what did not
match, leaving the reward as it was.
"""

from decimal import Decimal

import pytest

from accounts.models import ActivityLog
from bounties.models import PayoutTransfer, Reward
from tests.bounties.helpers import assert_error
from tests.bounties.payouts import (
    OTHER,
    RECEIPT,
    SENDER,
    TREASURY,
    USDC_LIKE,
    WINNER,
    WINNER_WALLET,
    assert_unchanged,
    padded,
    pay,
    payout,
    pending_reward,
    units,
    verify,
)
from tests.starknet_node import FEE, SEQUENCER, STRK

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(starknet_node):
    starknet_node.chain.mint(STRK, SENDER, units("1000000"))
    return starknet_node.chain


@pytest.fixture
def reward(owner, participant):
    """A pending reward of 150.5 STRK to the winner's linked wallet."""
    return pending_reward(owner=owner, winner=participant)


@pytest.fixture
def usdc_like(chain, settings):
    """A 6-decimals token on the node, configured as the USDC of settings.STARKNET_TOKENS."""
    chain.deploy_erc20(USDC_LIKE, name="USD Coin", symbol="USDC", decimals=6)
    chain.mint(USDC_LIKE, SENDER, 10**12)
    settings.STARKNET_TOKENS = {**settings.STARKNET_TOKENS, "USDC": {"address": hex(USDC_LIKE), "decimals": 6}}
    return USDC_LIKE


def actions(reward) -> list[str]:
    return list(
        ActivityLog.objects.filter(target_type="reward", target_id=str(reward.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- paid -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["current", "legacy"])
def test_payout_exact_transfer_marks_reward_paid(clients, starknet_node, chain, reward, layout):
    # given: the owner sent exactly 150.5 STRK to the winner (the fee transfer comes from STRK too)
    tx_hash = pay(chain, units("150.5"), layout=layout)
    starknet_node.clear_log()

    # when
    response = payout(clients["owner"], reward, tx_hash)

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["transaction_hash"], body["id"]) == ("paid", padded(tx_hash), str(reward.pk))
    assert body["paid_at"] is not None
    reward.refresh_from_db()
    assert (reward.status, reward.transaction_hash, reward.failure_reason) == ("paid", padded(tx_hash), None)
    transfer = PayoutTransfer.objects.get(reward=reward)
    assert (transfer.transaction_hash, transfer.event_index) == (padded(tx_hash), 0)
    assert int(transfer.token_address, 16) == STRK
    assert (int(transfer.from_address, 16), transfer.to_address) == (SENDER, WINNER_WALLET)
    assert transfer.amount_base_units == str(units("150.5"))
    assert transfer.finality_status == "ACCEPTED_ON_L2"
    assert transfer.block_number == chain.latest.number
    assert actions(reward) == ["reward.paid"]
    assert len(starknet_node.calls(RECEIPT)) == 1


def test_payout_accepted_on_l1_is_paid(clients, starknet_node, chain, reward):
    tx_hash = pay(chain, units("150.5"), finality="ACCEPTED_ON_L1")
    response = payout(clients["owner"], reward, tx_hash)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paid"
    assert PayoutTransfer.objects.get(reward=reward).finality_status == "ACCEPTED_ON_L1"


def test_payout_of_six_decimals_token_by_symbol(clients, starknet_node, usdc_like, owner, participant):
    # given: a 25.5 USDC reward, paid with 25_500_000 base units of the configured USDC contract
    reward = pending_reward(owner=owner, winner=participant, amount="25.5", token="USDC")
    tx_hash = pay(starknet_node.chain, 25_500_000, token=usdc_like)

    response = payout(clients["owner"], reward, tx_hash)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paid"
    assert PayoutTransfer.objects.get(reward=reward).amount_base_units == "25500000"


def test_payout_of_token_given_by_address_reads_its_decimals(clients, starknet_node, chain, owner, participant):
    # given: a reward in a token known only by its address; its 6 decimals live in the contract
    token = 0xABCDEF
    chain.deploy_erc20(token, name="Bounty Dollar", symbol="BUSD", decimals=6)
    chain.mint(token, SENDER, 10**12)
    reward = pending_reward(owner=owner, winner=participant, amount="7.25", token=f"0x{token:064x}")
    tx_hash = pay(chain, 7_250_000, token=token)
    starknet_node.clear_log()

    response = payout(clients["owner"], reward, tx_hash)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paid"
    assert set(starknet_node.called_functions()) == {"name", "symbol", "decimals"}
    assert len(starknet_node.calls(RECEIPT)) == 1


def test_payout_matching_transfer_among_others_in_one_transaction(clients, starknet_node, chain, reward):
    # given: a multicall paying someone else first, then the winner, then the winner 1 unit too much
    tx_hash = hex(
        chain.transfer_many(
            STRK, SENDER, [(OTHER, units("150.5")), (WINNER, units("150.5")), (WINNER, units("150.5") + 1)]
        )
    )

    response = payout(clients["owner"], reward, tx_hash)

    assert response.status_code == 200, response.content
    assert PayoutTransfer.objects.get(reward=reward).event_index == 1


def test_payout_two_matching_transfers_pay_two_rewards(clients, starknet_node, chain, owner, participant):
    # given: two rewards of the same amount to the same wallet, paid by one multicall
    first = pending_reward(owner=owner, winner=participant)
    second = pending_reward(owner=owner, winner=participant)
    tx_hash = hex(chain.transfer_many(STRK, SENDER, [(WINNER, units("150.5")), (WINNER, units("150.5"))]))

    # when: the same transaction is submitted for both, then for the first again
    assert payout(clients["owner"], first, tx_hash).status_code == 200
    assert payout(clients["owner"], second, tx_hash).status_code == 200
    again = payout(clients["owner"], first, tx_hash)

    # then: each took the first transfer not yet used, and the first call's answer stands
    assert again.status_code == 200
    assert again.json()["status"] == "paid"
    indexes = dict(PayoutTransfer.objects.values_list("reward_id", "event_index"))
    assert indexes == {first.pk: 0, second.pk: 1}


def test_payout_hash_normalised_from_any_case_and_padding(clients, starknet_node, chain, reward):
    tx_hash = pay(chain, units("150.5"))

    response = payout(clients["owner"], reward, " 0x" + tx_hash[2:].upper().rjust(64, "0") + " ")

    assert response.status_code == 200, response.content
    assert response.json()["transaction_hash"] == padded(tx_hash)
    assert starknet_node.calls(RECEIPT) == [{"transaction_hash": tx_hash}]


def test_payout_again_with_same_hash_returns_paid_reward_without_asking_node(clients, starknet_node, chain, reward):
    tx_hash = pay(chain, units("150.5"))
    first = payout(clients["owner"], reward, tx_hash).json()
    starknet_node.clear_log()

    response = payout(clients["admin"], reward, padded(tx_hash))

    assert response.status_code == 200
    assert response.json() == first
    assert starknet_node.methods == []
    assert PayoutTransfer.objects.count() == 1
    assert actions(reward) == ["reward.paid"]


def test_payout_other_hash_on_paid_reward_conflicts(clients, starknet_node, chain, reward):
    paid_with = pay(chain, units("150.5"))
    payout(clients["owner"], reward, paid_with)
    other = pay(chain, units("150.5"))
    starknet_node.clear_log()

    response = payout(clients["owner"], reward, other)

    assert_error(response, 409, "bounties.reward_already_paid")
    assert starknet_node.calls(RECEIPT) == []
    reward.refresh_from_db()
    assert reward.transaction_hash == padded(paid_with)
    assert PayoutTransfer.objects.get().transaction_hash == padded(paid_with)


# --- refused: what did not match --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "found"),
    [
        (units("150.5") - 1, str(units("150.5") - 1)),  # one base unit short
        (units("150.5") + 1, str(units("150.5") + 1)),  # one base unit more
        (units("300"), str(units("300"))),  # far more than expected
    ],
)
def test_payout_wrong_amount_refused(clients, starknet_node, chain, reward, amount, found):
    tx_hash = pay(chain, amount)
    starknet_node.clear_log()

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 400, "bounties.wrong_amount")
    message = response.json()["message"]
    assert f"expected exactly {units('150.5')} base units (150.5 STRK)" in message
    assert f"found {found}" in message
    assert_unchanged(reward)
    assert actions(reward) == ["reward.payout_refused"]
    assert len(starknet_node.calls(RECEIPT)) == 1


def test_payout_split_into_two_transfers_is_not_summed(clients, chain, reward):
    # given: 150.5 STRK reaching the winner in two transfers of one transaction
    tx_hash = hex(chain.transfer_many(STRK, SENDER, [(WINNER, units("100")), (WINNER, units("50.5"))]))

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 400, "bounties.wrong_amount")
    assert f"found {units('100')} (100 STRK), {units('50.5')} (50.5 STRK)" in response.json()["message"]
    assert_unchanged(reward)


def test_payout_wrong_recipient_refused(clients, chain, reward):
    tx_hash = pay(chain, units("150.5"), recipient=OTHER)

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 400, "bounties.wrong_recipient")
    message = response.json()["message"]
    assert WINNER_WALLET in message
    assert f"0x{OTHER:064x}" in message
    assert_unchanged(reward)


def test_payout_wrong_token_refused(clients, starknet_node, usdc_like, reward):
    # given: 150.5 units of another token (the right amount in its 6 decimals, too) for a STRK reward
    tx_hash = pay(starknet_node.chain, units("150.5", 6), token=usdc_like)

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 400, "bounties.wrong_token")
    message = response.json()["message"]
    assert f"0x{usdc_like:064x}" in message
    assert f"STRK (0x{STRK:064x})" in message
    assert_unchanged(reward)


def test_payout_fee_transfer_alone_refused(clients, starknet_node, chain, reward):
    # given: an approve, whose only STRK transfer is its fee (sender -> sequencer)
    tx_hash = hex(chain.approve(STRK, SENDER, WINNER, units("150.5")))

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 400, "bounties.no_transfer")
    assert "besides its fee" in response.json()["message"]
    assert_unchanged(reward)


def test_payout_fee_sized_reward_not_paid_by_the_fee(clients, starknet_node, chain, owner, participant):
    # given: a reward of exactly the fee amount; the transaction pays someone else, plus its fee
    reward = pending_reward(owner=owner, winner=participant, amount=str(Decimal(FEE).scaleb(-18)))
    tx_hash = pay(chain, FEE, recipient=OTHER)

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 400, "bounties.wrong_recipient")
    assert f"0x{SEQUENCER:064x}" not in response.json()["message"]
    assert_unchanged(reward)


def test_payout_reverted_transaction_refused_with_its_reason(clients, starknet_node, chain, reward):
    # given: a transfer of more than the sender holds reverts
    tx_hash = pay(chain, units("2000000"))

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 400, "bounties.transaction_reverted")
    assert "ERC20: insufficient balance" in response.json()["message"]
    assert_unchanged(reward)
    assert actions(reward) == ["reward.payout_refused"]


def test_payout_unknown_hash_not_found_and_nothing_stored(clients, starknet_node, chain, reward):
    starknet_node.clear_log()

    response = payout(clients["owner"], reward, "0xdeadbeef")

    assert_error(response, 400, "bounties.transaction_not_found")
    assert_unchanged(reward)
    assert actions(reward) == []
    assert len(starknet_node.calls(RECEIPT)) == 1


def test_payout_hash_used_by_another_reward_conflicts(clients, chain, reward, owner, participant):
    # given: a transfer already accepted as the payment of another reward of the same amount and wallet
    tx_hash = pay(chain, units("150.5"))
    other = pending_reward(owner=owner, winner=participant)
    assert payout(clients["owner"], other, tx_hash).status_code == 200

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 409, "bounties.transfer_already_used")
    assert "already used" in response.json()["message"]
    assert_unchanged(reward)
    assert PayoutTransfer.objects.get().reward_id == other.pk
    assert actions(reward) == ["reward.payout_refused"]


def test_payout_from_configured_treasury_only(clients, settings, chain, reward, owner, participant):
    settings.STARKNET_TREASURY_ADDRESS = hex(TREASURY)
    chain.mint(STRK, TREASURY, units("1000"))

    # a transfer from the owner's own account is refused, naming both senders
    from_owner = pay(chain, units("150.5"))
    refused = payout(clients["owner"], reward, from_owner)
    assert_error(refused, 400, "bounties.wrong_sender")
    assert f"0x{SENDER:064x}" in refused.json()["message"]
    assert f"0x{TREASURY:064x}" in refused.json()["message"]
    assert_unchanged(reward)

    # the same transfer from the treasury pays
    from_treasury = pay(chain, units("150.5"), sender=TREASURY)
    paid = payout(clients["owner"], reward, from_treasury)
    assert paid.status_code == 200, paid.content
    assert int(PayoutTransfer.objects.get(reward=reward).from_address, 16) == TREASURY


def test_payout_reward_amount_finer_than_token_conflicts(clients, starknet_node, usdc_like, owner, participant):
    # a token given by address may be configured with fewer decimals than the reward was created with
    reward = pending_reward(owner=owner, winner=participant, amount="1.0000001", token=f"0x{usdc_like:064x}")
    tx_hash = pay(starknet_node.chain, 1_000_000, token=usdc_like)

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 409, "bounties.reward_token_unusable")
    assert_unchanged(reward)


# --- pre-confirmed, then accepted -------------------------------------------------------------------


def test_payout_pre_confirmed_stays_processing_then_verify_pays(clients, starknet_node, chain, reward):
    # given: the transfer is only pre-confirmed
    tx_hash = pay(chain, units("150.5"), finality="PRE_CONFIRMED")
    starknet_node.clear_log()

    # when: the owner records it
    response = payout(clients["owner"], reward, tx_hash)

    # then: processing, hash recorded, no transfer accepted yet
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["transaction_hash"]) == ("processing", padded(tx_hash))
    assert response.json()["paid_at"] is None
    assert not PayoutTransfer.objects.exists()
    assert len(starknet_node.calls(RECEIPT)) == 1

    # a re-check while it is still pre-confirmed changes nothing
    assert verify(clients["owner"], reward).json()["status"] == "processing"
    assert actions(reward) == ["reward.processing"]

    # when: the node accepts it and the owner verifies
    chain.accept(int(tx_hash, 16))
    starknet_node.clear_log()
    response = verify(clients["owner"], reward)

    # then
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paid"
    assert len(starknet_node.calls(RECEIPT)) == 1
    assert PayoutTransfer.objects.get(reward=reward).finality_status == "ACCEPTED_ON_L2"
    assert actions(reward) == ["reward.processing", "reward.paid"]


def test_payout_pre_confirmed_wrong_transfer_refused_at_once(clients, chain, reward):
    tx_hash = pay(chain, units("150"), finality="PRE_CONFIRMED")
    response = payout(clients["owner"], reward, tx_hash)
    assert_error(response, 400, "bounties.wrong_amount")
    assert_unchanged(reward)


def test_payout_same_hash_on_processing_reward_checks_again(clients, chain, reward):
    tx_hash = pay(chain, units("150.5"), finality="PRE_CONFIRMED")
    payout(clients["owner"], reward, tx_hash)
    chain.accept(int(tx_hash, 16))

    response = payout(clients["owner"], reward, tx_hash)

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paid"


def test_payout_other_hash_on_processing_reward_conflicts(clients, starknet_node, chain, reward):
    first = pay(chain, units("150.5"), finality="PRE_CONFIRMED")
    payout(clients["owner"], reward, first)
    second = pay(chain, units("150.5"))
    starknet_node.clear_log()

    response = payout(clients["owner"], reward, second)

    assert_error(response, 409, "bounties.payout_in_progress")
    assert starknet_node.calls(RECEIPT) == []
    reward.refresh_from_db()
    assert (reward.status, reward.transaction_hash) == ("processing", padded(first))


def test_verify_processing_reward_whose_transfer_was_taken_fails_it(clients, chain, reward, owner, participant):
    # given: a pre-confirmed transfer recorded for `reward`, then accepted and claimed by another reward
    tx_hash = pay(chain, units("150.5"), finality="PRE_CONFIRMED")
    payout(clients["owner"], reward, tx_hash)
    chain.accept(int(tx_hash, 16))
    other = pending_reward(owner=owner, winner=participant)
    assert payout(clients["owner"], other, tx_hash).json()["status"] == "paid"

    # when
    response = verify(clients["owner"], reward)

    # then: refused, and the reward is failed so that a new transaction can be submitted
    assert_error(response, 409, "bounties.transfer_already_used")
    reward.refresh_from_db()
    assert (reward.status, reward.transaction_hash) == ("failed", padded(tx_hash))
    assert "already used" in reward.failure_reason
    assert actions(reward) == ["reward.processing", "reward.payout_failed"]

    # a retry answers the same and changes nothing more
    assert_error(verify(clients["owner"], reward), 409, "bounties.transfer_already_used")
    assert actions(reward)[-1] == "reward.payout_refused"

    # and a new, good transaction pays the failed reward
    fresh = pay(chain, units("150.5"))
    response = payout(clients["owner"], reward, fresh)
    assert response.status_code == 200, response.content
    reward.refresh_from_db()
    assert (reward.status, reward.transaction_hash, reward.failure_reason) == ("paid", padded(fresh), None)


def test_verify_without_recorded_transaction_conflicts(clients, starknet_node, reward):
    assert_error(verify(clients["owner"], reward), 409, "bounties.no_payout_to_verify")
    assert starknet_node.methods == []


def test_verify_paid_reward_returns_it_unchanged(clients, starknet_node, chain, reward):
    payout(clients["owner"], reward, pay(chain, units("150.5")))
    starknet_node.clear_log()
    response = verify(clients["admin"], reward)
    assert response.status_code == 200
    assert response.json()["status"] == "paid"
    assert starknet_node.methods == []


# --- input and state checks before any chain call ---------------------------------------------------


@pytest.mark.parametrize(
    "tx_hash",
    ["", "abc", "0x", "0xg1", "0X1", "0x" + "1" * 65, hex(2**251 + 17 * 2**192 + 1), "0x0", 12345, None, ["0x1"]],
)
def test_payout_malformed_hash_rejected(clients, starknet_node, reward, tx_hash):
    response = payout(clients["owner"], reward, tx_hash)
    assert response.status_code == 400, response.content
    assert response.json()["code"] in ("bounties.invalid_transaction_hash", "request.validation_failed")
    assert "transaction_hash" in response.json()["errors"]
    assert starknet_node.methods == []
    assert_unchanged(reward)


def test_payout_without_body_rejected(clients, starknet_node, reward):
    response = clients["owner"].post(f"/api/rewards/{reward.pk}/payout", {}, format="json")
    assert_error(response, 400, "request.validation_failed")
    assert starknet_node.methods == []


def test_payout_without_recipient_conflicts(clients, starknet_node, chain, owner, participant):
    reward = pending_reward(owner=owner, winner=participant, recipient=None)
    response = payout(clients["owner"], reward, pay(chain, units("150.5")))
    assert_error(response, 409, "bounties.reward_without_recipient")
    assert starknet_node.calls(RECEIPT) == []
    assert_unchanged(reward)


# --- node trouble: 502/503/504, nothing written -----------------------------------------------------


@pytest.mark.parametrize(
    ("trouble", "status", "code"),
    [
        (lambda node: node.fail(503), 503, "starknet.unavailable"),
        (lambda node: node.fail(429, method=RECEIPT), 503, "starknet.unavailable"),
        (lambda node: node.fail(500, method=RECEIPT), 502, "starknet.bad_gateway"),
        (lambda node: node.answer_without_result(method=RECEIPT), 502, "starknet.bad_gateway"),
        (lambda node: node.answer_not_json(method=RECEIPT), 502, "starknet.bad_gateway"),
    ],
)
def test_payout_node_trouble_writes_nothing(clients, starknet_node, chain, reward, trouble, status, code):
    tx_hash = pay(chain, units("150.5"))
    trouble(starknet_node)

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, status, code)
    assert_unchanged(reward)
    assert actions(reward) == []


def test_payout_node_unreachable_is_503(clients, settings, reward):
    from tests.starknet_node import unreachable_url

    settings.STARKNET_RPC_URLS = [unreachable_url()]
    response = payout(clients["owner"], reward, "0xabc")
    assert_error(response, 503, "starknet.unavailable")
    assert_unchanged(reward)


def test_payout_node_timeout_is_504(clients, settings, starknet_node, chain, reward):
    tx_hash = pay(chain, units("150.5"))
    settings.STARKNET_RPC_TIMEOUT = 0.3
    starknet_node.hang(3, method=RECEIPT)

    response = payout(clients["owner"], reward, tx_hash)

    assert_error(response, 504, "starknet.timeout")
    assert_unchanged(reward)
    assert actions(reward) == []


@pytest.mark.parametrize(
    ("trouble", "status", "code"),
    [
        (lambda node: node.fail(503), 503, "starknet.unavailable"),
        (lambda node: node.fail(500, method=RECEIPT), 502, "starknet.bad_gateway"),
        (lambda node: node.hang(3, method=RECEIPT), 504, "starknet.timeout"),
    ],
)
def test_verify_node_trouble_leaves_processing_reward(
    clients, settings, starknet_node, chain, reward, trouble, status, code
):
    tx_hash = pay(chain, units("150.5"), finality="PRE_CONFIRMED")
    payout(clients["owner"], reward, tx_hash)
    reward.refresh_from_db()
    chain.accept(int(tx_hash, 16))
    settings.STARKNET_RPC_TIMEOUT = 0.3
    trouble(starknet_node)

    assert_error(verify(clients["owner"], reward), status, code)
    assert_unchanged(reward, status="processing", transaction_hash=padded(tx_hash))


# --- who may record a payout ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("owner", 200, None),
        ("admin", 200, None),
        ("participant", 403, "bounties.not_owner"),  # the winner sees the reward but may not pay it
        ("stranger", 404, "bounties.reward_not_found"),
        ("anonymous", 401, "auth.not_authenticated"),
    ],
)
@pytest.mark.parametrize("endpoint", ["payout", "verify"])
def test_payout_permissions(clients, starknet_node, chain, reward, persona, status, code, endpoint):
    tx_hash = pay(chain, units("150.5"), finality="PRE_CONFIRMED")
    if endpoint == "verify":
        payout(clients["owner"], reward, tx_hash)
        chain.accept(int(tx_hash, 16))
    reward.refresh_from_db()
    starknet_node.clear_log()

    response = payout(clients[persona], reward, tx_hash) if endpoint == "payout" else verify(clients[persona], reward)

    if code is None:
        assert response.status_code == status, response.content
        assert response.json()["status"] == ("processing" if endpoint == "payout" else "paid")
    else:
        assert_error(response, status, code)
        assert starknet_node.methods == []
        assert Reward.objects.get(pk=reward.pk).status == reward.status
    # the same visibility as GET /rewards/{id}
    detail = clients[persona].get(f"/api/rewards/{reward.pk}").status_code
    assert detail == {"owner": 200, "admin": 200, "participant": 200, "stranger": 404, "anonymous": 401}[persona]


def test_payout_unknown_reward_is_404(clients, starknet_node):
    response = clients["admin"].post(
        "/api/rewards/00000000-0000-0000-0000-000000000000/payout", {"transaction_hash": "0x1"}, format="json"
    )
    assert_error(response, 404, "bounties.reward_not_found")
    assert starknet_node.methods == []
