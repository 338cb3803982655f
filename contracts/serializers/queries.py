"""Contract queries: the stored query as the API shows it, and the input of running one (per query type)."""

from typing import Any

from rest_framework import serializers

from blocra.strict_fields import StrictCharField
from contracts.models import ContractQuery
from contracts.serializers.fields import (
    _CAIRO_IDENTIFIER,
    MAX_CALLDATA,
    MAX_FUNCTION_NAME,
    BlockNumberField,
    FeltField,
    StarknetAddressField,
    check_block_span,
    key_filter_field,
)


class ContractQuerySerializer(serializers.ModelSerializer):
    """The contract's `ContractQuery` shape; read-only (queries are written by services)."""

    user_id = serializers.IntegerField(read_only=True)
    result = serializers.JSONField(
        read_only=True,
        allow_null=True,
        help_text="What the chain answered, by `query_type` (null when the query failed): `call` {function, "
        "result: [felt]}; `erc20_info` {name, symbol, decimals, total_supply}; `balance_of` {account, balance}; "
        "`events` {from_block, to_block, events: [{block_number, transaction_hash, from_address, keys, data, "
        "event_name, decoded_data, timestamp}], truncated}, each event's `timestamp` its block's time in Unix "
        "seconds; `receipt` the receipt with its decoded events (a receipt carries no block time); "
        "`class_hash`, `nonce`, `block_number`. u256 amounts are decimal strings.",
    )

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


class CallParametersSerializer(serializers.Serializer):
    function = StrictCharField(max_length=MAX_FUNCTION_NAME, trim_whitespace=False)
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
