"""Django admin screens for operators: contract queries (read-only), saved queries, dashboards."""

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from blocra.starknet import InvalidAddress, normalize_address
from contracts.models import ContractQuery, Dashboard, DashboardWidget, SavedQuery


class AddressSearchMixin:
    """A search term that is a whole Starknet address also matches its normalised form, so
    `0x49d3...` finds rows stored as `0x049d3...` (64 digits, zero-padded)."""

    address_field = "contract_address"

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        try:
            address = normalize_address(search_term)
        except InvalidAddress:
            return results, may_have_duplicates
        return results | queryset.filter(Q(**{self.address_field: address})), may_have_duplicates


@admin.register(ContractQuery)
class ContractQueryAdmin(AddressSearchMixin, admin.ModelAdmin):
    """Read-only: a query records what the chain answered; nobody edits history."""

    list_display = ["id", "query_type", "contract_address", "user", "status", "duration_ms", "created_at"]
    list_filter = ["status", "query_type"]
    search_fields = ["contract_address", "user__email"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = [f.name for f in ContractQuery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ContractQuery | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ContractQuery | None = None) -> bool:
        return False


@admin.register(SavedQuery)
class SavedQueryAdmin(AddressSearchMixin, admin.ModelAdmin):
    list_display = ["id", "name", "user", "chain", "contract_address", "created_at"]
    list_filter = ["chain"]
    search_fields = ["name", "contract_address", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    ordering = ["-created_at"]


class DashboardWidgetInline(admin.TabularInline):
    model = DashboardWidget
    extra = 0
    fields = ["title", "query", "visualization_type", "position_x", "position_y", "width", "height"]
    # A select of every saved query would load the whole table; an id field loads nothing.
    raw_id_fields = ["query"]


@admin.register(Dashboard)
class DashboardAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "user", "created_at", "updated_at"]
    search_fields = ["name", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    ordering = ["-created_at"]
    inlines = [DashboardWidgetInline]
