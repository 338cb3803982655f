"""Contract events: the input of a bounded events read."""

from typing import Any

from rest_framework import serializers

from contracts.serializers.fields import (
    BlockNumberField,
    IsoDateOrDateTimeField,
    StarknetAddressField,
    check_block_span,
    key_filter_field,
    validate_date_order,
)


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
