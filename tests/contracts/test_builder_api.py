"""The dashboard builder: dashboards, widgets and the builder's query list, all owner-scoped."""

import pytest

from contracts.models import Dashboard, DashboardWidget, SavedQuery, WidgetPreference
from contracts.services.dashboards import MAX_DASHBOARDS_PER_USER, MAX_WIDGETS_PER_DASHBOARD
from tests.contracts.conftest import assert_error
from tests.factories import DashboardFactory, SavedQueryFactory, WidgetFactory

pytestmark = pytest.mark.django_db

BUILDER = "/api/dashboard-builder"


def widget_body(query_id: int, **overrides) -> dict:
    return {
        "query_id": query_id,
        "title": "Transfers per day",
        "visualization_type": "line",
        "position_x": 2,
        "position_y": 5,
        "width": 6,
        "height": 4,
        **overrides,
    }


# --- Dashboards ---------------------------------------------------------------------------------------
def test_dashboard_create_answers_the_new_dashboard(owner, owner_client, django_assert_num_queries):
    # user of the token; SAVEPOINT, lock of the user row, COUNT of dashboards, INSERT, INSERT activity, RELEASE
    with django_assert_num_queries(7):
        response = owner_client.post(BUILDER, {"name": "  DeFi  ", "description": "Flows"}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True
    dashboard = Dashboard.objects.get(pk=body["dashboard"]["id"])
    assert dashboard.user == owner
    assert body["dashboard"] == {
        "id": dashboard.pk,
        "user_id": owner.pk,
        "name": "DeFi",
        "description": "Flows",
        "layout": [],
        "tags": [],
        "created_at": body["dashboard"]["created_at"],
        "updated_at": body["dashboard"]["updated_at"],
    }


def test_dashboard_create_takes_the_owner_from_the_token_not_the_body(owner, stranger, owner_client):
    response = owner_client.post(BUILDER, {"name": "Mine", "user_id": stranger.pk, "user": stranger.pk}, format="json")

    assert Dashboard.objects.get(pk=response.json()["dashboard"]["id"]).user == owner


@pytest.mark.parametrize(
    ("body", "field"),
    # A number is no description: the schema says string (DRF's CharField alone would take it as text).
    [
        ({}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "ok", "description": 5}, "description"),
    ],
)
def test_dashboard_create_rejects_invalid_input(body, field, owner_client):
    response = owner_client.post(BUILDER, body, format="json")

    assert field in assert_error(response, 400, "request.validation_failed")["errors"]
    assert not Dashboard.objects.exists()


def test_dashboard_create_refuses_past_the_per_user_limit(owner, owner_client):
    Dashboard.objects.bulk_create(DashboardFactory.build(user=owner) for _ in range(MAX_DASHBOARDS_PER_USER))

    response = owner_client.post(BUILDER, {"name": "One more"}, format="json")

    assert_error(response, 409, "contracts.dashboard_limit_reached")
    assert Dashboard.objects.filter(user=owner).count() == MAX_DASHBOARDS_PER_USER


def test_dashboard_list_returns_own_newest_first(owner, stranger, owner_client):
    first = DashboardFactory(user=owner)
    second = DashboardFactory(user=owner)
    DashboardFactory(user=stranger)

    body = owner_client.get(BUILDER).json()

    assert body["success"] is True
    assert [d["id"] for d in body["dashboards"]] == [second.pk, first.pk]


def test_dashboard_list_costs_the_same_for_one_and_many_rows(owner, owner_client, django_assert_num_queries):
    DashboardFactory(user=owner)
    # user of the token, the dashboards
    with django_assert_num_queries(2):
        assert len(owner_client.get(BUILDER).json()["dashboards"]) == 1
    DashboardFactory.create_batch(9, user=owner)
    with django_assert_num_queries(2):
        assert len(owner_client.get(BUILDER).json()["dashboards"]) == 10


def test_dashboard_detail_lists_widgets_in_layout_order_with_their_queries(owner, owner_client):
    dashboard = DashboardFactory(user=owner)
    lower = WidgetFactory(dashboard=dashboard, position_y=3, position_x=0, title="lower")
    right = WidgetFactory(dashboard=dashboard, position_y=0, position_x=6, title="right")
    left = WidgetFactory(dashboard=dashboard, position_y=0, position_x=0, title="left")

    response = owner_client.get(f"{BUILDER}/{dashboard.pk}")

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["dashboard"]["id"] == dashboard.pk
    assert [entry["widget"]["id"] for entry in data["widgets"]] == [left.pk, right.pk, lower.pk]
    entry = data["widgets"][0]
    assert entry["query_name"] == left.query.name
    assert entry["query_content"] == left.query.query
    assert entry["widget"]["query_id"] == left.query_id
    assert entry["widget"]["dashboard_id"] == dashboard.pk


def test_dashboard_detail_costs_the_same_for_one_and_ten_widgets(owner, owner_client, django_assert_num_queries):
    dashboard = DashboardFactory(user=owner)
    WidgetFactory(dashboard=dashboard)
    # user of the token, the dashboard (scoped to the owner), its widgets joined with their saved queries
    with django_assert_num_queries(3):
        assert len(owner_client.get(f"{BUILDER}/{dashboard.pk}").json()["data"]["widgets"]) == 1
    WidgetFactory.create_batch(9, dashboard=dashboard)
    with django_assert_num_queries(3):
        assert len(owner_client.get(f"{BUILDER}/{dashboard.pk}").json()["data"]["widgets"]) == 10


@pytest.mark.parametrize("client_name", ["stranger_client", "admin_api"])
def test_dashboard_of_another_user_is_not_found(client_name, owner, request):
    dashboard = DashboardFactory(user=owner)
    WidgetFactory(dashboard=dashboard)
    client = request.getfixturevalue(client_name)

    assert_error(client.get(f"{BUILDER}/{dashboard.pk}"), 404, "contracts.dashboard_not_found")
    assert_error(client.delete(f"{BUILDER}/{dashboard.pk}"), 404, "contracts.dashboard_not_found")
    assert Dashboard.objects.filter(pk=dashboard.pk).exists()


@pytest.mark.parametrize("path", ["0", "999999", "99999999999999999999999", "abc", "-1"])
def test_dashboard_detail_of_unknown_or_out_of_range_id_is_not_found(path, owner_client):
    response = owner_client.get(f"{BUILDER}/{path}")

    assert response.status_code == 404
    assert response.json()["code"] in ("contracts.dashboard_not_found", "request.not_found")


def test_dashboard_delete_removes_it_with_its_widgets(owner, owner_client, django_assert_num_queries):
    dashboard = DashboardFactory(user=owner)
    WidgetFactory.create_batch(3, dashboard=dashboard)
    # user of the token; SAVEPOINT; the dashboard to delete (scoped to the owner), DELETE of its widgets,
    # DELETE of it; INSERT activity; RELEASE
    with django_assert_num_queries(7):
        response = owner_client.delete(f"{BUILDER}/{dashboard.pk}")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Dashboard deleted"}
    assert not Dashboard.objects.exists()
    assert not DashboardWidget.objects.exists()
    assert SavedQuery.objects.count() == 3


# --- Widgets ------------------------------------------------------------------------------------------
def test_widget_create_adds_a_widget_and_counts_the_preference(owner, owner_client, django_assert_num_queries):
    dashboard = DashboardFactory(user=owner)
    saved = SavedQueryFactory(user=owner)
    # user of the token; SAVEPOINT; the dashboard FOR UPDATE; the saved query exists; COUNT of widgets;
    # INSERT widget; UPDATE of the preference (no row yet); SAVEPOINT, INSERT preference, RELEASE; RELEASE
    with django_assert_num_queries(11):
        response = owner_client.post(f"{BUILDER}/{dashboard.pk}/widgets", widget_body(saved.pk), format="json")

    assert response.status_code == 201
    widget = response.json()["widget"]
    assert response.json()["success"] is True
    assert {k: widget[k] for k in ("dashboard_id", "query_id", "title", "visualization_type")} == {
        "dashboard_id": dashboard.pk,
        "query_id": saved.pk,
        "title": "Transfers per day",
        "visualization_type": "line",
    }
    assert (widget["position_x"], widget["position_y"], widget["width"], widget["height"]) == (2, 5, 6, 4)
    preference = WidgetPreference.objects.get(user=owner, query=saved)
    assert (preference.visualization_type, preference.use_count) == ("line", 1)

    # a second widget of the same kind increments the preference in place:
    # user of the token; SAVEPOINT; dashboard FOR UPDATE; saved query exists; COUNT; INSERT; UPDATE; RELEASE
    with django_assert_num_queries(8):
        response = owner_client.post(f"{BUILDER}/{dashboard.pk}/widgets", widget_body(saved.pk), format="json")
    assert response.status_code == 201
    preference.refresh_from_db()
    assert preference.use_count == 2


def test_widget_create_defaults_position_and_size(owner, owner_client):
    dashboard = DashboardFactory(user=owner)
    saved = SavedQueryFactory(user=owner)
    body = {"query_id": saved.pk, "title": "Supply", "visualization_type": "number"}

    widget = owner_client.post(f"{BUILDER}/{dashboard.pk}/widgets", body, format="json").json()["widget"]

    assert (widget["position_x"], widget["position_y"], widget["width"], widget["height"]) == (0, 0, 4, 3)


def test_widget_create_refuses_a_saved_query_of_another_user(owner, stranger, owner_client):
    dashboard = DashboardFactory(user=owner)
    foreign = SavedQueryFactory(user=stranger)

    response = owner_client.post(f"{BUILDER}/{dashboard.pk}/widgets", widget_body(foreign.pk), format="json")

    body = assert_error(response, 400, "contracts.unknown_saved_query")
    assert "query_id" in body["errors"]
    assert not DashboardWidget.objects.exists()
    assert not WidgetPreference.objects.exists()


def test_widget_create_on_another_users_dashboard_is_not_found(owner, stranger, stranger_client):
    dashboard = DashboardFactory(user=owner)
    saved = SavedQueryFactory(user=stranger)

    response = stranger_client.post(f"{BUILDER}/{dashboard.pk}/widgets", widget_body(saved.pk), format="json")

    assert_error(response, 404, "contracts.dashboard_not_found")
    assert not DashboardWidget.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"query_id": None}, "query_id"),
        ({"query_id": "abc"}, "query_id"),
        ({"query_id": 0}, "query_id"),
        ({"query_id": 2**63}, "query_id"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"visualization_type": "scatter"}, "visualization_type"),
        ({"position_x": -1}, "position_x"),
        ({"position_x": 1001}, "position_x"),
        ({"position_y": 10001}, "position_y"),
        ({"width": 0}, "width"),
        ({"width": 25}, "width"),
        ({"height": 0}, "height"),
        ({"height": 25}, "height"),
        ({"height": 1.5}, "height"),
    ],
)
def test_widget_create_rejects_invalid_input(overrides, field, owner, owner_client):
    dashboard = DashboardFactory(user=owner)
    saved = SavedQueryFactory(user=owner)

    response = owner_client.post(
        f"{BUILDER}/{dashboard.pk}/widgets", {**widget_body(saved.pk), **overrides}, format="json"
    )

    assert field in assert_error(response, 400, "request.validation_failed")["errors"]
    assert not DashboardWidget.objects.exists()


def test_widget_create_accepts_the_range_limits(owner, owner_client):
    dashboard = DashboardFactory(user=owner)
    saved = SavedQueryFactory(user=owner)
    body = widget_body(saved.pk, position_x=1000, position_y=10000, width=24, height=24)

    assert owner_client.post(f"{BUILDER}/{dashboard.pk}/widgets", body, format="json").status_code == 201


def test_widget_create_refuses_past_the_per_dashboard_limit(owner, owner_client):
    dashboard = DashboardFactory(user=owner)
    saved = SavedQueryFactory(user=owner)
    DashboardWidget.objects.bulk_create(
        DashboardWidget(dashboard=dashboard, query=saved, title=f"w{n}", visualization_type="bar")
        for n in range(MAX_WIDGETS_PER_DASHBOARD)
    )

    response = owner_client.post(f"{BUILDER}/{dashboard.pk}/widgets", widget_body(saved.pk), format="json")

    assert_error(response, 409, "contracts.widget_limit_reached")
    assert dashboard.widgets.count() == MAX_WIDGETS_PER_DASHBOARD
    assert not WidgetPreference.objects.exists()


def test_widget_update_changes_only_the_fields_sent(owner, owner_client, django_assert_num_queries):
    widget = WidgetFactory(dashboard=DashboardFactory(user=owner), position_x=1, position_y=2, width=3, height=4)
    # user of the token; SAVEPOINT; the widget FOR UPDATE (scoped to the owner); UPDATE; RELEASE
    with django_assert_num_queries(5):
        response = owner_client.put(f"{BUILDER}/widgets/{widget.pk}", {"position_x": 7, "width": 9}, format="json")

    assert response.status_code == 200
    assert response.json()["success"] is True
    widget.refresh_from_db()
    assert (widget.position_x, widget.position_y, widget.width, widget.height) == (7, 2, 9, 4)
    assert widget.title == "Transfers per day"
    assert response.json()["widget"]["position_x"] == 7


def test_widget_update_to_a_new_visualization_counts_the_preference(owner, owner_client):
    widget = WidgetFactory(dashboard=DashboardFactory(user=owner), visualization_type="bar")

    response = owner_client.patch(
        f"{BUILDER}/widgets/{widget.pk}", {"visualization_type": "pie", "title": "Share"}, format="json"
    )

    assert response.status_code == 200
    widget.refresh_from_db()
    assert (widget.visualization_type, widget.title) == ("pie", "Share")
    assert WidgetPreference.objects.get(query=widget.query, visualization_type="pie").use_count == 1
    # the same visualization again is no new choice
    owner_client.put(f"{BUILDER}/widgets/{widget.pk}", {"visualization_type": "pie"}, format="json")
    assert WidgetPreference.objects.get(query=widget.query, visualization_type="pie").use_count == 1


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "contracts.nothing_to_update", None),
        ({"query_id": 5}, "contracts.nothing_to_update", None),
        ({"width": 30}, "request.validation_failed", "width"),
        ({"position_y": -3}, "request.validation_failed", "position_y"),
        ({"title": None}, "request.validation_failed", "title"),
        ({"visualization_type": "radar"}, "request.validation_failed", "visualization_type"),
    ],
)
@pytest.mark.parametrize("method", ["put", "patch"])
def test_widget_update_rejects_invalid_input(body, code, field, owner, owner_client, method):
    widget = WidgetFactory(dashboard=DashboardFactory(user=owner), width=3)

    response = getattr(owner_client, method)(f"{BUILDER}/widgets/{widget.pk}", body, format="json")

    error = assert_error(response, 400, code)
    if field:
        assert field in error["errors"]
    widget.refresh_from_db()
    assert widget.width == 3


@pytest.mark.parametrize("client_name", ["stranger_client", "admin_api"])
def test_widget_of_another_user_is_not_found(client_name, owner, request):
    widget = WidgetFactory(dashboard=DashboardFactory(user=owner), width=3)
    client = request.getfixturevalue(client_name)

    for method in (client.put, client.patch):
        assert_error(
            method(f"{BUILDER}/widgets/{widget.pk}", {"width": 5}, format="json"), 404, "contracts.widget_not_found"
        )
    assert_error(client.delete(f"{BUILDER}/widgets/{widget.pk}"), 404, "contracts.widget_not_found")
    widget.refresh_from_db()
    assert widget.width == 3


def test_widget_delete_removes_only_the_widget(owner, owner_client, django_assert_num_queries):
    widget = WidgetFactory(dashboard=DashboardFactory(user=owner))
    # user of the token, DELETE scoped to the owner's dashboards
    with django_assert_num_queries(2):
        response = owner_client.delete(f"{BUILDER}/widgets/{widget.pk}")

    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Widget deleted"}
    assert not DashboardWidget.objects.exists()
    assert Dashboard.objects.filter(pk=widget.dashboard_id).exists()
    assert SavedQuery.objects.filter(pk=widget.query_id).exists()


# --- The builder's queries ----------------------------------------------------------------------------
def test_builder_queries_route_is_not_shadowed_by_the_dashboard_route(owner, stranger, owner_client):
    saved = SavedQueryFactory(user=owner)
    SavedQueryFactory(user=stranger)

    response = owner_client.get(f"{BUILDER}/queries")

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert [q["id"] for q in body["queries"]] == [saved.pk]
    entry = body["queries"][0]
    assert {"id", "name", "query", "contract_address", "created_at"} <= set(entry)
    assert (entry["name"], entry["query"], entry["contract_address"]) == (
        saved.name,
        saved.query,
        saved.contract_address,
    )


def test_builder_queries_cost_the_same_for_one_and_many_rows(owner, owner_client, django_assert_num_queries):
    SavedQueryFactory(user=owner)
    # user of the token, the saved queries
    with django_assert_num_queries(2):
        assert len(owner_client.get(f"{BUILDER}/queries").json()["queries"]) == 1
    SavedQueryFactory.create_batch(9, user=owner)
    with django_assert_num_queries(2):
        assert len(owner_client.get(f"{BUILDER}/queries").json()["queries"]) == 10


# --- Anonymous callers --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", BUILDER),
        ("post", BUILDER),
        ("get", f"{BUILDER}/1"),
        ("delete", f"{BUILDER}/1"),
        ("post", f"{BUILDER}/1/widgets"),
        ("put", f"{BUILDER}/widgets/1"),
        ("patch", f"{BUILDER}/widgets/1"),
        ("delete", f"{BUILDER}/widgets/1"),
        ("get", f"{BUILDER}/queries"),
        ("get", f"{BUILDER}/suggest/1"),
    ],
)
def test_builder_endpoints_refuse_anonymous_callers(method, url, api_client):
    assert_error(getattr(api_client, method)(url, {}, format="json"), 401, "auth.not_authenticated")
