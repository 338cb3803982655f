"""The OpenAPI schema's error answers: every 4xx/5xx of every operation is the one error shape.

A drf-spectacular postprocessing hook. Views document the statuses they answer with a description;
this gives each the `Error` schema, and adds the answers every operation of a kind can give: 400 when
it takes a body or query parameters, 401 when it needs a signed-in user, 404 when its path names an
object.
"""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers

# Input strings the API checks beyond their type, as exact OpenAPI schemas (with maxLength: 64 digits at
# most), so that a client or a fuzzer can tell a valid value from an invalid one. Leading zeros are
# free; the value is what is bounded.
_HEX = "[0-9a-fA-F]"
_BELOW_2_251 = f"[1-7]{_HEX}{{62}}|{_HEX}{{1,62}}"  # 63 significant digits at most, the 63rd at most 7
_NONZERO_BELOW_2_251 = f"[1-7]{_HEX}{{62}}|[1-9a-fA-F]{_HEX}{{0,61}}"
# Above 2**251 and below the field prime 2**251 + 17 * 2**192 + 1: 8, twelve zeros, then at most 11 and 48 zeros.
_2_251_TO_PRIME = f"80{{12}}(0{_HEX}{{49}}|10{_HEX}{{48}}|110{{48}})"
ADDRESS_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": f"^0x0*({_BELOW_2_251})$",
    "maxLength": 66,
    "description": "Starknet address: 0x followed by 1 to 64 hex digits, below 2**251.",
}
ACCOUNT_ADDRESS_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": f"^0x0*({_NONZERO_BELOW_2_251})$",
    "maxLength": 66,
    "description": "Starknet account address: 0x followed by 1 to 64 hex digits, above 0 and below "
    "2**251 - 256 (the last 256 values below 2**251 are refused too).",
}
TRANSACTION_HASH_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": f"^0x0*({_NONZERO_BELOW_2_251}|{_2_251_TO_PRIME})$",
    "maxLength": 66,
    "description": "Starknet transaction hash: 0x followed by 1 to 64 hex digits, above 0 and below the field prime.",
}
IP_ADDRESS_SCHEMA: dict[str, Any] = {
    "oneOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}],
}


class NonEmptyBody(serializers.Serializer[Any]):
    """Base of a request body whose fields are all optional but one at least must be sent (a change):
    its schema says so (`minProperties: 1`); the view answers an empty body with 400."""


# drf-spectacular's extension base registers subclasses in an untyped __init_subclass__.
class NonEmptyBodyExtension(OpenApiSerializerExtension):  # type: ignore[no-untyped-call]
    target_class = NonEmptyBody
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["minProperties"] = 1
        return schema


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


def _component(result: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema itself, or the component it references."""
    reference = schema.get("$ref", "")
    if not reference.startswith("#/components/schemas/"):
        return schema
    found: dict[str, Any] = result.get("components", {}).get("schemas", {}).get(reference.rsplit("/", 1)[1], {})
    return found


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
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query" and not parameter.get("required"):
                    # An optional parameter sent blank (`?role=`) is read as not sent, as DRF reads
                    # query strings: the default applies.
                    parameter["allowEmptyValue"] = True
            takes_query = any(parameter.get("in") == "query" for parameter in operation.get("parameters", []))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if _component(result, body).get("minProperties"):
                # A change must be sent: no body at all is as empty as `{}`.
                operation["requestBody"]["required"] = True
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
