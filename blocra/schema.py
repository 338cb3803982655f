"""The OpenAPI schema's error answers: every 4xx/5xx of every operation is the one error shape.

A drf-spectacular postprocessing hook. Views document the statuses they answer with a description;
this gives each the `Error` schema, and adds the answers every operation of a kind can give: 400 when
it takes a body or query parameters, 401 when it needs a signed-in user, 404 when its path names an
object.
"""

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "The one error shape of the API.",
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "message": {"type": "string", "description": "For people; may change."},
        "code": {"type": "string", "description": "Stable and machine-readable, e.g. `bounties.full`."},
        "errors": {
            "type": "object",
            "description": "On 400: the messages per input field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["success", "message", "code"],
}
_COMMON = {
    "400": "Invalid input (`errors` names the fields).",
    "401": "Not signed in, or the token is invalid, expired or revoked.",
    "404": "Not found, or not visible to you.",
}


# Plain Django views (kept off DRF for speed), described here since drf-spectacular only sees DRF's.
HEALTH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded"]},
        "uptime": {"type": "number", "description": "Seconds since this process started."},
        "timestamp": {"type": "string", "format": "date-time"},
        "version": {"type": "string"},
        "checks": {
            "type": "object",
            "properties": {
                "database": {"type": "string", "enum": ["ok", "error"]},
                "cache": {"type": "string", "enum": ["ok", "error"]},
            },
            "required": ["database", "cache"],
        },
    },
    "required": ["status", "uptime", "timestamp", "version", "checks"],
}
_PLAIN_PATHS: dict[str, dict[str, Any]] = {
    "/api/health": {
        "get": {
            "operationId": "health",
            "summary": "Liveness and readiness (also at /health): 503 when the database or cache fails",
            "tags": ["health"],
            "security": [{}],
            "responses": {
                "200": {"description": "Ready.", "content": {"application/json": {"schema": HEALTH_SCHEMA}}},
                "503": {"description": "Degraded.", "content": {"application/json": {"schema": HEALTH_SCHEMA}}},
            },
        }
    },
    "/api": {
        "get": {
            "operationId": "api_root",
            "summary": "The API's greeting",
            "tags": ["health"],
            "security": [{}],
            "responses": {
                "200": {
                    "description": "Welcome.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"success": {"type": "boolean"}, "message": {"type": "string"}},
                                "required": ["success", "message"],
                            }
                        }
                    },
                }
            },
        }
    },
}


def _needs_sign_in(operation: dict[str, Any]) -> bool:
    security: list[dict[str, Any]] = operation.get("security") or []
    return bool(security) and {} not in security


def error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: the error answers of every operation, each with the `Error` schema."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    result["paths"] = {**_PLAIN_PATHS, **result.get("paths", {})}
    reference = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for path, methods in result.get("paths", {}).items():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            takes_query = any(parameter.get("in") == "query" for parameter in operation.get("parameters", []))
            if "requestBody" in operation or takes_query:
                responses.setdefault("400", {"description": _COMMON["400"]})
            if _needs_sign_in(operation):
                responses.setdefault("401", {"description": _COMMON["401"]})
            if "{" in path:
                responses.setdefault("404", {"description": _COMMON["404"]})
            for status, response in responses.items():
                if status[0] in "45" and "content" not in response:
                    response["content"] = reference
    return result
