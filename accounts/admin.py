"""Django admin screens for users and the (read-only) activity log."""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import F

from accounts.authentication import authenticated_user
from accounts.models import ActivityLog, User
from accounts.services import activity_record, sessions_revoke_all


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ["id", "email", "username", "wallet_address", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["email", "username", "wallet_address"]
    ordering = ["-created_at"]
    readonly_fields = [
        "created_at",
        "updated_at",
        "last_login",
        "google_id",
        "email_verified_at",
        "pending_email",
        "token_generation",
    ]
    # The password hash is never shown or edited here: users set passwords through the API.
    fields = [
        "email",
        "email_verified_at",
        "pending_email",
        "username",
        "wallet_address",
        "google_id",
        "role",
        "is_active",
        "is_superuser",
        "profile_picture",
        "groups",
        "user_permissions",
        "token_generation",
        "last_login",
        "created_at",
        "updated_at",
    ]
    filter_horizontal = ["groups", "user_permissions"]
    actions = ["deactivate"]
    list_per_page = 50

    def save_model(self, request, obj, form, change):
        if not change:
            # Accounts made here have no password until one is set through the API's flows.
            obj.set_unusable_password()
        credentials = {"email", "wallet_address"} & set(form.changed_data)
        if change and "email" in credentials:
            # An address typed by an operator is not proven by its owner.
            obj.email_verified_at = None
            obj.pending_email = None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if change and credentials:
                # Whoever held the old address or wallet signs in no more with it.
                sessions_revoke_all(user=obj)
                activity_record(
                    action="admin.user_credentials_change",
                    actor=authenticated_user(request),
                    target_type="user",
                    target_id=obj.pk,
                    metadata={"fields": sorted(credentials)},
                )

    @admin.action(description="Deactivate selected users (their tokens stop working at once)")
    def deactivate(self, request, queryset):
        with transaction.atomic():
            ids = list(queryset.filter(is_active=True).values_list("pk", flat=True))
            User.objects.filter(pk__in=ids).update(is_active=False, token_generation=F("token_generation") + 1)
            for pk in ids:
                activity_record(
                    action="admin.user_deactivate",
                    actor=authenticated_user(request),
                    target_type="user",
                    target_id=pk,
                )
        self.message_user(request, f"Deactivated {len(ids)} user(s).", messages.SUCCESS)


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "ip_address", "target_type", "target_id"]
    list_filter = ["action", "target_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["action", "actor__email", "actor__username", "ip_address", "target_id"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_per_page = 100

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
