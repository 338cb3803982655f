"""Routes of contract queries, saved queries, dashboards and the dashboard builder.

Literal segments (`dashboard-builder/queries`, `.../widgets/...`, `.../suggest/...`) cannot be taken
for a dashboard id: ids match only digits (the earlier backend's `/dashboard-builder/queries` was
shadowed by `/dashboard-builder/:id`).
"""

from django.urls import path, register_converter

from contracts import apis, chain_apis


class RowIdConverter:
    """A positive integer id that fits a 64-bit column (at most 18 digits): larger numbers are a 404,
    never an overflow in the database driver."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowIdConverter, "row_id")

urlpatterns = [
    # Contract queries: POST runs one on Starknet now.
    path("contracts/query", chain_apis.ContractQueryRunApi.as_view(), name="contract-query-run"),
    path("contracts/queries", apis.ContractQueryListApi.as_view(), name="contract-query-list"),
    path("contracts/queries/<uuid:pk>", apis.ContractQueryDetailApi.as_view(), name="contract-query-detail"),
    path("queries", chain_apis.QueryListRunApi.as_view(), name="query-list"),
    path("queries/<uuid:pk>", apis.QueryDetailApi.as_view(), name="query-detail"),
    # Chain reads with bounded work.
    path("contracts/events", chain_apis.ContractEventsApi.as_view(), name="contract-events"),
    path("contracts/analyze", chain_apis.ContractAnalyzeApi.as_view(), name="contract-analyze"),
    # Saved queries.
    path("contracts/save-query", apis.SavedQueryCreateApi.as_view(), name="saved-query-create"),
    path("contracts/saved-queries", apis.SavedQueryListApi.as_view(), name="saved-query-list"),
    # Dashboards.
    path("dashboards/stats", chain_apis.ChainStatsApi.as_view(), name="dashboard-stats"),
    # Dashboard builder.
    path("dashboard-builder", apis.DashboardListCreateApi.as_view(), name="dashboard-list"),
    path("dashboard-builder/queries", apis.BuilderQueryListApi.as_view(), name="dashboard-builder-queries"),
    path("dashboard-builder/suggest/<row_id:query_id>", apis.SuggestApi.as_view(), name="dashboard-builder-suggest"),
    path("dashboard-builder/widgets/<row_id:pk>", apis.WidgetDetailApi.as_view(), name="widget-detail"),
    path("dashboard-builder/<row_id:pk>", apis.DashboardDetailApi.as_view(), name="dashboard-detail"),
    path("dashboard-builder/<row_id:pk>/widgets", apis.WidgetCreateApi.as_view(), name="widget-create"),
]
