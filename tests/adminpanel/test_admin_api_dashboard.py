"""GET /api/admin/dashboard: today's figures (since 00:00 UTC by the application's clock), the last 30
days' most queried contracts and most active users, the latest activity; a constant query count."""

from datetime import timedelta

import pytest

from accounts.services import activity_record
from tests.adminpanel.conftest import placed_at
from tests.conftest import bearer_client
from tests.factories import ActivityFactory, ContractQueryFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin/dashboard"
CONTRACT_A = f"0x{0xA:064x}"
CONTRACT_B = f"0x{0xB:064x}"
CONTRACT_C = f"0x{0xC:064x}"


def analyzed(actor, when):
    """A contract analysis run, as POST /contracts/analyze records it."""
    return placed_at(activity_record(action="contract.analyzed", actor=actor, metadata={"contract": CONTRACT_A}), when)


def queries(user, contract: str, when, count: int = 1) -> None:
    for _ in range(count):
        placed_at(ContractQueryFactory(user=user, contract_address=contract), when)


@pytest.fixture
def world(admin, now):
    """Three users with activity and queries around the day's start and the 30-day window's start."""
    today = now.replace(hour=0, minute=0)
    ada, bob, cy = (UserFactory(username=name, email=f"{name}@example.com") for name in ("ada", "bob", "cy"))
    placed_at(ActivityFactory(actor=ada, action="auth.login"), today)  # the day's first instant counts
    placed_at(ActivityFactory(actor=bob, action="auth.login"), today - timedelta(seconds=1))
    analyzed(cy, today + timedelta(hours=10))
    analyzed(None, today + timedelta(hours=11))  # an anonymous analysis: a report, not an active user
    analyzed(ada, today - timedelta(hours=1))
    queries(ada, CONTRACT_A, today + timedelta(hours=2), count=3)
    queries(bob, CONTRACT_A, now - timedelta(days=10))
    queries(bob, CONTRACT_B, now - timedelta(days=29), count=3)
    queries(cy, CONTRACT_C, now - timedelta(days=31), count=5)  # outside the window
    return {"ada": ada, "bob": bob, "cy": cy, "today": today}


def test_admin_dashboard_stats_follow_their_definitions(admin, world):
    response = bearer_client(admin).get(URL)

    assert response.status_code == 200
    stats = response.json()["data"]["stats"]
    assert stats == {
        "total_users": 4,
        "active_users_today": 2,  # ada and cy
        "total_queries_today": 3,
        "total_reports_today": 2,  # cy's and the anonymous one
        "most_queried_contracts": [
            {"contract_address": CONTRACT_A, "query_count": 4, "unique_users": 2},
            {"contract_address": CONTRACT_B, "query_count": 3, "unique_users": 1},
        ],
    }


def test_admin_dashboard_top_users_rank_by_queries_in_the_window(admin, world):
    ada, bob, today = world["ada"], world["bob"], world["today"]

    top_users = bearer_client(admin).get(URL).json()["data"]["top_users"]

    assert top_users == [
        {
            "user_id": bob.pk,
            "email": "bob@example.com",
            "username": "bob",
            "total_queries": 4,
            "last_activity": (today - timedelta(seconds=1)).isoformat().replace("+00:00", "Z"),
        },
        {
            "user_id": ada.pk,
            "email": "ada@example.com",
            "username": "ada",
            "total_queries": 3,
            "last_activity": today.isoformat().replace("+00:00", "Z"),
        },
    ]


def test_admin_dashboard_top_user_without_activity_has_null_last_activity(admin, now):
    quiet = UserFactory()
    queries(quiet, CONTRACT_A, now)

    top_users = bearer_client(admin).get(URL).json()["data"]["top_users"]

    assert [(row["user_id"], row["last_activity"]) for row in top_users] == [(quiet.pk, None)]


def test_admin_dashboard_today_moves_with_the_clock(admin, world, fake_clock):
    # given the next day, half an hour in
    fake_clock.advance(timedelta(hours=10).total_seconds())

    stats = bearer_client(admin).get(URL).json()["data"]["stats"]

    assert (stats["active_users_today"], stats["total_queries_today"], stats["total_reports_today"]) == (0, 0, 0)
    assert stats["total_users"] == 4


def test_admin_dashboard_lists_the_20_latest_activities_newest_first(admin, now):
    actor = UserFactory(email="ada@example.com", username="ada")
    rows = [
        placed_at(ActivityFactory(actor=actor, action=f"test.step{n}"), now - timedelta(minutes=n)) for n in range(25)
    ]

    recent = bearer_client(admin).get(URL).json()["data"]["recent_activities"]

    assert [entry["id"] for entry in recent] == [row.pk for row in rows[:20]]
    assert recent[0] == {
        "id": rows[0].pk,
        "action": "test.step0",
        "actor": {"id": actor.pk, "email": "ada@example.com", "username": "ada"},
        "target_type": "",
        "target_id": "",
        "ip_address": None,
        "user_agent": "",
        "request_id": "",
        "metadata": {},
        "created_at": now.isoformat().replace("+00:00", "Z"),
    }


def test_admin_dashboard_of_an_empty_platform(admin, now):
    data = bearer_client(admin).get(URL).json()["data"]

    assert data["stats"]["total_users"] == 1
    assert data["stats"]["most_queried_contracts"] == []
    assert data["top_users"] == []
    assert data["recent_activities"] == []


@pytest.mark.parametrize("rows", [1, 15])
def test_admin_dashboard_query_count_is_constant(admin, now, django_assert_num_queries, rows):
    for n in range(rows):
        user = UserFactory()
        ActivityFactory(actor=user)
        analyzed(user, now)
        ContractQueryFactory(user=user)
        ContractQueryFactory(user=user, contract_address=f"0x{0xF00 + n:064x}")
    client = bearer_client(admin)
    # auth; COUNT users; today's activity (distinct actors, analyses); COUNT today's queries; most
    # queried contracts; latest activities with their actors; top users with their last activity
    with django_assert_num_queries(7):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.json()["data"]["top_users"]) == min(rows, 10)
