"""Routes of contract queries, saved queries, dashboards and the dashboard builder.

Literal segments (`dashboard-builder/queries`, `.../widgets/...`, `.../suggest/...`) cannot be taken
for a dashboard id: ids match only digits (the earlier backend's `/dashboard-builder/queries` was
shadowed by `/dashboard-builder/:id`).
"""

from django.urls import path

import blocra.converters  # noqa: F401 (registers the `row_id` path converter)
from contracts.apis import analytics, dashboards, events, queries, saved_queries

urlpatterns = [
    # Contract queries: POST runs one on Starknet now.
    path("contracts/query", queries.ContractQueryRunApi.as_view(), name="contract-query-run"),
    path("contracts/queries", queries.ContractQueryListApi.as_view(), name="contract-query-list"),
    path("contracts/queries/<uuid:pk>", queries.ContractQueryDetailApi.as_view(), name="contract-query-detail"),
    path("queries", queries.QueryListRunApi.as_view(), name="query-list"),
    path("queries/<uuid:pk>", queries.QueryDetailApi.as_view(), name="query-detail"),
    # Events and analytics: chain reads with bounded work.
    path("contracts/events", events.ContractEventsApi.as_view(), name="contract-events"),
    path("contracts/analyze", analytics.ContractAnalyzeApi.as_view(), name="contract-analyze"),
    # Saved queries.
    path("contracts/save-query", saved_queries.SavedQueryCreateApi.as_view(), name="saved-query-create"),
    path("contracts/saved-queries", saved_queries.SavedQueryListApi.as_view(), name="saved-query-list"),
    # Dashboards.
    path("dashboards/stats", analytics.ChainStatsApi.as_view(), name="dashboard-stats"),
    # Dashboard builder.
    path("dashboard-builder", dashboards.DashboardListCreateApi.as_view(), name="dashboard-list"),
    path("dashboard-builder/queries", dashboards.BuilderQueryListApi.as_view(), name="dashboard-builder-queries"),
    path(
        "dashboard-builder/suggest/<row_id:query_id>", dashboards.SuggestApi.as_view(), name="dashboard-builder-suggest"
    ),
    path("dashboard-builder/widgets/<row_id:pk>", dashboards.WidgetDetailApi.as_view(), name="widget-detail"),
    path("dashboard-builder/<row_id:pk>", dashboards.DashboardDetailApi.as_view(), name="dashboard-detail"),
    path("dashboard-builder/<row_id:pk>/widgets", dashboards.WidgetCreateApi.as_view(), name="widget-create"),
]
