"""Admin screen of wallet sign-in challenges: read-only, to follow a wallet's sign-in attempts.

Registered from `AccountsConfig.ready()`, beside the screens of `accounts/admin.py`."""

from django.contrib import admin
from django.http import HttpRequest

from accounts.models import WalletChallenge
from blocra.admin_search import FeltSearchMixin


@admin.register(WalletChallenge)
class WalletChallengeAdmin(FeltSearchMixin, admin.ModelAdmin):
    """Challenges are issued and spent by the sign-in flow alone; nobody edits one here."""

    list_display = ["nonce", "address", "chain_id", "purpose", "issued_at", "expires_at", "used_at"]
    list_filter = ["purpose", "chain_id", ("used_at", admin.EmptyFieldListFilter), "issued_at"]
    search_fields = ["address", "nonce"]
    felt_search_fields = ("address",)
    date_hierarchy = "issued_at"
    ordering = ["-issued_at"]
    readonly_fields = [field.name for field in WalletChallenge._meta.fields]
    # One row per sign-in attempt: a COUNT(*) of the whole table on every page is not worth it.
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: WalletChallenge | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: WalletChallenge | None = None) -> bool:
        return False
