"""Chain analytics: the input of a contract's activity analysis and of the latest-block statistics."""

from typing import Any

from rest_framework import serializers

from contracts.chains import DEFAULT_CHAIN, SUPPORTED_CHAINS
from contracts.serializers.fields import IsoDateOrDateTimeField, StarknetAddressField, validate_date_order


class ContractAnalyzeSerializer(serializers.Serializer):
    contractAddress = StarknetAddressField(source="contract_address")
    fromDate = IsoDateOrDateTimeField(source="from_date", required=False, allow_null=True)
    toDate = IsoDateOrDateTimeField(source="to_date", required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        validate_date_order(attrs)
        return attrs


class ChainStatsQuerySerializer(serializers.Serializer):
    chain = serializers.ChoiceField(choices=sorted(SUPPORTED_CHAINS), required=False, default=DEFAULT_CHAIN)
