"""Feedback sent from the app. (The activity log lives in accounts, below every app that writes it.)"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Feedback(models.Model):
    """Triage: new (unread), read (an admin opened or marked it), resolved (dealt with)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        READ = "read", "Read"
        RESOLVED = "resolved", "Resolved"

    name = models.CharField(max_length=200)
    feedback = models.TextField()
    user_email = models.EmailField(null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "feedback"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "read", "resolved"]), name="adminpanel_feedback_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="adminpanel_feedback_status_idx")]

    def __str__(self) -> str:
        return f"{self.name}: {self.feedback[:40]}"
