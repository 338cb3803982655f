"""Reads of the admin panel's API: the dashboard, users with their activity figures, contract query
logs and the activity log. Each answer costs a constant number of queries, whatever its length.

Definitions (the README and the OpenAPI descriptions repeat them):
- "now" is the application's clock (`blocra.clock`); "today" runs from 00:00 UTC of now's day;
  "the last 30 days" from now minus 30 days.
- A sign-in is an activity row of one of `LOGIN_ACTIONS`; a report is a contract analysis run, an
  activity row `contract.analyzed`; a query is a `ContractQuery` row.
- A user's last activity is the time of their latest activity row (as actor), or None.
"""

from datetime import UTC, datetime, timedelta
from typing import Any, TypedDict

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.errors import UserNotFound
from accounts.models import ActivityLog, User
from blocra.clock import clock
from contracts.models import ContractQuery

LOGIN_ACTIONS = ("auth.login", "auth.google_login", "auth.wallet_login", "auth.admin_login")
REPORT_ACTION = "contract.analyzed"
WINDOW = timedelta(days=30)
TOP_CONTRACTS = 10
TOP_USERS = 10
DASHBOARD_RECENT_ACTIVITIES = 20
USER_RECENT_ACTIVITIES = 5


def _now() -> datetime:
    return datetime.fromtimestamp(clock().time(), tz=UTC)


def _day_start(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _newest_first(queryset: QuerySet[Any]) -> QuerySet[Any]:
    return queryset.order_by("-created_at", "-pk")


# --- Users with their figures -----------------------------------------------------------------------


def _row_count(queryset: QuerySet[Any], *, owner: str) -> Coalesce:
    """The number of `queryset`'s rows whose `owner` is the outer user, as a correlated subquery (0 for none)."""
    counted = queryset.filter(**{owner: OuterRef("pk")}).order_by().values(owner).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _last_activity() -> Subquery:
    latest = ActivityLog.objects.filter(actor=OuterRef("pk")).order_by("-created_at").values("created_at")[:1]
    return Subquery(latest)


def _with_figures(queryset: QuerySet[User]) -> QuerySet[User]:
    """Users with `total_logins`, `total_queries`, `total_reports`, `last_activity` and their latest
    activity rows (`recent_activity_list`, at most USER_RECENT_ACTIVITIES, fetched in one query for
    the whole page)."""
    recent = _newest_first(ActivityLog.objects.all())[:USER_RECENT_ACTIVITIES]
    return queryset.annotate(
        total_logins=_row_count(ActivityLog.objects.filter(action__in=LOGIN_ACTIONS), owner="actor"),
        total_queries=_row_count(ContractQuery.objects.all(), owner="user"),
        total_reports=_row_count(ActivityLog.objects.filter(action=REPORT_ACTION), owner="actor"),
        last_activity=_last_activity(),
    ).prefetch_related(Prefetch("activities", queryset=recent, to_attr="recent_activity_list"))


def user_admin_list(*, search: str = "", role: str | None = None, is_active: bool | None = None) -> QuerySet[User]:
    """Every user, newest account first, with their figures; `search` matches part of the email,
    username or wallet address (case-insensitively)."""
    queryset = User.objects.all()
    if search:
        queryset = queryset.filter(
            Q(email__icontains=search) | Q(username__icontains=search) | Q(wallet_address__icontains=search)
        )
    if role is not None:
        queryset = queryset.filter(role=role)
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    return _with_figures(_newest_first(queryset))


def user_admin_get(*, user_id: int) -> User:
    """One user with their figures; UserNotFound (404) when there is none."""
    user = _with_figures(User.objects.filter(pk=user_id)).first()
    if user is None:
        raise UserNotFound()
    return user


# --- Logs -------------------------------------------------------------------------------------------


def query_log_list(*, user_id: int | None = None, limit: int = 100) -> QuerySet[ContractQuery]:
    """The latest `limit` contract queries, newest first, of one user or of all, with their users."""
    queryset = ContractQuery.objects.select_related("user")
    if user_id is not None:
        queryset = queryset.filter(user_id=user_id)
    return _newest_first(queryset)[:limit]


def activity_list(
    *,
    action: str = "",
    actor_id: int | None = None,
    target_type: str = "",
    target_id: str = "",
    ip: str | None = None,
    request_id: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[ActivityLog]:
    """Activity rows, newest first, with their actors. `action` is exact, or a prefix when it ends in
    "." (`auth.`); `since` is inclusive, `until` exclusive; empty filters are not applied."""
    queryset = ActivityLog.objects.select_related("actor")
    if action:
        queryset = (
            queryset.filter(action__startswith=action) if action.endswith(".") else queryset.filter(action=action)
        )
    if actor_id is not None:
        queryset = queryset.filter(actor_id=actor_id)
    if target_type:
        queryset = queryset.filter(target_type=target_type)
    if target_id:
        queryset = queryset.filter(target_id=target_id)
    if ip:
        queryset = queryset.filter(ip_address=ip)
    if request_id:
        queryset = queryset.filter(request_id=request_id)
    if since is not None:
        queryset = queryset.filter(created_at__gte=since)
    if until is not None:
        queryset = queryset.filter(created_at__lt=until)
    return _newest_first(queryset)


# --- Dashboard --------------------------------------------------------------------------------------


class ContractFigures(TypedDict):
    contract_address: str
    query_count: int
    unique_users: int


class DashboardStats(TypedDict):
    total_users: int
    active_users_today: int
    total_queries_today: int
    total_reports_today: int
    most_queried_contracts: list[ContractFigures]


class Dashboard(TypedDict):
    stats: DashboardStats
    recent_activities: list[ActivityLog]
    top_users: list[User]


def admin_dashboard() -> Dashboard:
    """The dashboard's figures (see the module's definitions), in six queries."""
    now = _now()
    today, window_start = _day_start(now), now - WINDOW
    today_activity = ActivityLog.objects.filter(created_at__gte=today).aggregate(
        active_users=Count("actor", distinct=True), reports=Count("pk", filter=Q(action=REPORT_ACTION))
    )
    contracts = (
        ContractQuery.objects.filter(created_at__gte=window_start)
        .values("contract_address")
        .annotate(query_count=Count("pk"), unique_users=Count("user", distinct=True))
        .order_by("-query_count", "contract_address")[:TOP_CONTRACTS]
    )
    # filter() before annotate(): the count is of the joined queries inside the window only.
    top_users = (
        User.objects.filter(contract_queries__created_at__gte=window_start)
        .annotate(total_queries=Count("contract_queries"), last_activity=_last_activity())
        .order_by("-total_queries", "pk")[:TOP_USERS]
    )
    return {
        "stats": {
            "total_users": User.objects.count(),
            "active_users_today": today_activity["active_users"],
            "total_queries_today": ContractQuery.objects.filter(created_at__gte=today).count(),
            "total_reports_today": today_activity["reports"],
            "most_queried_contracts": [
                ContractFigures(
                    contract_address=row["contract_address"],
                    query_count=row["query_count"],
                    unique_users=row["unique_users"],
                )
                for row in contracts
            ],
        },
        "recent_activities": list(
            _newest_first(ActivityLog.objects.select_related("actor"))[:DASHBOARD_RECENT_ACTIVITIES]
        ),
        "top_users": list(top_users),
    }
