"""The chain-backed endpoints are documented: JWT for queries and events, public analyze and stats."""

import pytest
import yaml
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_schema_documents_the_chain_endpoints(client):
    schema = yaml.safe_load(client.get("/api/schema").content)
    validate(schema)
    paths = schema["paths"]

    assert {"post"} <= set(paths["/api/contracts/query"])
    assert {"get", "post"} <= set(paths["/api/queries"])
    for path in ("/api/contracts/query", "/api/queries", "/api/contracts/events"):
        assert paths[path]["post"]["security"] == [{"jwtAuth": []}], path
        assert {"201", "200"} & set(paths[path]["post"]["responses"]), path
        assert {"400", "502", "503", "504"} <= set(paths[path]["post"]["responses"]), path
    analyze, stats = paths["/api/contracts/analyze"]["post"], paths["/api/dashboards/stats"]["get"]
    for operation in (analyze, stats):
        assert not operation.get("security") or {} in operation["security"]
    assert "429" in analyze["responses"]
    assert "get" not in paths["/api/contracts/query"]
