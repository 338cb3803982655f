"""Sign-in with a Google ID token: the verified Google account finds, links or creates the user."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import AccountDisabled, GoogleAccountConflict, InvalidGoogleToken
from accounts.google import GoogleIdentity, google_verify_id_token
from accounts.locks import user_lock
from accounts.models import User
from accounts.selectors import user_by_email, user_by_google_id
from accounts.services.activity import activity_record
from accounts.services.sessions import SessionTokens, session_create, sessions_revoke_all
from accounts.signals import account_reclaimed


def user_google_signin(*, id_token: str) -> tuple[User, SessionTokens]:
    """Sign in with a Google ID token: verified first (InvalidGoogleToken, GoogleNotConfigured,
    GoogleUnavailable), then the user linked to its `sub`, else the account holding its verified email
    (linked when that account had proven the address, handed over clean when not), else a new user.
    AccountDisabled, GoogleAccountConflict. Refusals are logged."""
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
                user = user_lock(user.pk)
                if user.email_verified_at is not None:
                    # The owner of the address proved it before: Google becomes one more way in.
                    outcome = "linked"
                else:
                    _account_reclaim(user=user, identity=identity)
                    outcome = "reclaimed"
                user.google_id = identity.sub
                user.save(update_fields=["google_id", "updated_at"])
                # A new way to sign in: every earlier session ends (this sign-in starts a new one).
                sessions_revoke_all(user=user)
            else:
                user = User.objects.create_user(
                    email=identity.email,
                    google_id=identity.sub,
                    username=identity.name,
                    profile_picture=identity.picture,
                    email_verified_at=timezone.now(),
                )
                outcome = "created"
        if not user.is_active:
            raise AccountDisabled()
        activity_record(action="auth.google_login", actor=user, metadata={"outcome": outcome})
        tokens = session_create(user=user)
    return user, tokens


def _account_reclaim(*, user: User, identity: GoogleIdentity) -> None:
    """Hand an account whose address nobody proved to the address's owner, whom Google has just
    verified. Whoever registered it may have been someone else, waiting: nothing they set survives
    (password, linked wallet, pending address change, name and picture, and, through
    `account_reclaimed`, the payout address of pending rewards); the caller ends the sessions."""
    dropped = {
        "password": user.has_usable_password(),
        "wallet_address": user.wallet_address or "",
        "pending_email": user.pending_email or "",
    }
    user.set_unusable_password()
    user.wallet_address = None
    user.pending_email = None
    user.username = identity.name
    user.profile_picture = identity.picture
    user.email_verified_at = timezone.now()
    user.save(
        update_fields=[
            "password",
            "wallet_address",
            "pending_email",
            "username",
            "profile_picture",
            "email_verified_at",
            "updated_at",
        ]
    )
    account_reclaimed.send(sender=User, user=user)
    activity_record(
        action="auth.account_reclaimed", actor=user, target_type="user", target_id=user.pk, metadata=dropped
    )
