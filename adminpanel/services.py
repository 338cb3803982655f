"""Writes of the admin panel."""

from accounts.models import User
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
