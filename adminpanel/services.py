"""Writes of the admin panel."""

from django.http import HttpRequest

from accounts.models import User
from adminpanel.models import Feedback
from blocra.client_ip import UNKNOWN_IP, client_ip


def feedback_create(
    *, name: str, feedback: str, user: User | None, request: HttpRequest, user_email: str | None = None
) -> Feedback:
    """Store feedback from the app; the signed-in user, if any, is linked."""
    ip = client_ip(request)
    return Feedback.objects.create(
        name=name,
        feedback=feedback,
        user_email=user_email or None,
        user=user if user is not None and user.is_authenticated else None,
        ip_address=ip if ip != UNKNOWN_IP else None,
    )
