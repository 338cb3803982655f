"""Writes of the admin panel."""

from django.db import transaction
from django.utils import timezone

from accounts.errors import InvalidCredentials
from accounts.models import User
from accounts.services import SessionTokens, activity_record, password_check, session_create
from adminpanel.models import Feedback
from blocra.request_context import request_context


def feedback_create(*, name: str, feedback: str, user: User | None, user_email: str | None = None) -> Feedback:
    """Store feedback from the app; the signed-in user, if any, is linked, and the sender's address
    (from the request being served) kept."""
    context = request_context()
    return Feedback.objects.create(
        name=name,
        feedback=feedback,
        user_email=user_email or None,
        user=user if user is not None and user.is_authenticated else None,
        ip_address=context.ip_address if context is not None else None,
    )


def admin_login(*, email: str, password: str) -> tuple[User, SessionTokens]:
    """Sign a staff account (an active admin or moderator) in with its own password, issuing tokens as
    the API's password sign-in does. InvalidCredentials, the same answer as a failed sign-in, for an
    unknown or empty address, a wrong password, an account without a password, a disabled account and
    an account that is not staff; each failure is logged as `auth.admin_login_failed`."""
    email = email.strip().lower()
    user, valid = password_check(email=email, password=password)
    if user is None or not valid or not user.is_staff:
        activity_record(
            action="auth.admin_login_failed",
            target_type="user" if user is not None else "",
            target_id=user.pk if user is not None else "",
            metadata={"email": email[:254], "via": "api"},
        )
        raise InvalidCredentials()
    with transaction.atomic():
        user.last_login = timezone.now()
        user.save(update_fields=["last_login"])
        activity_record(action="auth.admin_login", actor=user, metadata={"method": "password", "via": "api"})
        tokens = session_create(user=user)
    return user, tokens
