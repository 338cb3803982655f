"""Payouts of rewards, proven on Starknet before they count (starknet-notes §4).

A reward is paid only by a succeeded transaction accepted on L2 or L1 that carries an ERC-20 Transfer
event from the reward token's contract to the winner's wallet for exactly the reward amount (and, when
a treasury is configured, from the treasury). Transfers are never summed and the fee transfer never
counts: matching on recipient and amount leaves it out.

The chain is asked first, outside any database transaction: one receipt call per check (plus the
cached metadata of a token given by address). What it said is then written in one transaction that
re-reads the reward under a row lock; the unique (transaction hash, event index) of PayoutTransfer
makes one transfer pay at most one reward.

Outcomes of a check:
- accepted with a matching transfer: `paid`, with its PayoutTransfer row;
- pre-confirmed with a matching transfer: `processing` with the hash recorded and no transfer row;
  `/verify` or `verify_payouts` finishes it once the transaction is accepted;
- unknown transaction or node trouble: nothing written, the client may retry;
- executed but not paying the reward (reverted, no transfer, wrong recipient, token, amount or sender,
  transfer already used): refused, naming what did not match. A pending or failed reward stays as it
  was; a processing reward whose recorded transaction turns out this way becomes `failed` (with the
  reason), so that its owner can submit another transaction.
"""

import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import activity_record
from blocra import starknet
from blocra.amounts import amount_from_base_units, amount_to_base_units, format_amount
from bounties.errors import (
    InvalidTransactionHash,
    NoPayoutToVerify,
    NoTransferEvent,
    PayoutInProgress,
    PayoutRefused,
    RewardAlreadyPaid,
    RewardNotFound,
    RewardTokenUnusable,
    RewardWithoutRecipient,
    TransactionNotFound,
    TransactionReverted,
    TransferAlreadyUsed,
    WrongAmount,
    WrongRecipient,
    WrongSender,
    WrongToken,
)
from bounties.locks import reward_lock
from bounties.models import PayoutTransfer, Reward
from bounties.notifications import notify_payout_verified
from bounties.permissions import moderation_metadata
from bounties.selectors import reward_get_manageable
from bounties.tokens import token_contract

_TX_HASH = re.compile(r"^0x[0-9a-fA-F]{1,64}$")
# The chain's revert reasons can be long traces; the API and the reward keep their start.
REASON_MAX = 500
# The token a transaction's fee is paid in, by the receipt's fee unit.
_FEE_TOKENS = {"FRI": "STRK", "WEI": "ETH"}


def transaction_hash_normalize(value: str) -> str:
    """`0x` + 64 lowercase hex digits for a `0x` + 1..64 hex digit felt above zero.

    Raises InvalidTransactionHash.
    """
    if not isinstance(value, str) or not _TX_HASH.match(value.strip()):
        raise InvalidTransactionHash()
    number = int(value.strip(), 16)
    if not 0 < number < starknet.FIELD_PRIME:
        raise InvalidTransactionHash()
    return f"0x{number:064x}"


@dataclass(frozen=True)
class TransferMatch:
    """A Transfer event of the receipt that pays the reward: index `event_index` in the receipt."""

    event_index: int
    token: int
    sender: int
    recipient: int
    amount: int


@dataclass(frozen=True)
class ChainVerdict:
    """What the chain says about a payout transaction: its finality and the transfers that pay the
    reward, in event order (at least one)."""

    accepted: bool
    finality_status: str
    block_number: int | None
    matches: list[TransferMatch]


# --- Services ---------------------------------------------------------------------------------------


def reward_payout_submit(*, reward_id: uuid.UUID, actor: User, transaction_hash: str) -> Reward:
    """Record `transaction_hash` as the payout of a reward (bounty owner or admin) and verify it on chain.

    A paid reward with the same hash is returned unchanged; a processing one with the same hash is
    checked again. Raises InvalidTransactionHash, RewardNotFound, NotOwner, RewardAlreadyPaid,
    PayoutInProgress, RewardWithoutRecipient, TransactionNotFound, PayoutRefused (and subclasses),
    TransferAlreadyUsed, RewardTokenUnusable, and starknet.NodeError on node trouble.
    """
    tx_hash = transaction_hash_normalize(transaction_hash)
    reward = reward_get_manageable(reward_id=reward_id, user=actor)
    if reward.status == Reward.Status.PAID:
        if reward.transaction_hash == tx_hash:
            return reward
        raise RewardAlreadyPaid()
    if reward.status == Reward.Status.PROCESSING and reward.transaction_hash != tx_hash:
        raise PayoutInProgress()
    if reward.recipient_address is None:
        raise RewardWithoutRecipient()
    return _payout_check(reward=reward, tx_hash=tx_hash, actor=actor, check="submit")


def reward_payout_verify(*, reward_id: uuid.UUID, actor: User | None = None) -> Reward:
    """Check the transaction recorded on a reward again: a processing reward becomes paid once it is
    accepted. A paid reward is returned unchanged. `actor` None is the system (verify_payouts): no
    permission check. Raises what reward_payout_submit raises, and NoPayoutToVerify."""
    if actor is None:
        try:
            reward = Reward.objects.select_related("bounty").get(pk=reward_id)
        except Reward.DoesNotExist:
            raise RewardNotFound() from None
    else:
        reward = reward_get_manageable(reward_id=reward_id, user=actor)
    if reward.status == Reward.Status.PAID:
        return reward
    if reward.transaction_hash is None or reward.recipient_address is None:
        raise NoPayoutToVerify()
    return _payout_check(reward=reward, tx_hash=reward.transaction_hash, actor=actor, check="verify")


# --- Writing what the chain said --------------------------------------------------------------------


@dataclass(frozen=True)
class _Logged:
    """Who checks a payout and how, for its activity rows: `check` is `submit` (a transaction hash
    sent by the owner or an admin) or `verify` (a recorded one checked again, by them or the system)."""

    actor: User | None
    check: str
    moderation: dict[str, bool]


def _payout_check(*, reward: Reward, tx_hash: str, actor: User | None, check: str) -> Reward:
    # `reward` was read with its bounty joined (reward_get_manageable, or reward_payout_verify for the system).
    logged = _Logged(
        actor=actor,
        check=check,
        moderation=moderation_metadata(actor=actor, bounty=reward.bounty) if actor is not None else {},
    )
    try:
        verdict = _chain_verdict(reward=reward, tx_hash=tx_hash)
        return _payout_record(reward=reward, tx_hash=tx_hash, verdict=verdict, logged=logged)
    except (PayoutRefused, TransferAlreadyUsed) as refusal:
        _refusal_record(reward=reward, tx_hash=tx_hash, refusal=refusal, logged=logged)
        raise


def _payout_record(*, reward: Reward, tx_hash: str, verdict: ChainVerdict, logged: _Logged) -> Reward:
    """Apply the verdict to the reward re-read under a lock (a concurrent check may have won)."""
    with transaction.atomic():
        locked = reward_lock(reward.pk)
        if locked.status == Reward.Status.PAID:
            if locked.transaction_hash == tx_hash:
                return locked
            raise RewardAlreadyPaid()
        if locked.status == Reward.Status.PROCESSING and locked.transaction_hash != tx_hash:
            raise PayoutInProgress()
        claimed = set(PayoutTransfer.objects.filter(transaction_hash=tx_hash).values_list("event_index", flat=True))
        unclaimed = [match for match in verdict.matches if match.event_index not in claimed]
        if not unclaimed:
            raise TransferAlreadyUsed()
        now = timezone.now()
        if not verdict.accepted:
            if locked.status == Reward.Status.PROCESSING:
                return locked
            locked.status, locked.transaction_hash, locked.failure_reason = Reward.Status.PROCESSING, tx_hash, None
            locked.save(update_fields=["status", "transaction_hash", "failure_reason", "updated_at"])
            _activity(locked, "reward.processing", logged, tx_hash, finality_status=verdict.finality_status)
            return locked
        match = unclaimed[0]
        try:
            # A savepoint of its own: the unique (hash, index) failing means another reward took it.
            with transaction.atomic():
                PayoutTransfer.objects.create(
                    reward=locked,
                    transaction_hash=tx_hash,
                    event_index=match.event_index,
                    token_address=starknet.felt_hex(match.token),
                    from_address=starknet.felt_hex(match.sender),
                    to_address=starknet.felt_hex(match.recipient),
                    amount_base_units=str(match.amount),
                    block_number=verdict.block_number,
                    finality_status=verdict.finality_status,
                )
        except IntegrityError as exc:
            raise TransferAlreadyUsed() from exc
        locked.status, locked.transaction_hash, locked.paid_at = Reward.Status.PAID, tx_hash, now
        locked.failure_reason = None
        locked.save(update_fields=["status", "transaction_hash", "paid_at", "failure_reason", "updated_at"])
        _activity(
            locked,
            "reward.paid",
            logged,
            tx_hash,
            event_index=match.event_index,
            amount_base_units=str(match.amount),
            block_number=verdict.block_number,
            finality_status=verdict.finality_status,
        )
        notify_payout_verified(bounty=reward.bounty, reward=locked, actor=logged.actor)
        return locked


def _refusal_record(
    *,
    reward: Reward,
    tx_hash: str,
    refusal: PayoutRefused | TransferAlreadyUsed,
    logged: _Logged,
) -> None:
    """Log a refusal. A processing reward whose own recorded transaction was refused becomes `failed`
    (conditionally: never a reward a concurrent check has just paid)."""
    details = {"code": refusal.code, "reason": refusal.message}
    if reward.status == Reward.Status.PROCESSING and reward.transaction_hash == tx_hash:
        with transaction.atomic():
            failed = Reward.objects.filter(
                pk=reward.pk, status=Reward.Status.PROCESSING, transaction_hash=tx_hash
            ).update(status=Reward.Status.FAILED, failure_reason=refusal.message, updated_at=timezone.now())
            action = "reward.payout_failed" if failed else "reward.payout_refused"
            _activity(reward, action, logged, tx_hash, **details)
        return
    _activity(reward, "reward.payout_refused", logged, tx_hash, **details)


def _activity(reward: Reward, action: str, logged: _Logged, tx_hash: str, **metadata: Any) -> None:
    activity_record(
        action=action,
        actor=logged.actor,
        target_type="reward",
        target_id=reward.pk,
        metadata={
            "bounty_id": str(reward.bounty_id),
            "transaction_hash": tx_hash,
            "check": logged.check,
            **metadata,
            **logged.moderation,
        },
    )


# --- Asking the chain -------------------------------------------------------------------------------


def _chain_verdict(*, reward: Reward, tx_hash: str) -> ChainVerdict:
    """Read the transaction's receipt (one call) and find the transfers that pay `reward`.

    Raises TransactionNotFound, PayoutRefused subclasses, RewardTokenUnusable, starknet.NodeError.
    """
    try:
        receipt = starknet.get_transaction_receipt(int(tx_hash, 16))
    except starknet.TransactionNotFound as exc:
        raise TransactionNotFound() from exc
    if not receipt.succeeded:
        reason = (receipt.revert_reason or "no reason given")[:REASON_MAX]
        raise TransactionReverted(f"The transaction reverted: {reason}")
    return ChainVerdict(
        accepted=receipt.accepted,
        finality_status=receipt.finality_status,
        block_number=receipt.block_number,
        matches=_matching_transfers(reward=reward, receipt=receipt),
    )


def _matching_transfers(*, reward: Reward, receipt: starknet.Receipt) -> list[TransferMatch]:
    """Transfers of the receipt that pay the reward exactly, narrowed criterion by criterion so that a
    refusal names the first one nothing met. Raises PayoutRefused subclasses, RewardTokenUnusable."""
    if reward.recipient_address is None:
        raise RewardWithoutRecipient()
    token, recipient = token_contract(reward.token), int(reward.recipient_address, 16)
    label = reward.token
    transfers = [
        TransferMatch(index, decoded.token, decoded.sender, decoded.recipient, decoded.amount)
        for index, event in enumerate(receipt.events)
        if (decoded := starknet.decode_erc20_event(event)) is not None and decoded.kind == "Transfer"
    ]

    to_recipient = [t for t in transfers if t.recipient == recipient]
    if not to_recipient:
        others = [t for t in transfers if not _is_fee(t, receipt)]
        if not others:
            raise NoTransferEvent(
                "The transaction carries no ERC-20 Transfer event besides its fee payment."
                if transfers
                else "The transaction carries no ERC-20 Transfer event."
            )
        destinations = ", ".join(dict.fromkeys(starknet.felt_hex(t.recipient) for t in others))
        raise WrongRecipient(
            f"Wrong recipient: nothing is transferred to the winner's wallet {reward.recipient_address}; "
            f"the transaction's transfers go to {destinations}."
        )

    of_token = [t for t in to_recipient if t.token == token]
    if not of_token:
        contracts = ", ".join(dict.fromkeys(starknet.felt_hex(t.token) for t in to_recipient))
        raise WrongToken(
            f"Wrong token: the transfer to the winner's wallet is of the token contract {contracts}, "
            f"not of the reward token {label} ({starknet.felt_hex(token)})."
        )

    decimals = _token_decimals(reward.token)
    try:
        expected = amount_to_base_units(reward.amount, decimals)
    except ValueError:
        raise RewardTokenUnusable(
            f"The reward of {format_amount(reward.amount)} has more decimals than its token ({decimals}): "
            "no transfer can pay it exactly."
        ) from None
    exact = [t for t in of_token if t.amount == expected]
    if not exact:
        found = ", ".join(f"{t.amount} ({_display(t.amount, decimals)} {label})" for t in of_token)
        raise WrongAmount(
            f"Wrong amount: expected exactly {expected} base units ({_display(expected, decimals)} {label}), "
            f"found {found}."
        )

    treasury = _treasury()
    if treasury is not None:
        from_treasury = [t for t in exact if t.sender == treasury]
        if not from_treasury:
            senders = ", ".join(dict.fromkeys(starknet.felt_hex(t.sender) for t in exact))
            raise WrongSender(
                f"Wrong sender: the transfer comes from {senders}, not from the treasury {starknet.felt_hex(treasury)}."
            )
        exact = from_treasury
    return exact


def _token_decimals(token: str) -> int:
    """Decimals of a reward token: from settings for a symbol, read from the contract for an address."""
    known = settings.STARKNET_TOKENS.get(token)
    if known is not None:
        return int(known["decimals"])
    try:
        return starknet.erc20_metadata(token).decimals
    except starknet.ChainAnswer as exc:
        raise RewardTokenUnusable(
            f"The reward token {token} cannot be read as an ERC-20 contract on this chain."
        ) from exc


def _treasury() -> int | None:
    configured = settings.STARKNET_TREASURY_ADDRESS
    return int(starknet.normalize_address(configured), 16) if configured else None


def _is_fee(transfer: TransferMatch, receipt: starknet.Receipt) -> bool:
    """Whether a transfer is the transaction's fee payment: the receipt's last event, of the fee token,
    for the actual fee. Only used to word a refusal; matching never needs it."""
    fee_token = settings.STARKNET_TOKENS.get(_FEE_TOKENS.get(receipt.fee_unit, ""))
    return (
        fee_token is not None
        and transfer.event_index == len(receipt.events) - 1
        and transfer.token == int(starknet.normalize_address(str(fee_token["address"])), 16)
        and transfer.amount == receipt.actual_fee
    )


def _display(units: int, decimals: int) -> str:
    return format_amount(amount_from_base_units(units, decimals)) or "0"
