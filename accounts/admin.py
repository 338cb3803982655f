"""Django admin screens for users, the (read-only) activity log and the (read-only) notifications.

A user's role and activation change only through the list's actions, which call the same service as
the API (`user_moderate`): one set of rules (admins only, no self-lockout, superusers changed only by
superusers) and one activity log for both doors. The change form shows them read-only.
"""

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.authentication import authenticated_user
from accounts.models import ActivityLog, Notification, User
from accounts.services import activity_record, sessions_revoke_all, user_moderate
from blocra.admin_actions import run_each


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
        # Changed through the actions, under the moderation rules.
        "role",
        "is_active",
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
    actions = ["deactivate", "activate", "make_user", "make_moderator", "make_admin"]
    list_per_page = 50
    show_full_result_count = False

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if not authenticated_user(request).is_superuser:
            # An admin holds every permission the role backend grants, but must not make anyone (least
            # of all themselves) a superuser, nor hand out permissions beside the role.
            readonly += ["is_superuser", "groups", "user_permissions"]
        return readonly

    def has_change_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # Superusers are changed by superusers only, as user_moderate rules for the API.
        if obj is not None and obj.is_superuser and not authenticated_user(request).is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        # A user's bounties, submissions, rewards and history outlive the account: deactivate instead.
        return False

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

    def _moderate_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[User],
        done: str,
        *,
        role: str | None = None,
        is_active: bool | None = None,
    ) -> None:
        """Apply `user_moderate` to each selected user; rows the rules refuse are reported, not fatal."""
        actor = authenticated_user(request)
        run_each(
            self,
            request,
            queryset,
            lambda user: user_moderate(actor=actor, user_id=user.pk, role=role, is_active=is_active),
            done,
        )

    @admin.action(description="Deactivate selected users (their tokens stop working at once)", permissions=["change"])
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._moderate_each(request, queryset, "user(s) deactivated", is_active=False)

    @admin.action(description="Activate selected users", permissions=["change"])
    def activate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._moderate_each(request, queryset, "user(s) activated", is_active=True)

    @admin.action(description="Make selected users plain users", permissions=["change"])
    def make_user(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._moderate_each(request, queryset, "user(s) made users", role=User.Role.USER)

    @admin.action(description="Make selected users moderators", permissions=["change"])
    def make_moderator(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._moderate_each(request, queryset, "user(s) made moderators", role=User.Role.MODERATOR)

    @admin.action(description="Make selected users admins", permissions=["change"])
    def make_admin(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._moderate_each(request, queryset, "user(s) made admins", role=User.Role.ADMIN)


@admin.register(ActivityLog)
class ActivityLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "action", "actor", "ip_address", "target_type", "target_id"]
    list_filter = ["action", "target_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["action", "actor__email", "actor__username", "ip_address", "target_id"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The inboxes, to answer "did they get told?": read-only, written only by the services."""

    list_display = ["created_at", "kind", "recipient", "actor", "bounty_id", "read_at"]
    list_filter = ["kind", ("created_at", admin.DateFieldListFilter), ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["kind", "recipient__email", "recipient__username", "actor__email", "actor__username"]
    list_select_related = ["recipient", "actor"]
    ordering = ["-id"]
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Notification | None = None) -> bool:
        return False


# simplejwt registers these with every field shown; its token column holds whole refresh tokens, which
# no operator needs to read, and deleting a blacklist row would bring a revoked session back.
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


@admin.register(OutstandingToken)
class OutstandingTokenAdmin(admin.ModelAdmin):
    """Sessions' refresh tokens by id (`jti`), never the token itself; read-only."""

    list_display = ["jti", "user", "created_at", "expires_at"]
    list_filter = [("expires_at", admin.DateFieldListFilter)]
    search_fields = ["jti", "user__email", "user__username"]
    list_select_related = ["user"]
    fields = ["jti", "user", "created_at", "expires_at"]
    readonly_fields = ["jti", "user", "created_at", "expires_at"]
    ordering = ["-created_at"]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: OutstandingToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutstandingToken | None = None) -> bool:
        return False


@admin.register(BlacklistedToken)
class BlacklistedTokenAdmin(admin.ModelAdmin):
    """Revoked refresh tokens; read-only (a session is ended through the API or a deactivation)."""

    list_display = ["token_jti", "token_user", "blacklisted_at"]
    search_fields = ["token__jti", "token__user__email"]
    list_select_related = ["token__user"]
    fields = ["token_jti", "token_user", "blacklisted_at"]
    readonly_fields = ["token_jti", "token_user", "blacklisted_at"]
    ordering = ["-blacklisted_at"]
    show_full_result_count = False

    @admin.display(description="jti", ordering="token__jti")
    def token_jti(self, obj: BlacklistedToken) -> str:
        return obj.token.jti

    @admin.display(description="user", ordering="token__user")
    def token_user(self, obj: BlacklistedToken) -> object:
        return obj.token.user

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: BlacklistedToken | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: BlacklistedToken | None = None) -> bool:
        return False
