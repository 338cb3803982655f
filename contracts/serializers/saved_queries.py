"""Saved queries: what the app saves from its contract-events page, and how a saved query is listed."""

from typing import Any

from rest_framework import serializers

from contracts.chains import DEFAULT_CHAIN, SUPPORTED_CHAINS
from contracts.dates import range_end, range_start
from contracts.models import SavedQuery
from contracts.serializers.fields import IsoDateOrDateTimeField, StarknetAddressField, validate_bounded_json

MAX_CONTRACTS_PER_SAVED_QUERY = 20


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
