"""Email addresses are proven before they count: confirmation links for a new account's address and
for a changed one.

A link carries a signed token naming the account, the address and the session that asked for it. It
is good once: confirming moves the account on (`email_verified_at` set, `pending_email` cleared), and
a token no longer matching the account is refused. Until a changed address is confirmed, the old one
stays the account's address.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from accounts.errors import EmailTaken, InvalidEmailToken, NothingToConfirm
from accounts.locks import user_lock
from accounts.models import User
from accounts.selectors import user_email_taken
from accounts.services.activity import activity_record
from accounts.services.sessions import sessions_revoke_all
from blocra.clock import clock

logger = logging.getLogger(__name__)

_SALT = "accounts.email-confirm"


@dataclass(frozen=True)
class EmailConfirmation:
    """What a confirmation did: the account as it is now, and whether the token changed its address."""

    user: User
    changed: bool


def _token_make(*, user: User, email: str, session: str | None) -> str:
    payload = {"u": user.pk, "e": email, "s": session or "", "t": int(clock().time())}
    return signing.dumps(payload, salt=_SALT, compress=True)


def _token_read(token: str) -> tuple[int, str, str]:
    """(user id, address, session) of a well-signed token younger than EMAIL_CONFIRM_TTL_SECONDS."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature as exc:
        raise InvalidEmailToken() from exc
    if not isinstance(payload, dict) or not {"u", "e", "s", "t"} <= payload.keys():
        raise InvalidEmailToken()
    if clock().time() - payload["t"] > settings.EMAIL_CONFIRM_TTL_SECONDS:
        raise InvalidEmailToken()
    return payload["u"], payload["e"], payload["s"]


def _mail(*, template: str, to: str, context: dict[str, object]) -> None:
    """Send one message once the caller's transaction commits (at once outside one); a mail server
    that fails is logged, not raised (the change is kept and the user can ask for the link again)."""

    def deliver() -> None:
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"accounts/email/{template}_body.txt", context)
        try:
            send_mail(subject, body, None, [to])
        except Exception:
            logger.exception("could not send the %s message", template)

    transaction.on_commit(deliver)


def _link(link_template: str, token: str) -> str:
    return link_template.replace("{token}", token)


def email_verification_send(*, user: User, link_template: str) -> None:
    """Mail a confirmation link for the account's own, still unproven address. NothingToConfirm when
    it has none or it is proven already."""
    if not user.email or user.email_verified_at is not None:
        raise NothingToConfirm()
    token = _token_make(user=user, email=user.email, session=None)
    _mail(
        template="verify",
        to=user.email,
        context={"link": _link(link_template, token), "email": user.email, "hours": _ttl_hours()},
    )


def email_change_request(*, user: User, email: str, session: str | None, link_template: str) -> User:
    """Ask to change the account's address to `email`: it waits in `pending_email` and a confirmation
    link goes to it; the current address (if any) is told. The same address as now cancels a pending
    change. EmailTaken when another account holds it."""
    email = email.strip().lower()
    if user_email_taken(email=email, exclude_pk=user.pk):
        raise EmailTaken()
    with transaction.atomic():
        locked = user_lock(user.pk)
        email_change_pending(user=locked, email=email, session=session, link_template=link_template)
    return locked


def email_change_pending(*, user: User, email: str, session: str | None, link_template: str) -> None:
    """`email_change_request` on a user the caller has locked, with `email` normalised and checked
    free, inside the caller's transaction."""
    if email == user.email:
        if user.pending_email is not None:
            user.pending_email = None
            user.save(update_fields=["pending_email", "updated_at"])
        return
    user.pending_email = email
    user.save(update_fields=["pending_email", "updated_at"])
    token = _token_make(user=user, email=email, session=session)
    context = {"link": _link(link_template, token), "email": email, "hours": _ttl_hours()}
    _mail(template="change", to=email, context=context)
    if user.email:
        _mail(template="change_notice", to=user.email, context={"email": email})
    activity_record(
        action="auth.email_change_requested",
        actor=user,
        target_type="user",
        target_id=user.pk,
        metadata={"pending_email": email},
    )


def email_change_resend(*, user: User, session: str | None, link_template: str) -> None:
    """Mail the link again: for the pending address if a change waits, else for the account's own
    unproven address. NothingToConfirm when there is neither."""
    if user.pending_email:
        token = _token_make(user=user, email=user.pending_email, session=session)
        context = {"link": _link(link_template, token), "email": user.pending_email, "hours": _ttl_hours()}
        _mail(template="change", to=user.pending_email, context=context)
        return
    email_verification_send(user=user, link_template=link_template)


def email_confirm(*, token: str) -> EmailConfirmation:
    """Apply a confirmation link. For the account's own address: it is proven (again is harmless).
    For a pending change: the address becomes the account's, proven, and every session but the one
    that asked for the change ends. InvalidEmailToken when the token is forged, expired, used or
    superseded; EmailTaken when another account took the address meanwhile."""
    user_id, email, session = _token_read(token)
    try:
        with transaction.atomic():
            try:
                user = user_lock(user_id)
            except User.DoesNotExist as exc:
                raise InvalidEmailToken() from exc
            if not user.is_active:
                raise InvalidEmailToken()
            now = datetime.fromtimestamp(clock().time(), tz=UTC)
            if email == user.email:
                if user.email_verified_at is None:
                    user.email_verified_at = now
                    user.save(update_fields=["email_verified_at", "updated_at"])
                    activity_record(action="auth.email_verified", actor=user, target_type="user", target_id=user.pk)
                return EmailConfirmation(user=user, changed=False)
            if email != user.pending_email:
                raise InvalidEmailToken()
            if user_email_taken(email=email, exclude_pk=user.pk):
                raise EmailTaken()
            previous = user.email
            user.email, user.pending_email, user.email_verified_at = email, None, now
            user.save(update_fields=["email", "pending_email", "email_verified_at", "updated_at"])
            # The address signs in (password) and links Google accounts: a credential.
            sessions_revoke_all(user=user, keep_session=session or None)
            activity_record(
                action="auth.email_changed",
                actor=user,
                target_type="user",
                target_id=user.pk,
                metadata={"previous": previous or "", "email": email},
            )
    except IntegrityError as exc:
        raise EmailTaken() from exc
    return EmailConfirmation(user=user, changed=True)


def _ttl_hours() -> int:
    return max(1, settings.EMAIL_CONFIRM_TTL_SECONDS // 3600)
