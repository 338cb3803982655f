"""Input validation and output shapes of the wallet sign-in endpoints (`/api/auth/wallet...`)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import WalletChallenge
from blocra import starknet
from blocra.schema import ACCOUNT_ADDRESS_SCHEMA
from blocra.strict_fields import StrictCharField

MAX_SIGNATURE_LENGTH = 32


@extend_schema_field(ACCOUNT_ADDRESS_SCHEMA)
class AccountAddressField(StrictCharField):
    """A Starknet account address, returned normalised (`0x` + 64 lowercase hex digits)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 66)
        kwargs.setdefault("help_text", "Starknet account address: 0x followed by 1 to 64 hex digits.")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return starknet.normalize_account_address(text)
        except starknet.InvalidAddress as exc:
            raise serializers.ValidationError(str(exc)) from exc


@extend_schema_field(OpenApiTypes.STR)
class FeltField(serializers.Field):
    """A felt sent as a hex (`0x...`) or decimal string, below the field prime."""

    default_error_messages = {"invalid": "Each element is a hex (0x...) or decimal string below the field prime."}

    def to_internal_value(self, data):
        try:
            return starknet.parse_felt(data)
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value):
        return hex(value)


class ChallengeQuerySerializer(serializers.Serializer):
    address = AccountAddressField()
    purpose = serializers.ChoiceField(
        choices=WalletChallenge.Purpose.choices,
        default=WalletChallenge.Purpose.SIGNIN,
        help_text="`signin` (default) or `link`: only the wording the wallet shows differs.",
    )


class WalletProofSerializer(serializers.Serializer):
    wallet_address = AccountAddressField()
    nonce = serializers.RegexField(r"^[A-Za-z0-9_-]{1,31}$", help_text="The nonce of the challenge.")
    signature = serializers.ListField(
        child=FeltField(),
        allow_empty=False,
        max_length=MAX_SIGNATURE_LENGTH,
        help_text="The wallet's signature as felts: [r, s], Argent's [1, 0, pubkey, r, s], ...",
    )


class _TypedDataSerializer(serializers.Serializer):
    types = serializers.DictField()
    primaryType = StrictCharField()
    domain = serializers.DictField()
    message = serializers.DictField()


class _ChallengeDataSerializer(serializers.Serializer):
    nonce = StrictCharField()
    typed_data = _TypedDataSerializer(help_text="SNIP-12 (revision 1) typed data for the wallet to sign.")
    expires_at = serializers.DateTimeField()


class ChallengeResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    data = _ChallengeDataSerializer()  # type: ignore[assignment]  # the API names this field "data"
