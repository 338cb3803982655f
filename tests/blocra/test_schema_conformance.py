"""The checker every API answer of the suite goes through (tests/schema_conformance.py) does catch an
answer that strays from the schema: wrong types, formats, enums, nulls, missing keys, undocumented
statuses, and error answers not in the one error shape."""

import json

import pytest

from tests.schema_conformance import SchemaChecker, _schema_checker, missing_answers

SPEC = {
    "paths": {
        "/api/things/{id}": {
            "get": {
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "404": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                }
            }
        },
        "/api/things/mine": {"get": {"responses": {"200": {"description": "no body schema"}}}},
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "status": {"type": "string", "enum": ["open", "closed"]},
                    "amount": {"type": "string"},
                    "deadline": {"type": "string", "format": "date-time", "nullable": True},
                },
                "required": ["id", "status", "amount", "deadline"],
            },
            "Error": {
                "type": "object",
                "properties": {
                    "success": {"type": "boolean"},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
                "required": ["success", "message", "code"],
            },
        }
    },
}
GOOD = {"id": "5f0c7a8e-2b1d-4c3e-9a6f-0d1e2f3a4b5c", "status": "open", "amount": "1.5", "deadline": None}


def check(status: int, body, path: str = "/api/things/5f0c7a8e", method: str = "GET") -> None:
    SchemaChecker(SPEC).check(method, path, status, "application/json", json.dumps(body).encode())


def test_schema_checker_accepts_a_conforming_answer():
    check(200, GOOD)
    check(200, {**GOOD, "deadline": "2026-12-02T10:00:00Z"})
    check(404, {"success": False, "message": "Not found.", "code": "request.not_found"})


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"amount": 1.5}, "a float where the schema says string"),
        ({"id": "not-a-uuid"}, "a format"),
        ({"status": "archived"}, "an enum"),
        ({"deadline": "yesterday"}, "a date-time"),
        ({"status": None}, "a null where none is allowed"),
    ],
)
def test_schema_checker_refuses_a_wrong_value(change, why):
    with pytest.raises(AssertionError, match="does not match the OpenAPI schema"):
        check(200, {**GOOD, **change})


def test_schema_checker_refuses_a_missing_key():
    with pytest.raises(AssertionError, match="deadline"):
        check(200, {key: value for key, value in GOOD.items() if key != "deadline"})


def test_schema_checker_refuses_an_undocumented_status_or_path():
    with pytest.raises(AssertionError, match="not documented"):
        check(201, GOOD)
    with pytest.raises(AssertionError, match="no operation"):
        check(200, GOOD, path="/api/elsewhere")


def test_schema_checker_refuses_an_error_outside_the_error_shape():
    with pytest.raises(AssertionError, match="does not match"):
        check(404, {"detail": "Not found."})
    with pytest.raises(AssertionError, match="error shape"):
        check(405, {"detail": "Method not allowed."}, path="/api/elsewhere")


def test_schema_checker_refuses_an_answer_that_is_not_json():
    with pytest.raises(AssertionError, match="not JSON"):
        SchemaChecker(SPEC).check("GET", "/api/things/x", 200, "text/html", b"<html></html>")


def test_schema_checker_prefers_literal_paths_to_parameters():
    # /api/things/mine documents no body schema: matched as itself, not as /api/things/{id}
    check(200, {"anything": "goes"}, path="/api/things/mine")


def test_schema_every_error_answer_of_the_api_is_the_error_shape():
    spec = _schema_checker().spec
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"} or path == "/api/health", (
                        method,
                        path,
                        status,
                    )


def test_schema_coverage_names_each_documented_answer_never_seen():
    checker = SchemaChecker(SPEC)
    checker.check("GET", "/api/things/5f0c7a8e", 200, "application/json", json.dumps(GOOD).encode())

    missing = missing_answers(checker.operations, checker.seen)

    assert missing == ["GET /api/things/mine: never answered 200", "GET /api/things/{id}: never answered 404"]
