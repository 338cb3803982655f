"""Services of contracts: limits and preference counts that hold under concurrency, and the model's
check constraints agreeing with the serializers' ranges."""

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from django.db import IntegrityError, connections, transaction

from contracts.errors import DashboardLimitReached, LimitReached
from contracts.models import ContractQuery, Dashboard, DashboardWidget, WidgetPreference
from contracts.serializers.dashboards import (
    WIDGET_SIZE_MAX,
    WIDGET_SIZE_MIN,
    WIDGET_X_MAX,
    WIDGET_X_MIN,
    WIDGET_Y_MAX,
    WIDGET_Y_MIN,
)
from contracts.services.dashboards import MAX_DASHBOARDS_PER_USER, dashboard_create, widget_create
from contracts.services.queries import contract_query_record
from contracts.services.saved_queries import default_saved_query_name, saved_query_create
from tests.factories import DashboardFactory, SavedQueryFactory, UserFactory


def run_together(count: int, work: Callable[[int], object]) -> tuple[list[object], list[Exception]]:
    """Run `work(i)` in `count` threads released at once; returns results and raised errors."""
    barrier = threading.Barrier(count)
    results: list[object] = []
    errors: list[Exception] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results.append(work(index))
        except Exception as exc:  # collected for the assertions
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_widget_create_counts_every_use_when_first_uses_race():
    # given: one user, one saved query, one dashboard per thread (no shared dashboard lock)
    user = UserFactory()
    saved = SavedQueryFactory(user=user)
    dashboards = [DashboardFactory(user=user) for _ in range(6)]

    # when
    _, errors = run_together(
        6,
        lambda n: widget_create(
            user=user, dashboard_id=dashboards[n].pk, query_id=saved.pk, title="t", visualization_type="bar"
        ),
    )

    # then: one preference row that counted all six
    assert errors == []
    assert DashboardWidget.objects.count() == 6
    preference = WidgetPreference.objects.get()
    assert (preference.visualization_type, preference.use_count) == ("bar", 6)


@pytest.mark.django_db(transaction=True)
def test_dashboard_create_limit_holds_under_concurrency():
    user = UserFactory()
    Dashboard.objects.bulk_create(DashboardFactory.build(user=user) for _ in range(MAX_DASHBOARDS_PER_USER - 1))

    results, errors = run_together(4, lambda n: dashboard_create(user=user, name=f"race {n}"))

    assert len(results) == 1
    assert len(errors) == 3 and all(isinstance(e, DashboardLimitReached) for e in errors)
    assert Dashboard.objects.filter(user=user).count() == MAX_DASHBOARDS_PER_USER


def test_limit_errors_are_conflicts():
    assert DashboardLimitReached.status_code == 409
    assert issubclass(DashboardLimitReached, LimitReached)


@pytest.mark.django_db
def test_saved_query_create_stores_dates_as_iso_text():
    user = UserFactory()
    address = "0x" + "5".rjust(64, "0")

    saved = saved_query_create(
        user=user,
        contracts=[address],
        from_date=date(2026, 1, 2),
        to_date=datetime(2026, 1, 3, 4, 5, 6, tzinfo=UTC),
    )

    saved.refresh_from_db()
    assert saved.query["fromDate"] == "2026-01-02"
    assert saved.query["toDate"] == "2026-01-03T04:05:06Z"
    assert saved.name == "Query on 0x5"


@pytest.mark.parametrize(
    ("contracts", "name"),
    [
        (["0x" + "abc".rjust(64, "0")], "Query on 0xabc"),
        (["0x" + "1234567890ab".rjust(64, "0")], "Query on 0x1234567890ab"),
        (["0x" + "1234567890abcd".rjust(64, "0"), "0x2"], "Query on 0x1234…abcd and 1 more"),
    ],
)
def test_default_saved_query_name_is_short_and_readable(contracts, name):
    assert default_saved_query_name(contracts) == name


def test_default_saved_query_name_uses_the_first_contracts_name():
    strk, eth = "0x" + "1".rjust(64, "0"), "0x" + "2".rjust(64, "0")

    assert default_saved_query_name([strk, eth], {strk: "STRK"}) == "Query on STRK and 1 more"
    # only the first contract names the query: a name of another one is not used
    assert default_saved_query_name([strk, eth], {eth: "ETH"}) == "Query on 0x1 and 1 more"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "low", "high"),
    [
        ("width", WIDGET_SIZE_MIN, WIDGET_SIZE_MAX),
        ("height", WIDGET_SIZE_MIN, WIDGET_SIZE_MAX),
        ("position_x", WIDGET_X_MIN, WIDGET_X_MAX),
        ("position_y", WIDGET_Y_MIN, WIDGET_Y_MAX),
    ],
)
def test_widget_ranges_of_the_serializers_match_the_check_constraints(field, low, high):
    user = UserFactory()
    dashboard = DashboardFactory(user=user)
    saved = SavedQueryFactory(user=user)

    def insert(value: int) -> None:
        with transaction.atomic():
            DashboardWidget.objects.create(
                dashboard=dashboard, query=saved, title="t", visualization_type="bar", **{field: value}
            )

    insert(low)
    insert(high)
    # Below zero a PositiveIntegerField has its own check; past the range ours refuses.
    for outside in (high + 1, *([low - 1] if low > 0 else [])):
        with pytest.raises(IntegrityError):
            insert(outside)


@pytest.mark.django_db
def test_contract_query_record_stores_a_success_and_a_failure():
    user = UserFactory()
    address = "0x" + "7".rjust(64, "0")

    ok = contract_query_record(
        user=user, contract_address=address, query_type="nonce", result={"nonce": "0x3"}, duration_ms=8
    )
    failed = contract_query_record(
        user=user,
        contract_address=address,
        query_type="class_hash",
        parameters={"block": "latest"},
        result={"ignored": True},
        error="The Starknet node did not answer in time.",
        duration_ms=10000,
    )

    ok.refresh_from_db()
    failed.refresh_from_db()
    assert (ok.status, ok.result, ok.error, ok.parameters) == ("success", {"nonce": "0x3"}, None, {})
    assert (failed.status, failed.result, failed.parameters) == ("failed", None, {"block": "latest"})
    assert failed.error == "The Starknet node did not answer in time."
    assert ContractQuery.objects.filter(user=user).count() == 2
