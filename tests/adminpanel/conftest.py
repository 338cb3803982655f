"""Personas and helpers of the admin panel tests: admin, moderator, a plain user, the anonymous caller;
a clock standing at a fixed instant, and rows placed at chosen times."""

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from tests.conftest import bearer_client
from tests.factories import AdminFactory, UserFactory

# A fixed "now" for the dashboard's day and 30-day window: 2025-06-15 14:30 UTC.
NOW = datetime(2025, 6, 15, 14, 30, tzinfo=UTC)


@pytest.fixture
def admin(db):
    return AdminFactory(username="admin")


@pytest.fixture
def moderator(db):
    return UserFactory(username="moderator", email="moderator@example.com", role=User.Role.MODERATOR)


@pytest.fixture
def member(db):
    return UserFactory(username="member", email="member@example.com")


@pytest.fixture
def clients(admin, moderator, member):
    """An API client per persona; `anonymous` sends no credentials, `member` is signed in but not staff."""
    return {
        "admin": bearer_client(admin),
        "moderator": bearer_client(moderator),
        "member": bearer_client(member),
        "anonymous": APIClient(),
    }


@pytest.fixture
def now(fake_clock):
    """The application's clock standing at NOW."""
    fake_clock.advance(NOW.timestamp() - fake_clock.time())
    return NOW


def placed_at(row, when: datetime):
    """Give a stored row (activity, contract query) the creation time `when` (auto_now_add sets the real time)."""
    type(row).objects.filter(pk=row.pk).update(created_at=when)
    row.created_at = when
    return row
