"""Django admin screens of the admin panel: feedback sent from the app, and its triage."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from accounts.authentication import authenticated_user
from adminpanel.models import Feedback
from adminpanel.services import feedback_status_set


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Triage: new -> read -> resolved (or back), by the actions or the change form; opening a new
    item marks it read. Every change goes through `feedback_status_set`, so it is logged."""

    list_display = ["id", "name", "summary", "user_email", "user", "status", "created_at"]
    list_filter = ["status"]
    # The status filter shows how many items each state holds.
    show_facets = admin.ShowFacets.ALWAYS
    date_hierarchy = "created_at"
    search_fields = ["name", "feedback", "user_email", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["name", "feedback", "user_email", "user", "ip_address", "created_at"]
    ordering = ["-created_at"]
    actions = ["mark_read", "mark_resolved", "mark_new"]

    @admin.display(description="feedback")
    def summary(self, obj: Feedback) -> str:
        return obj.feedback if len(obj.feedback) <= 80 else f"{obj.feedback[:79]}…"

    # Permissions follow the user's role (as in the bounties admin): staff (admins and moderators)
    # read feedback, admins triage it; Django's per-model permission table is not used.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: Feedback | None = None) -> bool:
        return request.user.is_staff

    def has_change_permission(self, request: HttpRequest, obj: Feedback | None = None) -> bool:
        return authenticated_user(request).is_admin

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        """Opening a new item marks it read (logged as triggered by `opened`), like opening a mail:
        "new" then means nobody has looked at it yet. A viewer without the change permission changes nothing."""
        if request.method == "GET":
            feedback = self.get_object(request, unquote(object_id))
            if (
                feedback is not None
                and feedback.status == Feedback.Status.NEW
                and self.has_change_permission(request, feedback)
            ):
                feedback_status_set(
                    actor=authenticated_user(request),
                    feedback_ids=[feedback.pk],
                    status=Feedback.Status.READ,
                    trigger="opened",
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Feedback, form: ModelForm, change: bool) -> None:
        # Status is the one editable field: a change goes through the service, which logs it.
        if change and "status" in form.changed_data:
            feedback_status_set(
                actor=authenticated_user(request),
                feedback_ids=[obj.pk],
                status=obj.status,
                trigger="form",
            )

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Feedback], status: str) -> None:
        changed = feedback_status_set(
            actor=authenticated_user(request),
            feedback_ids=queryset.values_list("pk", flat=True),
            status=status,
        )
        self.message_user(request, f"{changed} feedback item(s) marked {status}.", messages.SUCCESS)

    @admin.action(description="Mark selected feedback as read", permissions=["change"])
    def mark_read(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        self._set_status(request, queryset, Feedback.Status.READ)

    @admin.action(description="Mark selected feedback as resolved", permissions=["change"])
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        self._set_status(request, queryset, Feedback.Status.RESOLVED)

    @admin.action(description="Mark selected feedback as new (unread)", permissions=["change"])
    def mark_new(self, request: HttpRequest, queryset: QuerySet[Feedback]) -> None:
        self._set_status(request, queryset, Feedback.Status.NEW)
