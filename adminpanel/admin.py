"""Django admin screens of the admin panel: feedback sent from the app, with moderation actions."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from adminpanel.models import Feedback


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "summary", "user_email", "user", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "feedback", "user_email", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["name", "feedback", "user_email", "user", "ip_address", "created_at"]
    ordering = ["-created_at"]
    actions = ["mark_reviewed", "mark_resolved"]

    @admin.display(description="feedback")
    def summary(self, obj: Feedback) -> str:
        return obj.feedback if len(obj.feedback) <= 80 else f"{obj.feedback[:79]}…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Feedback], status: str) -> None:
        changed = queryset.exclude(status=status).update(status=status)
        self.message_user(request, f"{changed} feedback item(s) marked {status}.", messages.SUCCESS)

    @admin.action(description="Mark selected feedback as reviewed")
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        self._set_status(request, queryset, Feedback.Status.REVIEWED)

    @admin.action(description="Mark selected feedback as resolved")
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        self._set_status(request, queryset, Feedback.Status.RESOLVED)
