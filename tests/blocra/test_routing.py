"""blocra.routing: one path, one view per method, each with its own credentials and schema.

The generic behaviour runs on a test path (tests/blocra/routing_urls.py: GET public, POST signed in);
`/api/dashboards` (GET bounties' counts, POST contracts' new dashboard) is checked over real HTTP, where
CSRF and CORS apply as they do in production.
"""

import http.client
import json
from urllib.parse import urlparse

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator
from rest_framework_simplejwt.tokens import RefreshToken

from blocra.routing import method_router, schema_endpoints
from tests.blocra.routing_urls import ROUTED, PrivateWriteApi, PublicReadApi
from tests.conftest import bearer_client
from tests.factories import UserFactory

ALLOW = "GET, POST, HEAD, OPTIONS"
ROUTING_URLS = "tests.blocra.routing_urls"


# --- The router on a test path ------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.urls(ROUTING_URLS)
def test_method_router_runs_the_get_view_with_its_own_credentials(client):
    # the GET view reads no credentials: a junk bearer is not looked at
    response = client.get("/routed", HTTP_AUTHORIZATION="Bearer junk")

    assert response.status_code == 200
    assert response.json() == {"served_by": "public-read"}
    assert response["Allow"] == ALLOW


@pytest.mark.django_db
@pytest.mark.urls(ROUTING_URLS)
def test_method_router_runs_the_post_view_with_its_own_credentials(client):
    user = UserFactory()

    anonymous = client.post("/routed", {"note": "x"}, content_type="application/json")
    signed_in = bearer_client(user).post("/routed", {"note": "x"}, format="json")

    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "auth.not_authenticated"
    assert anonymous["Allow"] == ALLOW
    assert signed_in.status_code == 201
    assert signed_in.json() == {"served_by": "private-write", "user_id": user.pk}
    assert signed_in["Allow"] == ALLOW


@pytest.mark.django_db
@pytest.mark.urls(ROUTING_URLS)
def test_method_router_passes_the_path_arguments_on(client):
    assert client.get("/routed/7").json() == {"served_by": "public-read", "pk": 7}


@pytest.mark.django_db
@pytest.mark.urls(ROUTING_URLS)
@pytest.mark.parametrize("method", ["put", "patch", "delete", "trace"])
def test_method_router_answers_other_methods_405_whoever_asks(method, client):
    for caller in (client, bearer_client(UserFactory())):
        response = getattr(caller, method)("/routed")

        assert response.status_code == 405
        body = response.json()
        assert body["success"] is False
        assert body["code"] == "request.method_not_allowed"
        assert method.upper() in body["message"]
        assert response["Allow"] == ALLOW


@pytest.mark.django_db
@pytest.mark.urls(ROUTING_URLS)
def test_method_router_runs_head_as_the_get_view(client):
    response = client.head("/routed")

    assert response.status_code == 200
    assert response.content == b""
    assert response["Allow"] == ALLOW


@pytest.mark.django_db
@pytest.mark.urls(ROUTING_URLS)
def test_method_router_answers_options_itself_naming_the_served_methods(client):
    response = client.options("/routed")

    assert response.status_code == 200
    assert response["Allow"] == ALLOW
    assert response.json()["name"] == "Routed things"


def test_method_router_allows_head_only_with_a_get_view():
    post_only = method_router({"POST": f"{ROUTING_URLS}.PrivateWriteApi"}, name="Writes")

    assert post_only.cls().allowed_methods == ["POST", "OPTIONS"]
    assert ROUTED.cls().allowed_methods == ["GET", "POST", "HEAD", "OPTIONS"]


@pytest.mark.parametrize(
    ("routes", "message"),
    [
        ({}, "at least one route"),
        ({"FETCH": f"{ROUTING_URLS}.PublicReadApi"}, "not 'FETCH'"),
        ({"OPTIONS": f"{ROUTING_URLS}.PublicReadApi"}, "not 'OPTIONS'"),
        ({"GET": f"{ROUTING_URLS}.NoSuchApi"}, "NoSuchApi"),
        ({"GET": "tests.blocra.no_such_module.Api"}, "no_such_module"),
        ({"GET": "blocra.routing.method_router"}, "is not a DRF APIView"),
        ({"POST": f"{ROUTING_URLS}.ReadOnlyApi"}, "does not handle POST"),
    ],
)
def test_method_router_refuses_a_wrong_table_when_the_urls_load(routes, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        method_router(routes, name="Wrong")


def test_schema_endpoints_hands_each_method_to_its_view():
    other = PublicReadApi.as_view()
    endpoints = [
        ("/routed", "^routed$", "GET", ROUTED),
        ("/routed", "^routed$", "POST", ROUTED),
        ("/other", "^other$", "GET", other),
    ]

    expanded = schema_endpoints(endpoints)

    assert [(path, method) for path, _, method, _ in expanded] == [
        ("/routed", "GET"),
        ("/routed", "POST"),
        ("/other", "GET"),
    ]
    assert expanded[0][3].cls is PublicReadApi
    assert expanded[1][3].cls is PrivateWriteApi
    assert expanded[2][3] is other


def test_schema_documents_each_routed_method_with_its_own_view():
    schema = SchemaGenerator(urlconf=ROUTING_URLS).get_schema(request=None, public=True)

    operations = schema["paths"]["/routed"]
    assert set(operations) == {"get", "post"}
    # each operation is its own view's: its docstring, request and credentials
    assert operations["get"]["description"] == PublicReadApi.__doc__
    assert operations["post"]["description"] == PrivateWriteApi.__doc__
    # the public read asks for no credentials, the write for a bearer token
    assert operations["get"].get("security", [{}]) == [{}]
    assert operations["post"]["security"] == [{"jwtAuth": []}]
    assert "requestBody" not in operations["get"]
    assert operations["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RoutedWriteRequest"
    }
    assert "401" in operations["post"]["responses"] and "401" not in operations["get"]["responses"]


# --- /api/dashboards over real HTTP -------------------------------------------------------------------
def call(live_server, method: str, path: str, body: dict | None = None, headers: dict | None = None):
    url = urlparse(live_server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        data = json.dumps(body).encode() if body is not None else None
        sent = {"Content-Type": "application/json"} if data is not None else {}
        connection.request(method, path, body=data, headers={**sent, **(headers or {})})
        response = connection.getresponse()
        raw = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, raw
    finally:
        connection.close()


@pytest.fixture
def bearer(transactional_db):
    user = UserFactory()
    return user, {"Authorization": f"Bearer {RefreshToken.for_user(user).access_token}"}


@pytest.mark.parametrize("path", ["/api/dashboards", "/api/dashboards/"])
def test_dashboards_path_serves_counts_and_creation_over_http(live_server, bearer, path):
    user, auth = bearer

    read_status, read_headers, read_raw = call(live_server, "GET", path, headers=auth)
    # a POST without any cookie or CSRF token: the API authenticates by bearer token only
    write_status, write_headers, write_raw = call(live_server, "POST", path, {"title": "Mine"}, auth)

    assert read_status == 200, read_raw
    assert json.loads(read_raw) == {"success": True, "bounties": 0, "submissions": 0}
    assert write_status == 201, write_raw
    dashboard = json.loads(write_raw)["dashboard"]
    assert (dashboard["name"], dashboard["user_id"]) == ("Mine", user.pk)
    assert read_headers["allow"] == write_headers["allow"] == ALLOW


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_dashboards_path_answers_other_methods_405_in_the_error_shape(live_server, bearer, method):
    for headers in ({}, bearer[1]):
        status, response_headers, raw = call(live_server, method, "/api/dashboards", {}, headers)

        assert status == 405, raw
        assert response_headers["content-type"] == "application/json"
        assert response_headers["allow"] == ALLOW
        body = json.loads(raw)
        assert body["success"] is False
        assert body["code"] == "request.method_not_allowed"
        assert method in body["message"]


def test_dashboards_path_keeps_each_methods_credentials(live_server, transactional_db):
    for method, body in (("GET", None), ("POST", {"title": "Mine"})):
        status, headers, raw = call(live_server, method, "/api/dashboards", body)

        assert status == 401, raw
        assert json.loads(raw)["code"] == "auth.not_authenticated"
        assert headers["allow"] == ALLOW


def test_dashboards_path_answers_options(live_server, transactional_db):
    status, headers, raw = call(live_server, "OPTIONS", "/api/dashboards")

    assert status == 200
    assert headers["allow"] == ALLOW
    assert json.loads(raw)["name"] == "Dashboards"


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.blocra.example"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_dashboards_path_answers_the_cors_preflight_of_each_method(live_server, transactional_db, method):
    status, headers, _ = call(
        live_server,
        "OPTIONS",
        "/api/dashboards",
        headers={
            "Origin": "https://app.blocra.example",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )

    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.blocra.example"
    assert method in headers["access-control-allow-methods"]
    assert "authorization" in headers["access-control-allow-headers"]


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.blocra.example"])
def test_dashboards_path_answers_cross_origin_creation_with_cors_headers(live_server, bearer):
    status, headers, raw = call(
        live_server,
        "POST",
        "/api/dashboards",
        {"title": "From the app"},
        {**bearer[1], "Origin": "https://app.blocra.example"},
    )

    assert status == 201, raw
    assert headers["access-control-allow-origin"] == "https://app.blocra.example"
