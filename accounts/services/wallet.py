"""Sign in with a Starknet wallet: challenges, proof by the account contract (SNIP-6), sign-in and linking.

The flow: `wallet_challenge_issue` stores a random nonce for an address and returns the SNIP-12 typed
data to sign; `wallet_signin` / `wallet_link` rebuild that typed data from the stored challenge (the
client never sends typed data or a hash), ask the account contract over RPC whether the signature is
valid, and only then consume the nonce.

When the nonce is consumed: after the chain answered, by one conditional UPDATE (`used_at IS NULL AND
expires_at > now`), so of two concurrent uses at most one matches a row and a replay never passes.
The RPC call happens before, outside any transaction. Node trouble (503/504/502) leaves the nonce
unused, so the user can retry until it expires. A definitive "invalid signature" or "not deployed"
answer consumes it: a nonce buys at most one verdict from the chain, so nobody can spend our RPC quota
by replaying one nonce with guessed signatures.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import AccountDisabled, AccountNotDeployed, InvalidNonce, InvalidSignature, WalletTaken
from accounts.models import User, WalletChallenge
from accounts.services.activity import activity_record
from accounts.services.sessions import SessionTokens, session_create, sessions_revoke_all
from accounts.signals import wallet_linked
from blocra import starknet

# --- Challenges -------------------------------------------------------------------------------------

SIGNIN_STATEMENT = "Sign in to {app}. This does not send a transaction or cost a fee."
LINK_STATEMENT = "Link this wallet to your {app} account. This does not send a transaction or cost a fee."
_STATEMENTS = {
    WalletChallenge.Purpose.SIGNIN: SIGNIN_STATEMENT,
    WalletChallenge.Purpose.LINK: LINK_STATEMENT,
}


@dataclass(frozen=True)
class IssuedChallenge:
    challenge: WalletChallenge
    typed_data: dict[str, Any]


def _timestamp(moment: datetime) -> int:
    return int(moment.timestamp())


def signin_typed_data(
    *, address: str, nonce: str, issued_at: int, expires_at: int, statement: str | None = None
) -> dict[str, Any]:
    """The SNIP-12 (revision 1) typed data a wallet signs to sign in: domain = SIGNIN_APP_NAME, version
    "1", chainId = STARKNET_CHAIN_ID; the message names our site, the account, the nonce and the times
    (Unix seconds). `statement` defaults to the sign-in sentence."""
    app = settings.SIGNIN_APP_NAME
    return {
        "types": {
            "StarknetDomain": [
                {"name": "name", "type": "shortstring"},
                {"name": "version", "type": "shortstring"},
                {"name": "chainId", "type": "shortstring"},
                {"name": "revision", "type": "shortstring"},
            ],
            "SignIn": [
                {"name": "domain", "type": "shortstring"},
                {"name": "uri", "type": "string"},
                {"name": "statement", "type": "string"},
                {"name": "address", "type": "ContractAddress"},
                {"name": "nonce", "type": "shortstring"},
                {"name": "issuedAt", "type": "timestamp"},
                {"name": "expiresAt", "type": "timestamp"},
            ],
        },
        "primaryType": "SignIn",
        "domain": {"name": app, "version": "1", "chainId": settings.STARKNET_CHAIN_ID, "revision": "1"},
        "message": {
            "domain": settings.STARKNET_SIGNIN_DOMAIN,
            "uri": settings.STARKNET_SIGNIN_URI,
            "statement": statement if statement is not None else SIGNIN_STATEMENT.format(app=app),
            "address": address,
            "nonce": nonce,
            "issuedAt": int(issued_at),
            "expiresAt": int(expires_at),
        },
    }


def wallet_challenge_typed_data(*, challenge: WalletChallenge) -> dict[str, Any]:
    """The SNIP-12 typed data of a stored challenge, exactly as it was issued."""
    return signin_typed_data(
        address=challenge.address,
        nonce=challenge.nonce,
        issued_at=_timestamp(challenge.issued_at),
        expires_at=_timestamp(challenge.expires_at),
        statement=_STATEMENTS[WalletChallenge.Purpose(challenge.purpose)].format(app=settings.SIGNIN_APP_NAME),
    )


# Each new challenge deletes up to this many challenges that expired over CHALLENGE_PURGE_GRACE ago:
# more than one per new row, so the table stays about as long as the challenges of the last
# TTL + grace, without an operator.
CHALLENGE_PURGE_BATCH = 100
CHALLENGE_PURGE_GRACE = timedelta(hours=1)


def wallet_challenge_issue(*, address: str, purpose: str = WalletChallenge.Purpose.SIGNIN) -> IssuedChallenge:
    """Store a fresh single-use nonce for `address` (normalised) and return it with its typed data.
    The nonce expires after STARKNET_SIGNIN_TTL seconds. Purges a batch of long-expired challenges."""
    # Whole seconds: the typed data carries Unix seconds and must be rebuilt identically later.
    issued_at = timezone.now().replace(microsecond=0)
    wallet_challenges_purge(expired_before=issued_at - CHALLENGE_PURGE_GRACE, limit=CHALLENGE_PURGE_BATCH)
    challenge = WalletChallenge.objects.create(
        nonce=secrets.token_urlsafe(12),  # 16 URL-safe ASCII characters: a Cairo short string
        address=starknet.normalize_account_address(address),
        chain_id=settings.STARKNET_CHAIN_ID,
        purpose=purpose,
        issued_at=issued_at,
        expires_at=issued_at + timedelta(seconds=settings.STARKNET_SIGNIN_TTL),
    )
    return IssuedChallenge(challenge=challenge, typed_data=wallet_challenge_typed_data(challenge=challenge))


# --- Proof ------------------------------------------------------------------------------------------


def _challenge_consume(*, challenge: WalletChallenge) -> bool:
    """Mark the challenge used; False when it already was or has expired (the loser of a race)."""
    now = timezone.now()
    return bool(
        WalletChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now)
    )


def _wallet_prove(
    *,
    address: str,
    nonce: str,
    signature: list[int],
    purposes: tuple[str, ...],
    actor: User | None,
    failure_action: str,
) -> WalletChallenge:
    """Check the challenge, then ask the account contract. Returns the (not yet consumed) challenge.

    Raises InvalidNonce, InvalidSignature, AccountNotDeployed (the nonce is consumed for the last two)
    and starknet.NodeError for node trouble (the nonce stays usable).
    """
    address = starknet.normalize_account_address(address)
    challenge = WalletChallenge.objects.filter(nonce=nonce).first()
    if (
        challenge is None
        or challenge.address != address
        or challenge.chain_id != settings.STARKNET_CHAIN_ID
        or challenge.purpose not in purposes
        or challenge.used_at is not None
        or challenge.expires_at <= timezone.now()
    ):
        _failure_record(action=failure_action, address=address, reason="invalid_nonce", actor=actor)
        raise InvalidNonce()

    msg_hash = starknet.message_hash(wallet_challenge_typed_data(challenge=challenge), address)
    try:
        valid = starknet.verify_signature(address, msg_hash, signature)
    except starknet.ContractNotFound as exc:
        _challenge_consume(challenge=challenge)
        _failure_record(action=failure_action, address=address, reason="account_not_deployed", actor=actor)
        raise AccountNotDeployed() from exc
    if not valid:
        _challenge_consume(challenge=challenge)
        _failure_record(action=failure_action, address=address, reason="invalid_signature", actor=actor)
        raise InvalidSignature()
    return challenge


def _failure_record(*, action: str, address: str, reason: str, actor: User | None) -> None:
    activity_record(
        action=action,
        actor=actor,
        metadata={"reason": reason, "wallet_address": address},
    )


def wallet_signin(*, address: str, nonce: str, signature: list[int]) -> tuple[User, SessionTokens]:
    """Sign in (creating the account on first use) with a signature over a sign-in challenge.

    Raises InvalidNonce, InvalidSignature (401), AccountNotDeployed (400), AccountDisabled (401) and
    starknet.NodeError when the Starknet node fails.
    """
    challenge = _wallet_prove(
        address=address,
        nonce=nonce,
        signature=signature,
        purposes=(WalletChallenge.Purpose.SIGNIN,),
        actor=None,
        failure_action="auth.wallet_login_failed",
    )
    try:
        with transaction.atomic():
            if not _challenge_consume(challenge=challenge):
                raise InvalidNonce()
            # get_or_create retries the read when a concurrent first sign-in of the same wallet won.
            user, created = User.objects.get_or_create(
                wallet_address=challenge.address, defaults={"password": make_password(None)}
            )
            if not user.is_active:
                raise AccountDisabled()
            activity_record(
                action="auth.wallet_login",
                actor=user,
                target_type="user",
                target_id=user.pk,
                metadata={"wallet_address": challenge.address, "created": created},
            )
            tokens = session_create(user=user)
    except (InvalidNonce, AccountDisabled) as refusal:
        # Recorded after the rollback: a concurrent use of the nonce won, or the account is disabled.
        reason = "account_disabled" if isinstance(refusal, AccountDisabled) else "invalid_nonce"
        _failure_record(action="auth.wallet_login_failed", address=challenge.address, reason=reason, actor=None)
        raise
    return user, tokens


def wallet_link(*, user: User, address: str, nonce: str, signature: list[int], session: str | None = None) -> User:
    """Link the wallet proven by `signature` to `user` (replacing a previously linked one). A wallet
    signs in, so every session but `session` (the one linking it) ends.

    Raises InvalidNonce, InvalidSignature (401), AccountNotDeployed (400), WalletTaken (409) and
    starknet.NodeError when the Starknet node fails.
    """
    challenge = _wallet_prove(
        address=address,
        nonce=nonce,
        signature=signature,
        purposes=(WalletChallenge.Purpose.LINK, WalletChallenge.Purpose.SIGNIN),
        actor=user,
        failure_action="auth.wallet_link_failed",
    )
    previous = user.wallet_address
    try:
        with transaction.atomic():
            if not _challenge_consume(challenge=challenge):
                raise InvalidNonce()
            if User.objects.filter(wallet_address=challenge.address).exclude(pk=user.pk).exists():
                raise WalletTaken()
            user.wallet_address = challenge.address
            user.save(update_fields=["wallet_address", "updated_at"])
            sessions_revoke_all(user=user, keep_session=session)
            wallet_linked.send(sender=User, user=user)
            activity_record(
                action="auth.wallet_link",
                actor=user,
                target_type="user",
                target_id=user.pk,
                metadata={"wallet_address": challenge.address, "previous": previous},
            )
    except IntegrityError as exc:
        # Another account took the wallet between the check and the write.
        user.wallet_address = previous
        _failure_record(action="auth.wallet_link_failed", address=challenge.address, reason="wallet_taken", actor=user)
        raise WalletTaken() from exc
    except (InvalidNonce, WalletTaken) as refusal:
        user.wallet_address = previous
        reason = "wallet_taken" if isinstance(refusal, WalletTaken) else "invalid_nonce"
        _failure_record(action="auth.wallet_link_failed", address=challenge.address, reason=reason, actor=user)
        raise
    return user


def wallet_challenges_purge(*, expired_before: datetime, limit: int | None = None) -> int:
    """Delete challenges (used or not) that expired before `expired_before`, at most `limit` of them
    (the earliest first); returns how many. Issuing a challenge runs a bounded purge; the
    `purge_wallet_challenges` command clears a backlog at once."""
    expired = WalletChallenge.objects.filter(expires_at__lt=expired_before)
    if limit is not None:
        ids = list(expired.order_by("expires_at").values_list("pk", flat=True)[:limit])
        if not ids:
            return 0
        expired = WalletChallenge.objects.filter(pk__in=ids)
    deleted, _ = expired.delete()
    return deleted
