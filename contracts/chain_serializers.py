"""Request validation of the chain-backed endpoints: running a contract query, events, analysis, stats.

Everything a chain call needs is checked here, before any RPC: addresses are normalised, felts are
below the field prime, block spans are within CONTRACT_EVENTS_MAX_SPAN.
"""

import re
from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blocra.starknet import parse_felt
from contracts.chains import DEFAULT_CHAIN, SUPPORTED_CHAINS
from contracts.dates import range_end, range_start
from contracts.models import ContractQuery
from contracts.serializers import IsoDateOrDateTimeField, StarknetAddressField

MAX_CALLDATA = 64
MAX_FUNCTION_NAME = 64
# Positional key filters: at most this many positions, each with at most this many alternatives.
MAX_KEY_POSITIONS = 4
MAX_KEYS_PER_POSITION = 16
# Block numbers are JSON integers; this is far beyond any chain's height and keeps them 64-bit.
MAX_BLOCK_NUMBER = 2**63 - 1
_CAIRO_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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


# --- POST /contracts/query and /queries ---------------------------------------------------------------
class CallParametersSerializer(serializers.Serializer):
    function = serializers.CharField(max_length=MAX_FUNCTION_NAME, trim_whitespace=False)
    calldata = serializers.ListField(child=FeltField(), max_length=MAX_CALLDATA, required=False, default=list)

    def validate_function(self, value: str) -> str:
        if not _CAIRO_IDENTIFIER.match(value):
            raise serializers.ValidationError("Enter a Cairo function name (letters, digits and _).")
        return value


class BalanceOfParametersSerializer(serializers.Serializer):
    account = StarknetAddressField()


class ReceiptParametersSerializer(serializers.Serializer):
    transaction_hash = FeltField()


class EventsParametersSerializer(serializers.Serializer):
    from_block = BlockNumberField(required=False)
    to_block = BlockNumberField(required=False)
    keys = key_filter_field()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        check_block_span(attrs.get("from_block"), attrs.get("to_block"), from_name="from_block", to_name="to_block")
        return attrs


class NoParametersSerializer(serializers.Serializer):
    pass


PARAMETER_SERIALIZERS: dict[str, type[serializers.Serializer]] = {
    "call": CallParametersSerializer,
    "erc20_info": NoParametersSerializer,
    "balance_of": BalanceOfParametersSerializer,
    "events": EventsParametersSerializer,
    "receipt": ReceiptParametersSerializer,
    "class_hash": NoParametersSerializer,
    "nonce": NoParametersSerializer,
    "block_number": NoParametersSerializer,
}


class ContractQueryRunSerializer(serializers.Serializer):
    """Body of `POST /contracts/query` and `POST /queries`. `parameters` comes back normalised (felts
    as unpadded hex, addresses padded) with only the keys its query type reads."""

    contract_address = StarknetAddressField()
    query_type = serializers.ChoiceField(choices=ContractQuery.QueryType.choices)
    parameters = serializers.DictField(required=False, default=dict, allow_empty=True, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        parameters = PARAMETER_SERIALIZERS[attrs["query_type"]](data=attrs.get("parameters") or {})
        if not parameters.is_valid():
            raise serializers.ValidationError({"parameters": parameters.errors})
        attrs["parameters"] = {key: value for key, value in parameters.validated_data.items() if value is not None}
        return attrs


# --- POST /contracts/events ---------------------------------------------------------------------------
class ContractEventsSerializer(serializers.Serializer):
    """Body of `POST /contracts/events`; validated keys are snake_case. A bound is a block or a date."""

    contractAddress = StarknetAddressField(source="contract_address")
    fromBlock = BlockNumberField(source="from_block", required=False, allow_null=True)
    toBlock = BlockNumberField(source="to_block", required=False, allow_null=True)
    fromDate = IsoDateOrDateTimeField(source="from_date", required=False, allow_null=True)
    toDate = IsoDateOrDateTimeField(source="to_date", required=False, allow_null=True)
    keys = key_filter_field(allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        for block, date in (("from_block", "from_date"), ("to_block", "to_date")):
            if attrs.get(block) is not None and attrs.get(date) is not None:
                name = "fromDate" if date == "from_date" else "toDate"
                raise serializers.ValidationError(
                    {name: ["Give a block or a date for each end of the range, not both."]}, code="both_bounds"
                )
        check_block_span(attrs.get("from_block"), attrs.get("to_block"), from_name="fromBlock", to_name="toBlock")
        validate_date_order(attrs)
        return attrs


def validate_date_order(attrs: dict[str, Any]) -> None:
    start, end = attrs.get("from_date"), attrs.get("to_date")
    if start is not None and end is not None and range_start(start) > range_end(end):
        raise serializers.ValidationError({"toDate": ["Must not be before fromDate."]}, code="invalid_range")


# --- POST /contracts/analyze --------------------------------------------------------------------------
class ContractAnalyzeSerializer(serializers.Serializer):
    contractAddress = StarknetAddressField(source="contract_address")
    fromDate = IsoDateOrDateTimeField(source="from_date", required=False, allow_null=True)
    toDate = IsoDateOrDateTimeField(source="to_date", required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        validate_date_order(attrs)
        return attrs


# --- GET /dashboards/stats ----------------------------------------------------------------------------
class ChainStatsQuerySerializer(serializers.Serializer):
    chain = serializers.ChoiceField(choices=sorted(SUPPORTED_CHAINS), required=False, default=DEFAULT_CHAIN)
