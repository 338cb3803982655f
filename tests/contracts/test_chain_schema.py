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


def test_schema_documents_chain_times_as_unix_seconds(client):
    schemas = yaml.safe_load(client.get("/api/schema").content)["components"]["schemas"]

    for component, field in [
        ("ChainStats", "timestamp"),
        ("ChainStatsBlock", "timestamp"),
        ("ContractAnalysisTransaction", "timestamp"),
        ("ContractEvent", "timestamp"),
    ]:
        documented = schemas[component]["properties"][field]
        assert documented["type"] == "integer", component
        assert "Unix seconds" in documented["description"], component
        assert field in schemas[component]["required"], component
    assert "Unix seconds" in schemas["ContractQuery"]["properties"]["result"]["description"]
    analysis = schemas["ContractAnalysisData"]["properties"]["transactions"]
    assert analysis["items"] == {"$ref": "#/components/schemas/ContractAnalysisTransaction"}


def test_schema_documents_the_stats_figures_as_numbers(client):
    figures = yaml.safe_load(client.get("/api/schema").content)["components"]["schemas"]["ChainStatsFigures"]
    properties = figures["properties"]

    for name in ("window_blocks", "active_users", "gas_used", "pending_txs", "total_transactions"):
        assert properties[name]["type"] == "integer", name
        assert not properties[name].get("nullable"), name
    assert properties["volume"]["type"] == "number" and not properties["volume"].get("nullable")
    assert properties["tvl"].get("nullable") is True
    assert {"window_blocks", "active_users", "volume", "gas_used", "pending_txs"} <= set(figures["required"])
    assert "title" not in properties["avg_fee"]  # not the title of `total_fees`, which shares its kind
