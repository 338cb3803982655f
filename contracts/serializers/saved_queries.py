"""Saved queries: what the app saves from its contract-events page, and how a saved query is listed."""

from typing import Any, NamedTuple

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blocra.strict_fields import StrictCharField
from contracts.chains import DEFAULT_CHAIN, SUPPORTED_CHAINS
from contracts.dates import range_end, range_start
from contracts.models import SavedQuery
from contracts.serializers.fields import IsoDateOrDateTimeField, StarknetAddressField, validate_bounded_json

MAX_CONTRACTS_PER_SAVED_QUERY = 20
MAX_CONTRACT_NAME = 100
# `contractInfo` is what the app knows of the first contract ({"contractType", "contractName"}): kept
# with the query, as a small object.
MAX_CONTRACT_INFO_BYTES = 1_000
MAX_CONTRACT_INFO_DEPTH = 2


class ContractRef(NamedTuple):
    address: str  # normalised
    name: str  # "" when none was given


class ContractObjectSerializer(serializers.Serializer):
    """The object form of a `contracts` item; the app sends `name` blank when it knows none."""

    address = StarknetAddressField()
    name = StrictCharField(
        required=False, allow_blank=True, allow_null=True, max_length=MAX_CONTRACT_NAME, trim_whitespace=True
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "description": "A Starknet address: 0x followed by 1 to 64 hex digits."},
            {
                "type": "object",
                "properties": {
                    "address": {"type": "string", "description": "A Starknet address."},
                    "name": {
                        "type": "string",
                        "nullable": True,
                        "maxLength": MAX_CONTRACT_NAME,
                        "description": "The contract's name, blank when unknown.",
                    },
                },
                "required": ["address"],
            },
        ]
    }
)
class ContractItemField(serializers.Field):
    """One item of `contracts`: an address string, or an object `{"address", "name"?}`."""

    default_error_messages = {
        "invalid": "Enter a Starknet address, or an object with an address and an optional name.",
    }

    def to_internal_value(self, data: Any) -> ContractRef:
        if isinstance(data, str):
            return ContractRef(StarknetAddressField().run_validation(data), "")
        if isinstance(data, dict):
            item = ContractObjectSerializer(data=data)
            item.is_valid(raise_exception=True)
            return ContractRef(item.validated_data["address"], item.validated_data.get("name") or "")
        self.fail("invalid")

    def to_representation(self, value: ContractRef) -> str:
        return value.address


class ChainField(StrictCharField):
    """A supported chain, matched without regard to case or surrounding spaces ("Starknet" is
    `starknet`); returned lowercase."""

    default_error_messages = {"unknown_chain": "Unknown chain: the supported chains are {chains}."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "help_text", f"Case-insensitive; one of: {', '.join(sorted(SUPPORTED_CHAINS))} (default {DEFAULT_CHAIN})."
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("unknown_chain", chains=", ".join(sorted(SUPPORTED_CHAINS)))
        value = super().to_internal_value(data).lower()
        if value not in SUPPORTED_CHAINS:
            self.fail("unknown_chain", chains=", ".join(sorted(SUPPORTED_CHAINS)))
        return value


class SavedQueryCreateSerializer(serializers.Serializer):
    """Body of `POST /contracts/save-query`; validated keys are snake_case (`from_date`, `to_date`,
    `contract_names`, `contract_info`). Keys it does not name are ignored."""

    # Blank or null: the service names the query after its first contract.
    name = StrictCharField(required=False, allow_blank=True, allow_null=True, max_length=200, trim_whitespace=True)
    contracts = serializers.ListField(
        child=ContractItemField(),
        allow_empty=False,
        max_length=MAX_CONTRACTS_PER_SAVED_QUERY,
        help_text="Address strings or {address, name} objects; an address given twice keeps the first name.",
    )
    chain = ChainField(required=False, default=DEFAULT_CHAIN)
    fromDate = IsoDateOrDateTimeField(source="from_date", required=False, allow_null=True)
    toDate = IsoDateOrDateTimeField(source="to_date", required=False, allow_null=True)
    events = serializers.JSONField(required=False, allow_null=True, validators=[validate_bounded_json])
    stats = serializers.JSONField(required=False, allow_null=True, validators=[validate_bounded_json])
    contractInfo = serializers.DictField(
        source="contract_info",
        required=False,
        allow_null=True,
        help_text=f"What the app knows of the contract (`contractType`, `contractName`), kept with the query: "
        f"an object of at most {MAX_CONTRACT_INFO_BYTES} bytes of JSON, nested at most {MAX_CONTRACT_INFO_DEPTH} levels.",
    )

    def validate_contractInfo(self, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        return validate_bounded_json(value, max_bytes=MAX_CONTRACT_INFO_BYTES, max_depth=MAX_CONTRACT_INFO_DEPTH)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("from_date"), attrs.get("to_date")
        if start is not None and end is not None and range_start(start) > range_end(end):
            raise serializers.ValidationError({"toDate": ["Must not be before fromDate."]}, code="invalid_range")
        # Addresses compare as integers: normalised forms are equal exactly when the numbers are. An
        # address named twice keeps the first name given (a blank name is none).
        names: dict[str, str] = {}
        for ref in attrs["contracts"]:
            if ref.name and ref.address not in names:
                names[ref.address] = ref.name
        attrs["contracts"] = list(dict.fromkeys(ref.address for ref in attrs["contracts"]))
        attrs["contract_names"] = names
        return attrs


class SavedQuerySerializer(serializers.ModelSerializer):
    """A saved query as the app lists it; `query` holds `contracts` (addresses), `contractNames`
    (address -> name, for the contracts given a name), `fromDate`, `toDate`, `events`, `stats` and
    `contractInfo`."""

    class Meta:
        model = SavedQuery
        fields = ["id", "name", "chain", "contract_address", "query", "created_at", "updated_at"]
        read_only_fields = fields
