"""Every contracts endpoint is documented in the OpenAPI schema."""

import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

DOCUMENTED = {
    "/api/contracts/queries": {"get"},
    "/api/contracts/queries/{id}": {"get"},
    "/api/queries": {"get"},
    "/api/queries/{id}": {"get", "delete"},
    "/api/contracts/save-query": {"post"},
    "/api/contracts/saved-queries": {"get"},
    "/api/dashboards": {"get", "post"},
    "/api/dashboards/analytics": {"get"},
    "/api/dashboard-builder": {"get", "post"},
    "/api/dashboard-builder/{id}": {"get", "delete"},
    "/api/dashboard-builder/{id}/widgets": {"post"},
    "/api/dashboard-builder/widgets/{id}": {"put", "patch", "delete"},
    "/api/dashboard-builder/queries": {"get"},
    "/api/dashboard-builder/suggest/{query_id}": {"get"},
}


def test_schema_documents_every_contracts_endpoint(client):
    schema = yaml.safe_load(client.get("/api/schema").content)
    validate(schema)

    for path, methods in DOCUMENTED.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path
    # JWT endpoints name the bearer scheme; the public analytics endpoint asks for no credentials.
    assert schema["paths"]["/api/dashboard-builder"]["get"]["security"] == [{"jwtAuth": []}]
    analytics = schema["paths"]["/api/dashboards/analytics"]["get"]
    assert not analytics.get("security") or {} in analytics["security"]


def _component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def test_schema_documents_dashboards_get_and_post_each_with_its_own_shapes(client):
    schema = yaml.safe_load(client.get("/api/schema").content)

    dashboards = schema["paths"]["/api/dashboards"]
    assert set(dashboards) == {"get", "post"}
    assert dashboards["get"]["security"] == dashboards["post"]["security"] == [{"jwtAuth": []}]
    assert "requestBody" not in dashboards["get"]
    assert dashboards["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DashboardCounts"
    }
    post = dashboards["post"]
    assert set(post["responses"]) == {"201", "400", "401", "409"}
    assert post["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AppDashboardCreateRequest"
    }
    body = _component(schema, "AppDashboardCreateRequest")
    assert body["required"] == ["title"]
    assert (body["properties"]["title"]["minLength"], body["properties"]["title"]["maxLength"]) == (1, 200)
    assert body["properties"]["widgets"]["maxItems"] == 50
    assert body["properties"]["widgets"]["items"]["type"] == "object"
    assert body["properties"]["tags"]["maxItems"] == 10
    assert body["properties"]["tags"]["items"]["maxLength"] == 50
    # the same dashboard as POST /dashboard-builder answers, now with the layout and the tags
    created = post["responses"]["201"]["content"]["application/json"]["schema"]
    builder = schema["paths"]["/api/dashboard-builder"]["post"]["responses"]["201"]["content"]["application/json"]
    assert created == builder["schema"]
    dashboard = _component(schema, "Dashboard")
    assert {"layout", "tags"} <= set(dashboard["required"])
    assert dashboard["properties"]["layout"]["items"]["type"] == "object"
    assert dashboard["properties"]["tags"]["items"]["type"] == "string"


def test_schema_documents_the_save_query_body_the_app_sends(client):
    schema = yaml.safe_load(client.get("/api/schema").content)

    body = _component(schema, "SavedQueryCreateRequest")["properties"]
    item_kinds = body["contracts"]["items"]["oneOf"]
    assert [kind["type"] for kind in item_kinds] == ["string", "object"]
    assert item_kinds[1]["required"] == ["address"]
    assert item_kinds[1]["properties"]["name"]["maxLength"] == 100
    assert "enum" not in body["chain"]  # "Starknet" is accepted: matched without regard to case
    assert "starknet" in body["chain"]["description"]
    assert body["contractInfo"]["type"] == "object"


def test_schema_documents_confidence_as_an_integer_percentage(client):
    schema = yaml.safe_load(client.get("/api/schema").content)

    confidence = _component(schema, "Suggestion")["properties"]["confidence"]
    assert (confidence["type"], confidence["minimum"], confidence["maximum"]) == ("integer", 0, 100)
