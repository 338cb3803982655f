"""POST /dashboards: the dashboard the app's contract-events page sends, with its widget objects as the
layout; shown by the dashboard builder like any other dashboard."""

import pytest

from accounts.models import ActivityLog
from contracts.models import Dashboard
from contracts.serializers.dashboards import MAX_TAG_LENGTH, MAX_TAGS
from contracts.serializers.fields import MAX_JSON_BYTES, MAX_JSON_DEPTH
from contracts.services.dashboards import MAX_DASHBOARDS_PER_USER, MAX_WIDGETS_PER_DASHBOARD
from tests.contracts.app_bodies import dashboard_body
from tests.contracts.conftest import assert_error
from tests.factories import DashboardFactory

pytestmark = pytest.mark.django_db

DASHBOARDS = "/api/dashboards"
BUILDER = "/api/dashboard-builder"


def test_app_dashboard_create_keeps_the_apps_widgets_as_its_layout(owner, owner_client):
    # given: the body as the app sends it
    body = dashboard_body()
    # when
    response = owner_client.post(DASHBOARDS, body, format="json")
    # then
    assert response.status_code == 201, response.content
    answer = response.json()
    dashboard = Dashboard.objects.get(pk=answer["dashboard"]["id"])
    assert answer == {
        "success": True,
        "dashboard": {
            "id": dashboard.pk,
            "user_id": owner.pk,
            "name": "STRK Analytics Dashboard",
            "description": "Auto-generated dashboard for ERC20 Token analysis",
            "layout": body["widgets"],
            "tags": ["Starknet", "ERC20 Token"],
            "created_at": answer["dashboard"]["created_at"],
            "updated_at": answer["dashboard"]["updated_at"],
        },
    }
    assert dashboard.user == owner
    assert dashboard.layout == body["widgets"]
    assert dashboard.tags == ["Starknet", "ERC20 Token"]
    assert not dashboard.widgets.exists()
    log = ActivityLog.objects.get(action="contract.dashboard_created")
    assert (log.actor_id, log.target_type, log.target_id) == (owner.pk, "dashboard", str(dashboard.pk))


def test_app_dashboard_create_costs_what_the_builders_create_costs(owner_client, django_assert_num_queries):
    # user of the token; SAVEPOINT, lock of the user row, COUNT of dashboards, INSERT, INSERT activity, RELEASE
    with django_assert_num_queries(7):
        response = owner_client.post(DASHBOARDS, dashboard_body(points=200), format="json")
    assert response.status_code == 201


def test_app_dashboard_is_shown_by_the_builder_with_its_layout_and_tags(owner, owner_client):
    body = dashboard_body()
    created = owner_client.post(DASHBOARDS, body, format="json").json()["dashboard"]

    listed = owner_client.get(BUILDER).json()["dashboards"]
    detail = owner_client.get(f"{BUILDER}/{created['id']}").json()["data"]

    assert listed == [created]
    assert detail == {"dashboard": created, "widgets": []}
    assert listed[0]["layout"] == body["widgets"]


def test_app_dashboard_create_takes_a_title_alone(owner_client):
    response = owner_client.post(DASHBOARDS, {"title": "  Just a title  "}, format="json")

    dashboard = response.json()["dashboard"]
    assert response.status_code == 201
    assert (dashboard["name"], dashboard["description"], dashboard["layout"], dashboard["tags"]) == (
        "Just a title",
        "",
        [],
        [],
    )


def test_app_dashboard_create_trims_tags_and_keeps_a_repeated_one_once(owner_client):
    tags = [" Starknet ", "ERC20 Token", "starknet", "STARKNET", "DeFi", "ERC20 Token"]

    response = owner_client.post(DASHBOARDS, {"title": "Tags", "tags": tags}, format="json")

    assert response.json()["dashboard"]["tags"] == ["Starknet", "ERC20 Token", "DeFi"]


def test_app_dashboard_create_takes_the_owner_from_the_token_and_ignores_other_keys(owner, stranger, owner_client):
    body = {**dashboard_body(), "user_id": stranger.pk, "userId": stranger.pk, "isPublic": True, "theme": {"x": 1}}

    response = owner_client.post(DASHBOARDS, body, format="json")

    assert response.status_code == 201
    assert Dashboard.objects.get(pk=response.json()["dashboard"]["id"]).user == owner


def _deep(levels: int) -> list:
    """Lists nested `levels` deep."""
    nested: list = [1]
    for _ in range(levels - 1):
        nested = [nested]
    return nested


def test_app_dashboard_create_accepts_the_bounds_themselves(owner_client):
    widget = {"id": "kpi", "type": "kpi", "data": [{"value": 1}], "position": {"x": 0, "y": 0, "w": 1, "h": 1}}
    body = {
        "title": "t" * 200,
        "description": "d" * 2000,
        # the layout and a widget are the first two levels
        "widgets": [*([widget] * (MAX_WIDGETS_PER_DASHBOARD - 1)), {"deep": _deep(MAX_JSON_DEPTH - 2)}],
        "tags": [f"{n}".rjust(MAX_TAG_LENGTH, "x") for n in range(MAX_TAGS)],
    }

    response = owner_client.post(DASHBOARDS, body, format="json")

    assert response.status_code == 201, response.content
    assert len(response.json()["dashboard"]["layout"]) == MAX_WIDGETS_PER_DASHBOARD


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"name": "The builder's key"}, "title"),
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "ok", "description": "x" * 2001}, "description"),
        ({"title": "ok", "widgets": "kpi"}, "widgets"),
        ({"title": "ok", "widgets": {"id": "kpi"}}, "widgets"),
        ({"title": "ok", "widgets": None}, "widgets"),
        ({"title": "ok", "widgets": [{"id": "kpi"}, "kpi"]}, "widgets.1"),
        ({"title": "ok", "widgets": [[{"id": "kpi"}]]}, "widgets.0"),
        ({"title": "ok", "widgets": [{"id": n} for n in range(MAX_WIDGETS_PER_DASHBOARD + 1)]}, "widgets"),
        ({"title": "ok", "widgets": [{"data": "x" * MAX_JSON_BYTES}]}, "widgets"),
        ({"title": "ok", "widgets": [{"data": _deep(MAX_JSON_DEPTH - 1)}]}, "widgets"),
        ({"title": "ok", "tags": "Starknet"}, "tags"),
        ({"title": "ok", "tags": [f"tag {n}" for n in range(MAX_TAGS + 1)]}, "tags"),
        ({"title": "ok", "tags": ["Starknet", "  "]}, "tags.1"),
        ({"title": "ok", "tags": ["x" * (MAX_TAG_LENGTH + 1)]}, "tags.0"),
        ({"title": "ok", "tags": [["Starknet"]]}, "tags.0"),
        ({"title": "ok", "tags": [None]}, "tags.0"),
        (["STRK Analytics Dashboard"], "non_field_errors"),
    ],
)
def test_app_dashboard_create_rejects_invalid_input_with_field_errors(body, field, owner_client):
    response = owner_client.post(DASHBOARDS, body, format="json")

    errors = assert_error(response, 400, "request.validation_failed")["errors"]
    assert field in errors, errors
    assert not Dashboard.objects.exists()


def test_app_dashboard_create_refuses_past_the_per_user_limit(owner, owner_client):
    Dashboard.objects.bulk_create(DashboardFactory.build(user=owner) for _ in range(MAX_DASHBOARDS_PER_USER - 1))
    assert owner_client.post(DASHBOARDS, dashboard_body(), format="json").status_code == 201

    response = owner_client.post(DASHBOARDS, dashboard_body(), format="json")

    assert_error(response, 409, "contracts.dashboard_limit_reached")
    assert Dashboard.objects.filter(user=owner).count() == MAX_DASHBOARDS_PER_USER


def test_app_dashboard_create_refuses_anonymous_callers(api_client):
    assert_error(api_client.post(DASHBOARDS, dashboard_body(), format="json"), 401, "auth.not_authenticated")
    assert not Dashboard.objects.exists()
