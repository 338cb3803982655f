"""Serializer fields and checks shared by the contracts API: addresses, felts, block numbers, dates,
bounded JSON."""

import json
import re
from datetime import UTC, date, datetime
from typing import Any

from django.conf import settings
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blocra.schema import ADDRESS_SCHEMA
from blocra.starknet import InvalidAddress, normalize_address, parse_felt
from blocra.strict_fields import StrictCharField
from contracts.dates import iso_text, range_end, range_start

# Row ids are 64-bit integers.
MAX_ROW_ID = 2**63 - 1


MAX_CALLDATA = 64


MAX_FUNCTION_NAME = 64


# Positional key filters: at most this many positions, each with at most this many alternatives.
MAX_KEY_POSITIONS = 4
MAX_KEYS_PER_POSITION = 16


# Block numbers are JSON integers; this is far beyond any chain's height and keeps them 64-bit.
MAX_BLOCK_NUMBER = 2**63 - 1
_CAIRO_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# `events` and `stats` of a saved query and a dashboard's `layout` are the app's own JSON, stored as sent:
# bounded so a row stays reasonable. The app saves at most 100 events; as it builds them an ERC-20
# Transfer weighs about 720 bytes (three 66-character keys, hash, addresses, decoding, times), 72 KB for
# 100, and an event with ten data felts and no decoding about 1.3 KB, 130 KB for 100. 200 KB holds those
# with room to spare, and its statistics with a point per block for ~2,000 blocks (about 80 bytes each).
MAX_JSON_BYTES = 200_000
MAX_JSON_DEPTH = 8


@extend_schema_field(ADDRESS_SCHEMA)
class StarknetAddressField(StrictCharField):
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


def validate_bounded_json(value: Any, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Reject JSON with objects/arrays nested deeper than `max_depth` or longer than `max_bytes` once
    serialised (compact, ASCII)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list) and depth > max_depth:
            raise serializers.ValidationError(f"Nest at most {max_depth} levels deep.", code="too_deep")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    if len(json.dumps(value, separators=(",", ":"))) > max_bytes:
        raise serializers.ValidationError(f"Keep this under {max_bytes} bytes of JSON.", code="too_large")
    return value


@extend_schema_field(OpenApiTypes.STR)
class FeltField(serializers.Field):
    """A felt as a `0x`-hex or decimal string below the field prime; returned as unpadded `0x` hex."""

    default_error_messages = {"invalid": "Enter a felt: a 0x-hex or decimal string below the Starknet field prime."}

    def to_internal_value(self, data: Any) -> str:
        try:
            return hex(parse_felt(data))
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value: str) -> str:
        return value


class BlockNumberField(serializers.IntegerField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_BLOCK_NUMBER)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool | float):  # 1.0 or true are not block numbers
            self.fail("invalid")
        return super().to_internal_value(data)


def key_filter_field(**kwargs: Any) -> serializers.ListField:
    """Positional event-key filter of the JSON-RPC spec: `[[selector, ...], [], [recipient]]`."""
    return serializers.ListField(
        child=serializers.ListField(child=FeltField(), max_length=MAX_KEYS_PER_POSITION, allow_empty=True),
        max_length=MAX_KEY_POSITIONS,
        required=False,
        **kwargs,
    )


def check_block_span(from_block: int | None, to_block: int | None, *, from_name: str, to_name: str) -> None:
    """400 when both ends are given and the range is reversed or wider than CONTRACT_EVENTS_MAX_SPAN."""
    if from_block is None or to_block is None:
        return
    if to_block < from_block:
        raise serializers.ValidationError({to_name: [f"Must not be below {from_name}."]}, code="invalid_range")
    if to_block - from_block + 1 > settings.CONTRACT_EVENTS_MAX_SPAN:
        raise serializers.ValidationError(
            {to_name: [f"Ask for at most {settings.CONTRACT_EVENTS_MAX_SPAN} blocks at a time."]},
            code="span_too_large",
        )


def validate_date_order(attrs: dict[str, Any]) -> None:
    start, end = attrs.get("from_date"), attrs.get("to_date")
    if start is not None and end is not None and range_start(start) > range_end(end):
        raise serializers.ValidationError({"toDate": ["Must not be before fromDate."]}, code="invalid_range")
