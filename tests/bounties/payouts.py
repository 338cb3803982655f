"""Helpers of the payout tests: the accounts that pay and get paid on the local node, and the rewards."""

from decimal import Decimal

from bounties.models import PayoutTransfer, Reward
from tests.factories import BountyFactory, RewardFactory, wallet_for
from tests.starknet_node import STRK

# The bounty owner's paying account, the winner's linked wallet, someone else, and a treasury.
SENDER = 0x5E4D3C2B1A
WINNER_WALLET = wallet_for(7)
WINNER = int(WINNER_WALLET, 16)
OTHER = int(wallet_for(8), 16)
TREASURY = 0x7EA5
# A USDC-like token with 6 decimals at an address of our own.
USDC_LIKE = 0x0123456789ABCDEF
RECEIPT = "starknet_getTransactionReceipt"


def units(amount: str, decimals: int = 18) -> int:
    """A plain decimal string ("150.5") to base units, from its digits: independent of the code under
    test, and exact at any size (Decimal's default context would round beyond 28 digits)."""
    whole, _, fraction = amount.partition(".")
    assert len(fraction) <= decimals, f"{amount} has more than {decimals} decimals"
    return int(whole + fraction.ljust(decimals, "0"))


def pending_reward(*, owner, winner, amount: str = "150.5", token: str = "STRK", recipient=WINNER_WALLET) -> Reward:
    bounty = BountyFactory(created_by=owner, reward_amount=Decimal(amount), reward_token=token)
    return RewardFactory(bounty=bounty, user=winner, recipient_address=recipient)


def pay(chain, amount: int, *, token: int = STRK, sender: int = SENDER, recipient: int = WINNER, **kwargs) -> str:
    """Mine a transfer on the local node; returns its hash as the wallet shows it (unpadded hex)."""
    return hex(chain.transfer(token, sender, recipient, amount, **kwargs))


def padded(tx_hash: str) -> str:
    return f"0x{int(tx_hash, 16):064x}"


def payout(client, reward, tx_hash: str):
    return client.post(f"/api/rewards/{reward.pk}/payout", {"transaction_hash": tx_hash}, format="json")


def verify(client, reward):
    return client.post(f"/api/rewards/{reward.pk}/verify")


def assert_unchanged(reward: Reward, *, status: str = "pending", transaction_hash: str | None = None) -> None:
    """The reward is as it was before the refused call, and no transfer pays it."""
    fresh = Reward.objects.get(pk=reward.pk)
    assert (fresh.status, fresh.transaction_hash, fresh.paid_at) == (status, transaction_hash, None)
    assert fresh.updated_at == reward.updated_at
    assert not PayoutTransfer.objects.filter(reward=reward).exists()
