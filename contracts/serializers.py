"""Request validation and response shapes of contract queries, saved queries and dashboards.

Serializers validate and shape; they never write. Services own the writes.
"""

import json
from datetime import UTC, date, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blocra.starknet import InvalidAddress, normalize_address
from contracts.chains import DEFAULT_CHAIN, SUPPORTED_CHAINS
from contracts.dates import iso_text, range_end, range_start
from contracts.models import VISUALIZATION_TYPES, ContractQuery, Dashboard, DashboardWidget, SavedQuery

MAX_CONTRACTS_PER_SAVED_QUERY = 20
# `events` and `stats` of a saved query are the app's own JSON: bounded so a row stays small.
MAX_JSON_BYTES = 10_000
MAX_JSON_DEPTH = 8
# The ranges of the check constraints on DashboardWidget (contracts_widget_size_range and
# contracts_widget_position_range); tests/contracts/test_models.py proves they agree.
WIDGET_SIZE_MIN, WIDGET_SIZE_MAX = 1, 24
WIDGET_X_MIN, WIDGET_X_MAX = 0, 1000
WIDGET_Y_MIN, WIDGET_Y_MAX = 0, 10000
# Row ids are 64-bit integers.
MAX_ROW_ID = 2**63 - 1


# --- Contract queries ---------------------------------------------------------------------------------
class ContractQuerySerializer(serializers.ModelSerializer):
    """The contract's `ContractQuery` shape; read-only (queries are written by services)."""

    user_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = ContractQuery
        fields = [
            "id",
            "user_id",
            "contract_address",
            "query_type",
            "parameters",
            "result",
            "status",
            "error",
            "duration_ms",
            "created_at",
        ]
        read_only_fields = fields


# --- Saved queries ------------------------------------------------------------------------------------
class StarknetAddressField(serializers.CharField):
    """`0x` + 1..64 hex digits below 2**251, returned normalised (lowercase, 64 digits)."""

    default_error_messages = {"invalid_address": "Enter a Starknet address: 0x followed by 1 to 64 hex digits."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 66)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid_address")
        value = super().to_internal_value(data)
        try:
            return normalize_address(value)
        except InvalidAddress as exc:
            raise serializers.ValidationError(str(exc), code="invalid_address") from None


@extend_schema_field(OpenApiTypes.STR)
class IsoDateOrDateTimeField(serializers.Field):
    """An ISO 8601 date (`2026-01-31`) or date-time (`2026-01-31T10:00:00Z`; no offset means UTC).

    Dates stay dates; date-times come back in UTC.
    """

    default_error_messages = {
        "invalid": "Enter an ISO 8601 date (YYYY-MM-DD) or date-time such as 2026-01-31T10:00:00Z.",
    }

    def to_internal_value(self, data: Any) -> date | datetime:
        if not isinstance(data, str) or not 8 <= len(data.strip()) <= 40:
            self.fail("invalid")
        text = data.strip()
        if "T" not in text.upper() and " " not in text:
            try:
                return date.fromisoformat(text)
            except ValueError:
                self.fail("invalid")
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
        if parsed is None:
            self.fail("invalid")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        try:
            return parsed.astimezone(UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00 falls before year 1 in UTC
            self.fail("invalid")

    def to_representation(self, value: date | datetime) -> str:
        return iso_text(value)


def validate_bounded_json(value: Any) -> Any:
    """Reject JSON with objects/arrays nested deeper than MAX_JSON_DEPTH or longer than MAX_JSON_BYTES once serialised."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list) and depth > MAX_JSON_DEPTH:
            raise serializers.ValidationError(f"Nest at most {MAX_JSON_DEPTH} levels deep.", code="too_deep")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    if len(json.dumps(value, separators=(",", ":"))) > MAX_JSON_BYTES:
        raise serializers.ValidationError(f"Keep this under {MAX_JSON_BYTES} bytes of JSON.", code="too_large")
    return value


class SavedQueryCreateSerializer(serializers.Serializer):
    """Body of `POST /contracts/save-query`; validated keys are snake_case (`from_date`, `to_date`)."""

    # Blank or null: the service names the query after its contracts.
    name = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=200, trim_whitespace=True
    )
    contracts = serializers.ListField(
        child=StarknetAddressField(), allow_empty=False, max_length=MAX_CONTRACTS_PER_SAVED_QUERY
    )
    chain = serializers.ChoiceField(choices=sorted(SUPPORTED_CHAINS), required=False, default=DEFAULT_CHAIN)
    fromDate = IsoDateOrDateTimeField(source="from_date", required=False, allow_null=True)
    toDate = IsoDateOrDateTimeField(source="to_date", required=False, allow_null=True)
    events = serializers.JSONField(required=False, allow_null=True, validators=[validate_bounded_json])
    stats = serializers.JSONField(required=False, allow_null=True, validators=[validate_bounded_json])

    def validate_contracts(self, value: list[str]) -> list[str]:
        # Addresses compare as integers: normalised forms are equal exactly when the numbers are.
        return list(dict.fromkeys(value))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from_date"), attrs.get("to_date")
        if start is not None and end is not None and range_start(start) > range_end(end):
            raise serializers.ValidationError({"toDate": ["Must not be before fromDate."]}, code="invalid_range")
        return attrs


class SavedQuerySerializer(serializers.ModelSerializer):
    """A saved query as the app lists it; `query` holds contracts, fromDate, toDate, events and stats."""

    class Meta:
        model = SavedQuery
        fields = ["id", "name", "chain", "contract_address", "query", "created_at", "updated_at"]
        read_only_fields = fields


# --- Dashboards and widgets ---------------------------------------------------------------------------
class DashboardCreateSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=1, max_length=200, trim_whitespace=True)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class DashboardSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Dashboard
        fields = ["id", "user_id", "name", "description", "created_at", "updated_at"]
        read_only_fields = fields


class WidgetSerializer(serializers.ModelSerializer):
    dashboard_id = serializers.IntegerField(read_only=True)
    query_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = DashboardWidget
        fields = [
            "id",
            "dashboard_id",
            "query_id",
            "title",
            "visualization_type",
            "position_x",
            "position_y",
            "width",
            "height",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WidgetLayoutSerializer(serializers.Serializer):
    """The editable fields of a widget; every one optional (a PUT changes only what it sends)."""

    title = serializers.CharField(required=False, min_length=1, max_length=200, trim_whitespace=True)
    visualization_type = serializers.ChoiceField(choices=VISUALIZATION_TYPES, required=False)
    position_x = serializers.IntegerField(required=False, min_value=WIDGET_X_MIN, max_value=WIDGET_X_MAX)
    position_y = serializers.IntegerField(required=False, min_value=WIDGET_Y_MIN, max_value=WIDGET_Y_MAX)
    width = serializers.IntegerField(required=False, min_value=WIDGET_SIZE_MIN, max_value=WIDGET_SIZE_MAX)
    height = serializers.IntegerField(required=False, min_value=WIDGET_SIZE_MIN, max_value=WIDGET_SIZE_MAX)


class WidgetCreateSerializer(WidgetLayoutSerializer):
    """Body of `POST /dashboard-builder/{id}/widgets`; position and size default to the model's."""

    query_id = serializers.IntegerField(min_value=1, max_value=MAX_ROW_ID)
    title = serializers.CharField(min_length=1, max_length=200, trim_whitespace=True)
    visualization_type = serializers.ChoiceField(choices=VISUALIZATION_TYPES)


class DashboardWidgetEntrySerializer(serializers.Serializer):
    """One entry of a dashboard's detail: the widget with the saved query it charts."""

    widget = WidgetSerializer(source="*")
    query_name = serializers.CharField(source="query.name")
    query_content = serializers.JSONField(source="query.query")


class SuggestionSerializer(serializers.Serializer):
    visualization_type = serializers.ChoiceField(choices=VISUALIZATION_TYPES)
    confidence = serializers.FloatField(min_value=0, max_value=1)
    reason = serializers.CharField()
