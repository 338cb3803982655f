"""GET /health and /api/health, and the API root."""

from datetime import UTC, datetime

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/health", "/api/health", "/api/health/"])
def test_health_reports_ok_with_uptime_and_timestamp(client, path):
    response = client.get(path)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "cache": "ok"}
    assert isinstance(body["uptime"], int | float)
    assert 0 <= body["uptime"] < 7 * 24 * 3600  # seconds since start, not the epoch
    stamp = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
    assert abs((datetime.now(UTC) - stamp).total_seconds()) < 60
    assert body["version"]


def test_health_uptime_grows(client, fake_clock):
    first = client.get("/health").json()["uptime"]
    fake_clock.advance(90)
    assert client.get("/health").json()["uptime"] == pytest.approx(first + 90, abs=0.01)


@pytest.mark.parametrize("path", ["/health", "/api/health"])
def test_health_is_degraded_when_database_is_unreachable(client, monkeypatch, path):
    # given: every new cursor fails as if the database were gone
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("unable to open database file")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(path)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "error"
    assert "unable to open" not in response.content.decode()


def test_health_rejects_writes(client):
    assert client.post("/health").status_code == 405


def test_api_root_welcomes(client):
    response = client.get("/api/")
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Welcome to the BlocRA API"}
    assert client.get("/api").status_code == 200


def test_health_query_count(client, django_assert_num_queries):
    # SELECT 1 (database check); the cache round trip is outside the database (blocra.cache or Redis).
    with django_assert_num_queries(1):
        assert client.get("/health").status_code == 200


def test_api_root_query_count(client, django_assert_num_queries):
    # The greeting reads nothing.
    with django_assert_num_queries(0):
        assert client.get("/api/").status_code == 200
