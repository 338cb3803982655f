"""Row locks of the contracts app, the only place that takes them.

Limits on stored objects are checked by counting, then inserting; the lock on the owning row makes
concurrent creates of one owner take turns, so a limit holds under any concurrency. Order, for a
transaction that takes several: the user, then the dashboard, then the widget. On MariaDB, which
cannot lock only some tables of a join, `widget_lock` also locks the widget's dashboard (in one
statement); no transaction here locks a widget and then takes another lock on a dashboard.
"""

from accounts.models import User
from blocra.locking import only_own_rows
from contracts.models import Dashboard, DashboardWidget


def user_lock(user: User) -> None:
    """The user's row, locked: the creates counted against a per-user limit (saved queries,
    dashboards) of one user run one at a time."""
    list(User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True))


def dashboard_lock(*, user: User, dashboard_id: int) -> Dashboard | None:
    """One of the user's dashboards, locked: widget creates on it run one at a time, so its widget
    limit holds. None when the user has no such dashboard."""
    return Dashboard.objects.select_for_update().filter(pk=dashboard_id, user=user).first()


def widget_lock(*, user: User, widget_id: int) -> DashboardWidget | None:
    """One of the user's widgets, locked while it changes, so the preference it counts is the change
    that was written. None when the user has no such widget."""
    return (
        DashboardWidget.objects.select_for_update(of=only_own_rows()).filter(pk=widget_id, dashboard__user=user).first()
    )
