"""JWT sessions: issuing access/refresh pairs, rotating them, revoking one or all of a user's."""

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.authentication import GENERATION_CLAIM, SESSION_CLAIM, token_current
from accounts.errors import InvalidRefreshToken
from accounts.models import User
from accounts.services.activity import activity_record
from blocra.realtime import publish_on_commit, recheck_event, user_group


@dataclass(frozen=True)
class SessionTokens:
    access: str
    refresh: str


def session_create(*, user: User, session: str | None = None) -> SessionTokens:
    """Issue an access/refresh pair for `user`, recording the refresh token so it can be revoked.

    Both tokens carry the session id (`sid`): a new one for a sign-in, the old one when `session` is
    given (a refresh continues its session). The refresh token's `jti` starts with it, so the refresh
    tokens of one session can be told apart in the database (`sessions_revoke_all(keep_session=...)`).
    """
    refresh = RefreshToken()
    sid = session or uuid.uuid4().hex
    refresh[jwt_settings.USER_ID_CLAIM] = str(user.pk)
    refresh[GENERATION_CLAIM] = user.token_generation
    refresh[SESSION_CLAIM] = sid
    refresh[jwt_settings.JTI_CLAIM] = f"{sid}.{uuid.uuid4().hex}"
    OutstandingToken.objects.create(
        user=user,
        jti=refresh[jwt_settings.JTI_CLAIM],
        token=str(refresh),
        created_at=refresh.current_time,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return SessionTokens(access=str(refresh.access_token), refresh=str(refresh))


def _refresh_token_parse(raw: str) -> RefreshToken:
    """A valid, unexpired, unrevoked refresh token (an access token is refused); InvalidRefreshToken otherwise."""
    try:
        return RefreshToken(raw)  # type: ignore[arg-type]  # simplejwt parses the encoded text too
    except TokenError as exc:
        raise InvalidRefreshToken() from exc


def _refresh_token_revoke(token: RefreshToken) -> bool:
    """Blacklist `token`; False when it already was. The one-to-one blacklist row makes two
    concurrent revocations of one token end with exactly one winner."""
    outstanding = OutstandingToken.objects.filter(jti=token[jwt_settings.JTI_CLAIM]).first()
    if outstanding is None:
        return False
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        return False
    return True


class _SignedRefreshToken(RefreshToken):
    """A refresh token checked for signature, expiry and type, but not against the blacklist."""

    def check_blacklist(self) -> None:
        return None


def session_refresh(*, refresh_token: str) -> tuple[User, SessionTokens]:
    """Exchange a refresh token for a new pair and revoke it. InvalidRefreshToken when it is not a live
    refresh token of an active user (an access token, a revoked, expired or forged one). A genuine
    token refused because it was revoked is logged (`auth.refresh_refused`): a rotated token used again
    may have been stolen."""
    try:
        old = _refresh_token_parse(refresh_token)
    except InvalidRefreshToken:
        _revoked_refresh_record(refresh_token)
        raise
    user = User.objects.filter(pk=old.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active or not token_current(user=user, claims=old):
        if user is not None:
            _refresh_refusal_record(old, reason="account_disabled" if not user.is_active else "sessions_ended")
        raise InvalidRefreshToken()
    try:
        with transaction.atomic():
            if not _refresh_token_revoke(old):
                raise InvalidRefreshToken()
            tokens = session_create(user=user, session=old.get(SESSION_CLAIM) or None)
    except InvalidRefreshToken:
        # A concurrent refresh with the same token won: the same token was used twice.
        _refresh_refusal_record(old, reason="reused_concurrently")
        raise
    return user, tokens


def _revoked_refresh_record(raw: str) -> None:
    """Log a refused refresh token that we signed, unexpired, of the refresh type: the blacklist is what
    refused it (rotated or signed out). Forged, expired or malformed tokens name nobody: not logged."""
    try:
        token = _SignedRefreshToken(raw)  # type: ignore[arg-type]  # simplejwt parses the encoded text too
    except TokenError:
        return
    _refresh_refusal_record(token, reason="revoked")


def _refresh_refusal_record(token: RefreshToken, *, reason: str) -> None:
    """`reason`: revoked (the token was exchanged for a new pair, or signed out, before: a replay),
    reused_concurrently (two refreshes with one token at once), sessions_ended (every session of the
    user ended after it was issued), account_disabled. The token's user is the target, not the actor:
    whoever sent it is not signed in."""
    activity_record(
        action="auth.refresh_refused",
        target_type="user",
        target_id=str(token.get(jwt_settings.USER_ID_CLAIM, "")),
        metadata={"reason": reason, "session": token.get(SESSION_CLAIM) or ""},
    )


def session_logout(*, user: User, refresh_token: str | None = None) -> None:
    """Revoke the given refresh token of `user`, or, with none, every session of `user`: all refresh
    tokens are blacklisted and the token generation moves on, so access tokens stop working too."""
    if refresh_token:
        token = _refresh_token_parse(refresh_token)
        if str(token.get(jwt_settings.USER_ID_CLAIM)) != str(user.pk):
            raise InvalidRefreshToken()
        with transaction.atomic():
            _refresh_token_revoke(token)
            activity_record(action="auth.logout", actor=user, metadata={"scope": "token"})
        return
    with transaction.atomic():
        sessions_revoke_all(user=user)
        activity_record(action="auth.logout", actor=user, metadata={"scope": "all"})


def sessions_revoke_all(*, user: User, keep_session: str | None = None) -> None:
    """Blacklist every live refresh token of `user` and move the token generation on, so that its
    access tokens stop working too; with `keep_session` (a session id), that one session goes on (the
    session that changed a credential ends the others). Runs inside the caller's transaction."""
    live = OutstandingToken.objects.filter(user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True)
    if keep_session:
        live = live.exclude(jti__startswith=f"{keep_session}.")
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token_id=pk) for pk in live.values_list("pk", flat=True)], ignore_conflicts=True
    )
    kept = keep_session or ""
    User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1, kept_session=kept)
    # Tokens issued next for this instance must carry the new generation (a stale one only makes them
    # fail closed).
    user.token_generation += 1
    user.kept_session = kept
    # Its open sockets check their credentials again once this commits, and the revoked ones close.
    publish_on_commit([recheck_event(user_group(user.pk))])


@dataclass(frozen=True)
class FlushedTokens:
    outstanding: int
    blacklisted: int


def sessions_flush_expired() -> FlushedTokens:
    """Delete the records of refresh tokens past their expiry, with their blacklist rows: the same rows
    simplejwt's `flushexpiredtokens` deletes, counted. An expired token is refused by its own `exp`
    claim, so its records protect nothing any more. Idempotent."""
    _total, per_model = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return FlushedTokens(
        outstanding=per_model.get(OutstandingToken._meta.label, 0),
        blacklisted=per_model.get(BlacklistedToken._meta.label, 0),
    )
