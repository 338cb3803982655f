"""`manage.py verify_payouts`: processing rewards are checked again against the local Starknet node."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bounties.models import PayoutTransfer, Reward
from tests.bounties.payouts import RECEIPT, padded, payout, pending_reward

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("verify_payouts", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_verify_payouts_pays_accepted_and_is_idempotent(starknet_node, funded_chain, processing_payouts):
    # given: the first transaction is accepted, the second still pre-confirmed
    (accepted, accepted_hash), (waiting, _) = processing_payouts
    funded_chain.accept(int(accepted_hash, 16))
    starknet_node.clear_log()

    # when
    output = run()

    # then: one receipt call per processing reward; the accepted one is paid
    assert "Checked 2 processing rewards: 1 paid, 1 processing." in output
    assert len(starknet_node.calls(RECEIPT)) == 2
    assert Reward.objects.get(pk=accepted.pk).status == "paid"
    assert Reward.objects.get(pk=waiting.pk).status == "processing"
    transfer = PayoutTransfer.objects.get()
    assert (transfer.reward_id, transfer.transaction_hash) == (accepted.pk, padded(accepted_hash))

    # when: run again, the paid reward is no longer looked at and nothing changes
    starknet_node.clear_log()
    output = run()
    assert "Checked 1 processing rewards: 1 processing." in output
    assert len(starknet_node.calls(RECEIPT)) == 1
    assert PayoutTransfer.objects.count() == 1


def test_verify_payouts_without_processing_rewards_asks_nothing(starknet_node, funded_chain):
    assert "Checked 0 processing rewards." in run()
    assert starknet_node.methods == []


def test_verify_payouts_limit_bounds_the_batch(starknet_node, funded_chain, processing_payouts):
    for _, tx_hash in processing_payouts:
        funded_chain.accept(int(tx_hash, 16))
    starknet_node.clear_log()

    assert "Checked 1 processing rewards: 1 paid." in run("--limit", "1")
    assert len(starknet_node.calls(RECEIPT)) == 1
    assert Reward.objects.filter(status="processing").count() == 1


def test_verify_payouts_dry_run_changes_nothing(starknet_node, funded_chain, processing_payouts):
    for _, tx_hash in processing_payouts:
        funded_chain.accept(int(tx_hash, 16))
    starknet_node.clear_log()

    output = run("--dry-run")

    assert "2 processing rewards would be checked." in output
    for reward, _ in processing_payouts:
        assert f"would check {reward.pk}" in output
    assert starknet_node.methods == []
    assert Reward.objects.filter(status="processing").count() == 2


def test_verify_payouts_fails_only_when_node_trouble_hits_every_reward(starknet_node, funded_chain, processing_payouts):
    starknet_node.fail(503)
    with pytest.raises(CommandError, match="could not be asked about any reward"):
        run()
    assert Reward.objects.filter(status="processing").count() == 2

    # node trouble for one reward only is reported, not a failure of the run
    starknet_node.repair()
    starknet_node.fail(503, method=RECEIPT, times=1)
    output = run()
    assert "1 processing, 1 node trouble" in output


def test_verify_payouts_leaves_transactions_unknown_to_the_node(settings, make_starknet_node, processing_payouts):
    # given: a node that has not seen the transactions (e.g. lagging behind)
    settings.STARKNET_RPC_URLS = [make_starknet_node().url]

    output = run()

    assert "Checked 2 processing rewards: 2 not found." in output
    assert Reward.objects.filter(status="processing").count() == 2


def test_verify_payouts_fails_rewards_whose_transfer_was_taken(
    clients, funded_chain, processing_payouts, owner, participant
):
    # given: the first reward's transfer is accepted, then claimed by another reward first
    (taken, taken_hash), _ = processing_payouts
    funded_chain.accept(int(taken_hash, 16))
    other = pending_reward(owner=owner, winner=participant)
    assert payout(clients["owner"], other, taken_hash).json()["status"] == "paid"

    output = run()

    assert "1 processing, 1 failed" in output
    taken.refresh_from_db()
    assert (taken.status, taken.transaction_hash) == ("failed", padded(taken_hash))


def test_verify_payouts_rejects_a_limit_below_one(starknet_node):
    with pytest.raises(CommandError, match="--limit"):
        run("--limit", "0")
