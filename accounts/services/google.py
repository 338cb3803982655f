"""Sign-in with a Google ID token: the verified Google account finds, links or creates the user."""

from django.db import IntegrityError, transaction

from accounts.errors import AccountDisabled, GoogleAccountConflict, InvalidGoogleToken
from accounts.google import GoogleIdentity, google_verify_id_token
from accounts.models import User
from accounts.selectors import user_by_email, user_by_google_id
from accounts.services.activity import activity_record
from accounts.services.sessions import SessionTokens, session_create, sessions_revoke_all


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
                    sessions_revoke_all(user=user)
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
