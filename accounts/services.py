"""Writes of the accounts app: sign-up and sign-in, JWT sessions, profile changes, the activity log."""

from dataclasses import dataclass
from typing import Any, TypedDict
from urllib.parse import urljoin

from django.contrib.auth.hashers import make_password
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts import profile_pictures
from accounts.authentication import GENERATION_CLAIM
from accounts.errors import (
    AccountDisabled,
    EmailTaken,
    GoogleAccountConflict,
    InvalidCredentials,
    InvalidGoogleToken,
    InvalidRefreshToken,
    ProfileUpdateEmpty,
)
from accounts.google import GoogleIdentity, google_verify_id_token
from accounts.models import ActivityLog, User
from accounts.selectors import user_by_email, user_by_google_id, user_email_taken
from blocra.request_context import request_context


def activity_record(
    *,
    action: str,
    actor: User | None = None,
    target_type: str = "",
    target_id: Any = "",
    metadata: dict[str, Any] | None = None,
) -> ActivityLog:
    """Append one row to the activity log. Where from (IP, user agent) and the request id come from the
    request being served (`blocra.request_context`); outside a request they stay empty."""
    context = request_context()
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return ActivityLog.objects.create(
        actor=actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        ip_address=context.ip_address if context is not None else None,
        user_agent=context.user_agent if context is not None else "",
        request_id=context.request_id if context is not None else "",
        metadata=metadata or {},
    )


# --- Sessions ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionTokens:
    access: str
    refresh: str


def session_create(*, user: User) -> SessionTokens:
    """Issue an access/refresh pair for `user`, recording the refresh token so it can be revoked."""
    refresh = RefreshToken()
    refresh[jwt_settings.USER_ID_CLAIM] = str(user.pk)
    refresh[GENERATION_CLAIM] = user.token_generation
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


def session_refresh(*, refresh_token: str) -> tuple[User, SessionTokens]:
    """Exchange a refresh token for a new pair and revoke it. InvalidRefreshToken when it is not a live
    refresh token of an active user (an access token, a revoked, expired or forged one)."""
    old = _refresh_token_parse(refresh_token)
    user = User.objects.filter(pk=old.get(jwt_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active or old.get(GENERATION_CLAIM, 0) != user.token_generation:
        raise InvalidRefreshToken()
    with transaction.atomic():
        if not _refresh_token_revoke(old):
            raise InvalidRefreshToken()
        tokens = session_create(user=user)
    return user, tokens


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
        _sessions_revoke_all(user=user)
        activity_record(action="auth.logout", actor=user, metadata={"scope": "all"})


def _sessions_revoke_all(*, user: User) -> None:
    """Blacklist every live refresh token of `user` and move the token generation on, so that its
    access tokens stop working too. Runs inside the caller's transaction."""
    live = OutstandingToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), blacklistedtoken__isnull=True
    ).values_list("pk", flat=True)
    BlacklistedToken.objects.bulk_create([BlacklistedToken(token_id=pk) for pk in live], ignore_conflicts=True)
    User.objects.filter(pk=user.pk).update(token_generation=F("token_generation") + 1)
    # Tokens issued next for this instance must carry the new generation (a stale one only makes them
    # fail closed).
    user.token_generation += 1


# --- Sign-up and sign-in ----------------------------------------------------------------------------


def user_register(*, email: str, password: str, username: str | None = None) -> tuple[User, SessionTokens]:
    """Create an account with a password and sign it in. EmailTaken when the address is in use
    (case-insensitively), also when a concurrent registration wins the race."""
    email = email.strip().lower()
    if user_email_taken(email=email):
        raise EmailTaken()
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, username=username or None)
            activity_record(action="auth.register", actor=user, target_type="user", target_id=user.pk)
            tokens = session_create(user=user)
    except IntegrityError as exc:
        # The case-insensitive unique constraint closes the check-then-insert race.
        raise EmailTaken() from exc
    return user, tokens


def user_login(*, email: str, password: str) -> tuple[User, SessionTokens]:
    """Sign in with email and password; an older hash (PBKDF2) is upgraded to Argon2 on success.
    InvalidCredentials for an unknown email, a wrong password, no password or a disabled account."""
    email = email.strip().lower()
    user = user_by_email(email=email)
    if user is None or not user.has_usable_password():
        # Hash anyway, so the answer takes as long as for an account that exists.
        make_password(password)
        valid = False
    else:
        valid = user.check_password(password)
    if user is None or not valid or not user.is_active:
        activity_record(
            action="auth.login_failed",
            target_type="user" if user is not None else "",
            target_id=user.pk if user is not None else "",
            metadata={"email": email[:254]},
        )
        raise InvalidCredentials()
    with transaction.atomic():
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        activity_record(action="auth.login", actor=user, metadata={"method": "password"})
        tokens = session_create(user=user)
    return user, tokens


def user_google_signin(*, id_token: str) -> tuple[User, SessionTokens]:
    """Sign in with a Google ID token: verified first (InvalidGoogleToken, GoogleNotConfigured,
    GoogleUnavailable), then the user linked to its `sub`, else the user with its verified email (then
    linked), else a new user. AccountDisabled, GoogleAccountConflict. Refusals are logged."""
    try:
        identity = google_verify_id_token(id_token)
    except InvalidGoogleToken as exc:
        _google_signin_failed(code=exc.code, email=None)
        raise
    try:
        try:
            return _google_signin(identity=identity)
        except IntegrityError:
            # A concurrent first sign-in of the same Google account created or linked the user first.
            return _google_signin(identity=identity)
    except (AccountDisabled, GoogleAccountConflict) as exc:
        _google_signin_failed(code=exc.code, email=identity.email)
        raise


def _google_signin_failed(*, code: str, email: str | None) -> None:
    # Outside the sign-in transaction, which the refusal rolls back.
    activity_record(action="auth.google_login_failed", metadata={"code": code, "email": (email or "")[:254]})


def _google_signin(*, identity: GoogleIdentity) -> tuple[User, SessionTokens]:
    with transaction.atomic():
        outcome = "existing"
        user = user_by_google_id(google_id=identity.sub)
        if user is None:
            user = user_by_email(email=identity.email)
            if user is not None:
                if user.google_id:
                    raise GoogleAccountConflict()
                if user.has_usable_password():
                    # Registration never verified this address; Google has now proven who owns it.
                    # Whoever chose the password may have registered someone else's email ahead of
                    # them, so the password goes and its sessions end (the owner signs in with Google).
                    user.set_unusable_password()
                    _sessions_revoke_all(user=user)
                    outcome = "linked_password_dropped"
                else:
                    outcome = "linked"
                user.google_id = identity.sub
                user.save(update_fields=["google_id", "password", "updated_at"])
            else:
                user = User.objects.create_user(
                    email=identity.email,
                    google_id=identity.sub,
                    username=identity.name,
                    profile_picture=identity.picture,
                )
                outcome = "created"
        if not user.is_active:
            raise AccountDisabled()
        activity_record(action="auth.google_login", actor=user, metadata={"outcome": outcome})
        tokens = session_create(user=user)
    return user, tokens


# --- Profile ----------------------------------------------------------------------------------------


class ProfileChanges(TypedDict, total=False):
    username: str | None
    email: str
    profile_picture: str | None


def _picture_replaced(*, old: str | None, new: str | None) -> None:
    """After commit, delete the file of a replaced picture when it was one of our uploads."""
    old_name = profile_pictures.uploaded_picture_name(old)
    if old_name and old != new:
        transaction.on_commit(lambda: default_storage.delete(old_name))


def profile_update(*, user: User, changes: ProfileChanges) -> User:
    """Apply `changes` to the user's profile. ProfileUpdateEmpty without any change; EmailTaken when
    another account holds the new email."""
    if not changes:
        raise ProfileUpdateEmpty()
    changes = ProfileChanges(**changes)
    if "email" in changes:
        changes["email"] = changes["email"].strip().lower()
        if user_email_taken(email=changes["email"], exclude_pk=user.pk):
            raise EmailTaken()
    try:
        with transaction.atomic():
            # Locked, so that a concurrent upload cannot replace the picture we are about to delete.
            locked = User.objects.select_for_update().get(pk=user.pk)
            old_picture = locked.profile_picture
            for field, value in changes.items():
                setattr(locked, field, value)
            locked.save(update_fields=[*changes, "updated_at"])
            if "profile_picture" in changes:
                _picture_replaced(old=old_picture, new=locked.profile_picture)
            activity_record(action="auth.profile_update", actor=locked, metadata={"fields": sorted(changes)})
    except IntegrityError as exc:
        raise EmailTaken() from exc
    return locked


def profile_image_upload(*, user: User, image: UploadedFile, site_url: str) -> User:
    """Store a checked image under a random name and make it the user's picture (an absolute URL on
    `site_url`, the server's own origin); the previous upload is deleted once the change is committed.
    ImageTooLarge (413), ImageUnsupported (415)."""
    extension = profile_pictures.image_extension(image)
    name = default_storage.save(profile_pictures.new_storage_name(extension), image)
    url = urljoin(site_url, default_storage.url(name))
    try:
        with transaction.atomic():
            locked = User.objects.select_for_update().get(pk=user.pk)
            old_picture = locked.profile_picture
            locked.profile_picture = url
            locked.save(update_fields=["profile_picture", "updated_at"])
            _picture_replaced(old=old_picture, new=url)
            activity_record(
                action="auth.profile_image_upload",
                actor=locked,
                metadata={"file": name, "bytes": image.size},
            )
    except BaseException:
        default_storage.delete(name)
        raise
    return locked
