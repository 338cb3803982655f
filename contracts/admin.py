"""Django admin screens for operators: contract queries, saved queries, dashboards and their widgets.

Everything here is made through the API, where its validation applies: nothing is added here, queries
and usage counters are read-only, and the rest edits names and layout only (admins may also delete,
to take content down). Every changelist joins or annotates what it shows, so its query count does not
grow with the page.
"""

from django.contrib import admin
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from blocra.admin_search import FeltSearchMixin
from contracts.models import ContractQuery, Dashboard, DashboardWidget, SavedQuery, WidgetPreference


def widget_total(owner_field: str) -> Coalesce:
    """The number of widgets whose `owner_field` is the row, as a correlated subquery: the list's own
    query gains no join or GROUP BY, and neither do its count and date-hierarchy queries."""
    widgets = (
        DashboardWidget.objects.filter(**{owner_field: OuterRef("pk")})
        .order_by()
        .values(owner_field)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(widgets, output_field=IntegerField()), Value(0))


class MadeThroughApiAdmin(admin.ModelAdmin):
    """Rows are created by the API alone."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ReadOnlyAdmin(MadeThroughApiAdmin):
    """Records of what happened: nobody edits or deletes history."""

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ContractQuery)
class ContractQueryAdmin(FeltSearchMixin, ReadOnlyAdmin):
    """A query records what the chain answered."""

    list_display = ["id", "query_type", "contract_address", "user", "status", "duration_ms", "created_at"]
    list_filter = ["status", "query_type", "created_at"]
    search_fields = ["contract_address", "user__email", "user__username"]
    felt_search_fields = ("contract_address",)
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = [f.name for f in ContractQuery._meta.fields]
    # Every call of the contract API leaves a row: no COUNT(*) of the whole table on each page.
    show_full_result_count = False


@admin.register(SavedQuery)
class SavedQueryAdmin(FeltSearchMixin, MadeThroughApiAdmin):
    list_display = ["id", "name", "user", "chain", "contract_address", "widget_count", "created_at", "updated_at"]
    list_filter = ["chain", "created_at"]
    search_fields = ["name", "contract_address", "user__email", "user__username"]
    felt_search_fields = ("contract_address",)
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    # The query itself is checked by the API when saved; here only its name may change.
    fields = ["id", "name", "user", "chain", "contract_address", "query", "created_at", "updated_at"]
    readonly_fields = ["id", "user", "chain", "contract_address", "query", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SavedQuery]:
        return super().get_queryset(request).annotate(widget_total=widget_total("query"))

    @admin.display(description="widgets", ordering="widget_total")
    def widget_count(self, obj: SavedQuery) -> int:
        return obj.widget_total  # type: ignore[attr-defined]


class DashboardWidgetInline(admin.TabularInline):
    model = DashboardWidget
    extra = 0
    fields = ["title", "query", "visualization_type", "position_x", "position_y", "width", "height", "updated_at"]
    # A widget charts one of the dashboard owner's queries as a chart the builder counted in the
    # owner's preferences: both are picked in the builder, not here.
    readonly_fields = ["query", "visualization_type", "updated_at"]
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[DashboardWidget]:
        return super().get_queryset(request).select_related("query")

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Dashboard)
class DashboardAdmin(MadeThroughApiAdmin):
    list_display = ["id", "name", "user", "widget_count", "created_at", "updated_at"]
    list_filter = ["created_at"]
    search_fields = ["name", "description", "user__email", "user__username"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = ["id", "name", "description", "user", "created_at", "updated_at"]
    readonly_fields = ["id", "user", "created_at", "updated_at"]
    inlines = [DashboardWidgetInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Dashboard]:
        return super().get_queryset(request).annotate(widget_total=widget_total("dashboard"))

    @admin.display(description="widgets", ordering="widget_total")
    def widget_count(self, obj: Dashboard) -> int:
        return obj.widget_total  # type: ignore[attr-defined]


@admin.register(DashboardWidget)
class DashboardWidgetAdmin(MadeThroughApiAdmin):
    list_display = ["id", "title", "dashboard", "owner", "query", "visualization_type", "created_at"]
    list_filter = ["visualization_type", "created_at"]
    search_fields = ["title", "dashboard__name", "query__name", "dashboard__user__email", "dashboard__user__username"]
    list_select_related = ["dashboard__user", "query"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    fields = [
        "id",
        "title",
        "dashboard",
        "query",
        "visualization_type",
        "position_x",
        "position_y",
        "width",
        "height",
        "created_at",
        "updated_at",
    ]
    readonly_fields = ["id", "dashboard", "query", "visualization_type", "created_at", "updated_at"]

    @admin.display(description="owner", ordering="dashboard__user__email")
    def owner(self, obj: DashboardWidget) -> str:
        return str(obj.dashboard.user)


@admin.register(WidgetPreference)
class WidgetPreferenceAdmin(ReadOnlyAdmin):
    """Usage counters behind the builder's suggestions, kept by the builder alone."""

    list_display = ["id", "user", "query", "visualization_type", "use_count", "updated_at"]
    list_filter = ["visualization_type", "updated_at"]
    search_fields = ["user__email", "user__username", "query__name"]
    list_select_related = ["user", "query"]
    date_hierarchy = "updated_at"
    ordering = ["-updated_at"]
    readonly_fields = [f.name for f in WidgetPreference._meta.fields]
