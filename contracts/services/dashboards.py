"""Dashboards (MAX_DASHBOARDS_PER_USER per user), made in the builder or sent by the app with its own
widget objects as their layout, and the builder's widgets (MAX_WIDGETS_PER_DASHBOARD each), whose
visualizations count as the user's preferences. Limits are checked under a lock on the owning row
(contracts.locks), so concurrent creates cannot overshoot them."""

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.services import activity_record
from contracts.errors import (
    DashboardLimitReached,
    DashboardNotFound,
    NothingToUpdate,
    UnknownSavedQuery,
    WidgetLimitReached,
    WidgetNotFound,
)
from contracts.locks import dashboard_lock, user_lock, widget_lock
from contracts.models import Dashboard, DashboardWidget, SavedQuery, WidgetPreference

MAX_DASHBOARDS_PER_USER = 50
MAX_WIDGETS_PER_DASHBOARD = 50


def dashboard_create(
    *,
    user: User,
    name: str,
    description: str = "",
    layout: list[dict[str, Any]] | None = None,
    tags: list[str] | None = None,
) -> Dashboard:
    """Create a dashboard for the caller (logged as `contract.dashboard_created`), from the builder (name
    and description) or from the app (also its widget objects as `layout`, and `tags`), validated by the
    caller. Raises DashboardLimitReached past MAX_DASHBOARDS_PER_USER."""
    with transaction.atomic():
        user_lock(user)
        if Dashboard.objects.filter(user=user).count() >= MAX_DASHBOARDS_PER_USER:
            raise DashboardLimitReached(f"You can keep at most {MAX_DASHBOARDS_PER_USER} dashboards.")
        dashboard = Dashboard.objects.create(
            user=user, name=name, description=description, layout=layout or [], tags=tags or []
        )
        activity_record(
            action="contract.dashboard_created",
            actor=user,
            target_type="dashboard",
            target_id=dashboard.pk,
            metadata={"name": name},
        )
    return dashboard


def dashboard_delete(*, user: User, dashboard_id: int) -> None:
    """Delete one of the caller's dashboards with its widgets (logged as `contract.dashboard_deleted`).
    Raises DashboardNotFound."""
    with transaction.atomic():
        deleted, _ = Dashboard.objects.filter(pk=dashboard_id, user=user).delete()
        if not deleted:
            raise DashboardNotFound()
        activity_record(
            action="contract.dashboard_deleted", actor=user, target_type="dashboard", target_id=dashboard_id
        )


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
        dashboard = dashboard_lock(user=user, dashboard_id=dashboard_id)
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
        widget = widget_lock(user=user, widget_id=widget_id)
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
