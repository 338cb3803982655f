"""Writes of the admin panel: feedback from the app, and its triage."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accounts.errors import InvalidCredentials
from accounts.models import User
from accounts.services import SessionTokens, activity_record, password_check, session_create
from accounts.services.activity import activity_record_many
from adminpanel.models import Feedback
from blocra.request_context import request_context


def feedback_create(*, name: str, feedback: str, user: User | None, user_email: str | None = None) -> Feedback:
    """Store feedback from the app; the signed-in user, if any, is linked, and the sender's address
    (from the request being served) kept. Logged as `feedback.submitted`."""
    context = request_context()
    author = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        stored = Feedback.objects.create(
            name=name,
            feedback=feedback,
            user_email=user_email or None,
            user=author,
            ip_address=context.ip_address if context is not None else None,
        )
        activity_record(
            action="feedback.submitted",
            actor=author,
            target_type="feedback",
            target_id=stored.pk,
            metadata={"name": name[:200], "user_email": user_email or None},
        )
    return stored


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


def feedback_status_set(*, actor: User, feedback_ids: Iterable[int], status: str, trigger: str = "action") -> int:
    """Set the triage status of the given feedback in one UPDATE; items already in `status` are left
    alone. Each changed item gets an `admin.feedback_status` row (from, to, and what `trigger`ed it:
    a bulk `action`, the change `form`, or `opened` when viewing a new item marked it read), all in one
    INSERT. Returns how many changed. ValueError for an unknown status."""
    if status not in Feedback.Status.values:
        raise ValueError(f"Unknown feedback status {status!r}.")
    with transaction.atomic():
        # Locked, so the statuses logged as "from" are the ones the UPDATE replaces.
        previous = dict(
            Feedback.objects.select_for_update()
            .filter(pk__in=list(feedback_ids))
            .exclude(status=status)
            .values_list("pk", "status")
        )
        if not previous:
            return 0
        Feedback.objects.filter(pk__in=list(previous)).update(status=status)
        activity_record_many(
            action="admin.feedback_status",
            actor=actor,
            target_type="feedback",
            targets=((pk, {"from": old, "to": status, "trigger": trigger}) for pk, old in sorted(previous.items())),
        )
    return len(previous)
