"""Input validation of the bounties API, and the output shapes the OpenAPI schema documents.

Responses are built by the shapes of `bounties.representations`; the output serializers below are built
from the same declarations, or describe the envelopes around them.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blocra.amounts import AMOUNT_DECIMALS, AMOUNT_MAX, format_amount, parse_amount
from blocra.schema import TRANSACTION_HASH_SCHEMA, NonEmptyBody
from blocra.strict_fields import StrictCharField
from bounties.fields import MAX_ID, StatusChoiceField
from bounties.filters import ORDERINGS
from bounties.models import Bounty, Submission
from bounties.representations import BOUNTY, PARTICIPANT, REWARD, SUBMISSION
from bounties.tokens import amount_precision_problem, decimal_places, token_input_schema, token_normalize

TEXT_MAX = 20_000


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "number"}], "example": "150.5"})
class AmountInputField(serializers.Field):
    """A positive token amount from a JSON string or number (parsed as Decimal, never through a float)."""

    default_error_messages = {
        "invalid": "Enter a decimal number as a string or a number.",
        "not_positive": "Must be greater than zero.",
        "too_large": "Must be at most {max}.",
        "too_precise": "At most {places} decimal places.",
    }

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, float):
            # Only reached when a caller bypasses DecimalJSONParser; repr() is the float's shortest text.
            data = repr(data)
        if isinstance(data, bool) or not isinstance(data, str | int | Decimal):
            self.fail("invalid")
        try:
            amount = parse_amount(data)
        except ValueError:
            self.fail("invalid")
        if amount <= 0:
            self.fail("not_positive")
        # Never more than the database stores, whatever the setting says.
        limit = min(settings.MAX_REWARD_AMOUNT, AMOUNT_MAX)
        if amount > limit:
            self.fail("too_large", max=format_amount(limit))
        if decimal_places(amount) > AMOUNT_DECIMALS:
            self.fail("too_precise", places=AMOUNT_DECIMALS)
        return amount

    def to_representation(self, value):
        return format_amount(value)


@extend_schema_field(token_input_schema())
class TokenInputField(StrictCharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 70)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        try:
            return token_normalize(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


def _future(value):
    if value is not None and value <= timezone.now():
        raise serializers.ValidationError("The deadline must be in the future.")
    return value


class BountyWriteSerializer(serializers.Serializer):
    title = StrictCharField(min_length=3, max_length=200)
    description = StrictCharField(max_length=TEXT_MAX)
    reward_amount = AmountInputField()
    reward_token = TokenInputField()
    difficulty = serializers.ChoiceField(choices=Bounty.Difficulty.choices)
    category = StrictCharField(min_length=1, max_length=64)
    deadline = serializers.DateTimeField(required=False, allow_null=True, validators=[_future])
    max_participants = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10_000)
    requirements = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=TEXT_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # An amount and a token sent together must fit; against a stored token the service checks.
        if "reward_amount" in attrs and "reward_token" in attrs:
            problem = amount_precision_problem(amount=attrs["reward_amount"], token=attrs["reward_token"])
            if problem is not None:
                raise serializers.ValidationError({"reward_amount": [problem]})
        return attrs


class BountyCreateSerializer(BountyWriteSerializer):
    """POST /bounties. `created_by` and `status` are not accepted: the caller creates an open bounty."""


class BountyUpdateSerializer(NonEmptyBody, BountyWriteSerializer):
    """PUT and PATCH /bounties/{id}: any writable field, plus `status`; fields not sent stay unchanged."""

    status = StatusChoiceField(choices=Bounty.Status.choices, required=False, enum_name="BountyStatusEnum")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return super().validate(attrs)


class BountyListQuerySerializer(serializers.Serializer):
    """Documents the list's query parameters (`active` means `open`); `bounties.filters` parses and
    applies them."""

    status = StatusChoiceField(
        choices=[*Bounty.Status.values, "active"], required=False, enum_name="BountyStatusFilterEnum"
    )
    category = StrictCharField(required=False, max_length=64)
    difficulty = serializers.ChoiceField(choices=Bounty.Difficulty.values, required=False)
    reward_token = TokenInputField(required=False)
    created_by = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    search = StrictCharField(required=False, max_length=200)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default="-created_at")


class MineQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["creator", "participant"], required=False)


class RewardListQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["winner", "creator"], required=False)


@extend_schema_field(TRANSACTION_HASH_SCHEMA)
class TransactionHashField(StrictCharField):
    """A transaction hash as sent; the payout service checks and normalises it."""


class RewardPayoutSerializer(serializers.Serializer):
    """POST /rewards/{id}/payout. The hash is checked and normalised by the payout service."""

    transaction_hash = TransactionHashField(
        max_length=100, help_text="The Starknet transaction that paid the reward: 0x followed by 1 to 64 hex digits."
    )


class SubmissionCreateSerializer(serializers.Serializer):
    content = StrictCharField(min_length=1, max_length=TEXT_MAX)


class SubmissionReviewSerializer(serializers.Serializer):
    status = StatusChoiceField(
        choices=[Submission.Status.APPROVED, Submission.Status.REJECTED], enum_name="ReviewOutcomeEnum"
    )
    feedback = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=TEXT_MAX)


class WinnerSerializer(serializers.Serializer):
    winnerId = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)  # the app's camelCase name
    submission_id = serializers.UUIDField(required=False)

    def validate(self, attrs):
        if "winnerId" not in attrs and "submission_id" not in attrs:
            raise serializers.ValidationError({"winnerId": ["Give winnerId or submission_id."]})
        return attrs


# --- Output shapes: the four objects come from their one declaration in bounties.representations ---


BountySerializer = BOUNTY.serializer()
ParticipantSerializer = PARTICIPANT.serializer()
SubmissionSerializer = SUBMISSION.serializer()
RewardSerializer = REWARD.serializer()


class WinnerDataSerializer(serializers.Serializer):
    bounty = BountySerializer()
    reward = RewardSerializer()


class WinnerResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    data = WinnerDataSerializer()  # type: ignore[assignment]  # the API names this field "data"


class TopHunterSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = StrictCharField(allow_null=True)
    rewards_won = serializers.IntegerField()


class StatsDataSerializer(serializers.Serializer):
    total_bounties = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    total_participants = serializers.IntegerField()
    total_submissions = serializers.IntegerField()
    rewards_paid = serializers.DictField(child=StrictCharField(), help_text="Decimal string per token.")
    top_hunters = TopHunterSerializer(many=True)


class StatsResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    data = StatsDataSerializer()  # type: ignore[assignment]  # the API names this field "data"


class MessageResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = StrictCharField()
