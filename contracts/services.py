"""Writes of contract queries, saved queries and dashboards. Each owns its transaction.

Limits (409 when reached) keep every unpaginated list of the app bounded:
MAX_SAVED_QUERIES_PER_USER, MAX_DASHBOARDS_PER_USER, MAX_WIDGETS_PER_DASHBOARD. A limit is checked
while holding a lock on the owning row (the user, or the dashboard), so concurrent creates cannot
overshoot it.
"""

from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from contracts.chains import DEFAULT_CHAIN
from contracts.dates import iso_text
from contracts.errors import (
    ContractQueryNotFound,
    DashboardLimitReached,
    DashboardNotFound,
    NothingToUpdate,
    SavedQueryLimitReached,
    UnknownSavedQuery,
    WidgetLimitReached,
    WidgetNotFound,
)
from contracts.models import ContractQuery, Dashboard, DashboardWidget, SavedQuery, WidgetPreference
from contracts.selectors import contract_query_visible

MAX_SAVED_QUERIES_PER_USER = 200
MAX_DASHBOARDS_PER_USER = 50
MAX_WIDGETS_PER_DASHBOARD = 50


def _lock_user(user: User) -> None:
    """Serialise a user's creates: a per-user mutex for the count-then-insert of the limits."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def default_saved_query_name(contracts: list[str]) -> str:
    """`Query on 0x49d3…4dc7`, plus `and N more` when several contracts are named."""
    short = hex(int(contracts[0], 16))
    label = short if len(short) <= 14 else f"{short[:6]}…{short[-4:]}"
    more = len(contracts) - 1
    return f"Query on {label}" + (f" and {more} more" if more else "")


# --- Contract queries ---------------------------------------------------------------------------------
def contract_query_record(
    *,
    user: User,
    contract_address: str,
    query_type: str,
    parameters: dict[str, Any] | None = None,
    result: Any = None,
    error: str | None = None,
    duration_ms: int | None = None,
) -> ContractQuery:
    """Store the outcome of a query already run on the chain: `failed` when `error` is given.

    `contract_address` must be normalised (blocra.starknet.normalize_address).
    """
    failed = error is not None
    return ContractQuery.objects.create(
        user=user,
        contract_address=contract_address,
        query_type=query_type,
        parameters=parameters or {},
        result=None if failed else result,
        status=ContractQuery.Status.FAILED if failed else ContractQuery.Status.SUCCESS,
        error=error,
        duration_ms=duration_ms,
    )


def query_delete(*, user: User, query_id: UUID) -> None:
    """Delete a contract query of the caller (any, for an admin). Raises ContractQueryNotFound."""
    deleted, _ = contract_query_visible(user=user).filter(pk=query_id).delete()
    if not deleted:
        raise ContractQueryNotFound()


# --- Saved queries ------------------------------------------------------------------------------------
def saved_query_create(
    *,
    user: User,
    contracts: list[str],
    name: str | None = None,
    chain: str = DEFAULT_CHAIN,
    from_date: date | datetime | None = None,
    to_date: date | datetime | None = None,
    events: Any = None,
    stats: Any = None,
) -> SavedQuery:
    """Store a saved query over normalised, non-empty `contracts`; the first one is its contract_address.

    Raises SavedQueryLimitReached past MAX_SAVED_QUERIES_PER_USER.
    """
    content = {
        "contracts": contracts,
        "fromDate": iso_text(from_date) if from_date is not None else None,
        "toDate": iso_text(to_date) if to_date is not None else None,
        "events": events,
        "stats": stats,
    }
    with transaction.atomic():
        _lock_user(user)
        if SavedQuery.objects.filter(user=user).count() >= MAX_SAVED_QUERIES_PER_USER:
            raise SavedQueryLimitReached(f"You can keep at most {MAX_SAVED_QUERIES_PER_USER} saved queries.")
        return SavedQuery.objects.create(
            user=user,
            name=(name or "").strip() or default_saved_query_name(contracts),
            contract_address=contracts[0],
            chain=chain,
            query=content,
        )


# --- Dashboards ---------------------------------------------------------------------------------------
def dashboard_create(*, user: User, name: str, description: str = "") -> Dashboard:
    """Create a dashboard for the caller. Raises DashboardLimitReached past MAX_DASHBOARDS_PER_USER."""
    with transaction.atomic():
        _lock_user(user)
        if Dashboard.objects.filter(user=user).count() >= MAX_DASHBOARDS_PER_USER:
            raise DashboardLimitReached(f"You can keep at most {MAX_DASHBOARDS_PER_USER} dashboards.")
        return Dashboard.objects.create(user=user, name=name, description=description)


def dashboard_delete(*, user: User, dashboard_id: int) -> None:
    """Delete one of the caller's dashboards with its widgets. Raises DashboardNotFound."""
    deleted, _ = Dashboard.objects.filter(pk=dashboard_id, user=user).delete()
    if not deleted:
        raise DashboardNotFound()


# --- Widgets ------------------------------------------------------------------------------------------
def _preference_bump(*, user: User, query_id: int, visualization_type: str) -> None:
    """Count one more use of `visualization_type` for this query: increment, else insert.

    Two requests racing to insert the first row meet the unique constraint; the loser increments.
    """
    rows = WidgetPreference.objects.filter(user=user, query_id=query_id, visualization_type=visualization_type)
    if rows.update(use_count=F("use_count") + 1, updated_at=timezone.now()):
        return
    try:
        with transaction.atomic():
            WidgetPreference.objects.create(user=user, query_id=query_id, visualization_type=visualization_type)
    except IntegrityError:
        rows.update(use_count=F("use_count") + 1, updated_at=timezone.now())


def widget_create(
    *,
    user: User,
    dashboard_id: int,
    query_id: int,
    title: str,
    visualization_type: str,
    position_x: int = 0,
    position_y: int = 0,
    width: int = 4,
    height: int = 3,
) -> DashboardWidget:
    """Add a widget charting one of the caller's saved queries to one of their dashboards.

    Raises DashboardNotFound, UnknownSavedQuery, WidgetLimitReached past MAX_WIDGETS_PER_DASHBOARD.
    """
    with transaction.atomic():
        # Locking the dashboard serialises widget creates on it, so the limit holds.
        dashboard = Dashboard.objects.select_for_update().filter(pk=dashboard_id, user=user).first()
        if dashboard is None:
            raise DashboardNotFound()
        if not SavedQuery.objects.filter(pk=query_id, user=user).exists():
            raise UnknownSavedQuery()
        if DashboardWidget.objects.filter(dashboard=dashboard).count() >= MAX_WIDGETS_PER_DASHBOARD:
            raise WidgetLimitReached(f"A dashboard holds at most {MAX_WIDGETS_PER_DASHBOARD} widgets.")
        widget = DashboardWidget.objects.create(
            dashboard=dashboard,
            query_id=query_id,
            title=title,
            visualization_type=visualization_type,
            position_x=position_x,
            position_y=position_y,
            width=width,
            height=height,
        )
        _preference_bump(user=user, query_id=query_id, visualization_type=visualization_type)
    return widget


def widget_update(
    *,
    user: User,
    widget_id: int,
    title: str | None = None,
    visualization_type: str | None = None,
    position_x: int | None = None,
    position_y: int | None = None,
    width: int | None = None,
    height: int | None = None,
) -> DashboardWidget:
    """Change the given fields of one of the caller's widgets; None leaves a field as it is.

    A new visualization counts as a use in the caller's preferences.
    Raises NothingToUpdate when nothing is given, WidgetNotFound.
    """
    changes = {
        name: value
        for name, value in {
            "title": title,
            "visualization_type": visualization_type,
            "position_x": position_x,
            "position_y": position_y,
            "width": width,
            "height": height,
        }.items()
        if value is not None
    }
    if not changes:
        raise NothingToUpdate()
    with transaction.atomic():
        widget = (
            DashboardWidget.objects.select_for_update(of=("self",)).filter(pk=widget_id, dashboard__user=user).first()
        )
        if widget is None:
            raise WidgetNotFound()
        new_visualization = visualization_type is not None and visualization_type != widget.visualization_type
        for name, value in changes.items():
            setattr(widget, name, value)
        widget.save(update_fields=[*changes, "updated_at"])
        if new_visualization:
            _preference_bump(user=user, query_id=widget.query_id, visualization_type=widget.visualization_type)
    return widget


def widget_delete(*, user: User, widget_id: int) -> None:
    """Delete one of the caller's widgets (their preference history stays). Raises WidgetNotFound."""
    deleted, _ = DashboardWidget.objects.filter(pk=widget_id, dashboard__user=user).delete()
    if not deleted:
        raise WidgetNotFound()
