"""Reads of contract queries, saved queries and dashboards, each scoped to the caller.

Visibility lives here: a row the caller may not see is answered exactly like a missing one (404).
"""

from typing import TypedDict
from uuid import UUID

from django.db.models import Q, QuerySet, Sum

from accounts.models import User
from contracts.errors import ContractQueryNotFound, DashboardNotFound, SavedQueryNotFound
from contracts.models import ContractQuery, Dashboard, DashboardWidget, SavedQuery, WidgetPreference
from contracts.suggestions import Suggestion, Usage, suggest_visualizations


class SuggestionReport(TypedDict):
    suggestions: list[Suggestion]
    has_suggestions: bool


# --- Contract queries ---------------------------------------------------------------------------------
def contract_query_list(*, user: User) -> QuerySet[ContractQuery]:
    """The caller's own contract queries, newest first (admins too list only their own)."""
    return ContractQuery.objects.filter(user=user).order_by("-created_at", "-id")


def contract_query_visible(*, user: User) -> QuerySet[ContractQuery]:
    """Contract queries the caller may open: their own, or every one for an admin."""
    queryset = ContractQuery.objects.all()
    return queryset if user.is_admin else queryset.filter(user=user)


def contract_query_get(*, user: User, query_id: UUID) -> ContractQuery:
    """One contract query of the caller (any, for an admin). Raises ContractQueryNotFound."""
    try:
        return contract_query_visible(user=user).get(pk=query_id)
    except ContractQuery.DoesNotExist:
        raise ContractQueryNotFound() from None


# --- Saved queries ------------------------------------------------------------------------------------
def saved_query_list(*, user: User) -> QuerySet[SavedQuery]:
    """The caller's saved queries, newest first (bounded by services.MAX_SAVED_QUERIES_PER_USER)."""
    return SavedQuery.objects.filter(user=user).order_by("-created_at", "-id")


def saved_query_get(*, user: User, query_id: int) -> SavedQuery:
    """One saved query of the caller. Raises SavedQueryNotFound."""
    try:
        return SavedQuery.objects.get(pk=query_id, user=user)
    except SavedQuery.DoesNotExist:
        raise SavedQueryNotFound() from None


def saved_query_suggestions(*, user: User, query_id: int) -> SuggestionReport:
    """Visualizations for one of the caller's saved queries (rules in contracts.suggestions).

    Raises SavedQueryNotFound.
    """
    saved = saved_query_get(user=user, query_id=query_id)
    rows = (
        WidgetPreference.objects.filter(user=user)
        .values("visualization_type")
        .annotate(all_queries=Sum("use_count"), this_query=Sum("use_count", filter=Q(query_id=saved.pk)))
        .order_by("visualization_type")
    )
    usage: dict[str, Usage] = {
        row["visualization_type"]: {"this_query": row["this_query"] or 0, "all_queries": row["all_queries"] or 0}
        for row in rows
    }
    content = saved.query if isinstance(saved.query, dict) else {}
    suggestions = suggest_visualizations(content=content, contract_address=saved.contract_address, usage=usage)
    return {"suggestions": suggestions, "has_suggestions": bool(suggestions)}


# --- Dashboards ---------------------------------------------------------------------------------------
def dashboard_list(*, user: User) -> QuerySet[Dashboard]:
    """The caller's dashboards, newest first (bounded by services.MAX_DASHBOARDS_PER_USER)."""
    return Dashboard.objects.filter(user=user).order_by("-created_at", "-id")


def dashboard_get(*, user: User, dashboard_id: int) -> Dashboard:
    """One dashboard of the caller. Raises DashboardNotFound."""
    try:
        return Dashboard.objects.get(pk=dashboard_id, user=user)
    except Dashboard.DoesNotExist:
        raise DashboardNotFound() from None


def dashboard_widget_list(*, dashboard: Dashboard) -> QuerySet[DashboardWidget]:
    """A dashboard's widgets in layout order (top to bottom, left to right), with their saved queries."""
    return (
        DashboardWidget.objects.filter(dashboard=dashboard)
        .select_related("query")
        .order_by("position_y", "position_x", "id")
    )


# --- Counts -------------------------------------------------------------------------------------------
