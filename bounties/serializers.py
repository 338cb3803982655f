"""Input validation of the bounties API, and the output shapes the OpenAPI schema documents.

Responses are built by `bounties.representations`; the output serializers below only describe them.
"""

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blocra.amounts import AMOUNT_DECIMALS, parse_amount
from bounties.models import Bounty, BountyParticipant, Reward, Submission
from bounties.selectors import ORDERINGS, BountyFilters
from bounties.tokens import amount_precision_problem, decimal_places, token_normalize

TEXT_MAX = 20_000

# User ids are 64-bit integers: anything larger is invalid input, not a database error.
MAX_ID = 2**63 - 1


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
        if amount > settings.MAX_REWARD_AMOUNT:
            self.fail("too_large", max=settings.MAX_REWARD_AMOUNT)
        if decimal_places(amount) > AMOUNT_DECIMALS:
            self.fail("too_precise", places=AMOUNT_DECIMALS)
        return amount

    def to_representation(self, value):
        return str(value)


class TokenInputField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 70)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        text = super().to_internal_value(data)
        try:
            return token_normalize(text)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class StatusChoiceField(serializers.ChoiceField):
    """A `status` choice, documented as the enum component `enum_name` (bounties.schema)."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


def _future(value):
    if value is not None and value <= timezone.now():
        raise serializers.ValidationError("The deadline must be in the future.")
    return value


class BountyWriteSerializer(serializers.Serializer):
    title = serializers.CharField(min_length=3, max_length=200)
    description = serializers.CharField(max_length=TEXT_MAX)
    reward_amount = AmountInputField()
    reward_token = TokenInputField()
    difficulty = serializers.ChoiceField(choices=Bounty.Difficulty.choices)
    category = serializers.CharField(min_length=1, max_length=64)
    deadline = serializers.DateTimeField(required=False, allow_null=True, validators=[_future])
    max_participants = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10_000)
    requirements = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=TEXT_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # An amount and a token sent together must fit; against a stored token the service checks.
        if "reward_amount" in attrs and "reward_token" in attrs:
            problem = amount_precision_problem(amount=attrs["reward_amount"], token=attrs["reward_token"])
            if problem is not None:
                raise serializers.ValidationError({"reward_amount": [problem]})
        return attrs


class BountyCreateSerializer(BountyWriteSerializer):
    """POST /bounties. `created_by` and `status` are not accepted: the caller creates an open bounty."""


class BountyUpdateSerializer(BountyWriteSerializer):
    """PUT and PATCH /bounties/{id}: any writable field, plus `status`; fields not sent stay unchanged."""

    status = StatusChoiceField(choices=Bounty.Status.choices, required=False, enum_name="BountyStatusEnum")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return super().validate(attrs)


class BountyListQuerySerializer(serializers.Serializer):
    """Documents the list's query parameters (`active` means `open`); `bounty_list_filters_parse`
    applies them."""

    status = StatusChoiceField(
        choices=[*Bounty.Status.values, "active"], required=False, enum_name="BountyStatusFilterEnum"
    )
    category = serializers.CharField(required=False, max_length=64)
    difficulty = serializers.ChoiceField(choices=Bounty.Difficulty.values, required=False)
    reward_token = TokenInputField(required=False)
    created_by = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    search = serializers.CharField(required=False, max_length=200)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, default="-created_at")


def bounty_list_filters_parse(params: Mapping[str, str]) -> BountyFilters:
    """The list's query parameters as BountyFilters; raises ValidationError with field errors.

    Hand-written rather than `BountyListQuerySerializer.is_valid()` because the list is the hottest
    endpoint and DRF's field machinery costs more than the page's SQL. The serializer above only
    describes the same parameters in the schema; the API tests exercise the rules here.
    """
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def text(name: str, max_length: int) -> str | None:
        value = params.get(name)
        if value is None or value.strip() == "":
            return None
        value = value.strip()
        if len(value) > max_length:
            errors[name] = [f"Ensure this field has no more than {max_length} characters."]
        elif "\x00" in value:
            errors[name] = ["Null characters are not allowed."]
        return value

    def choice(name: str, allowed: Iterable[str]) -> str | None:
        value = text(name, 64)
        if value is not None and name not in errors and value not in allowed:
            errors[name] = [f'"{value}" is not a valid choice.']
        return value

    status = choice("status", [*Bounty.Status.values, "active"])
    values["status"] = Bounty.Status.OPEN if status == "active" else status
    values["category"] = text("category", 64)
    values["difficulty"] = choice("difficulty", Bounty.Difficulty.values)
    values["ordering"] = choice("ordering", ORDERINGS) or "-created_at"
    values["search"] = text("search", 200)
    token = text("reward_token", 70)
    if token is not None and "reward_token" not in errors:
        try:
            token = token_normalize(token)
        except ValueError as exc:
            errors["reward_token"] = [str(exc)]
    values["reward_token"] = token
    created_by = text("created_by", 20)
    if created_by is not None and "created_by" not in errors:
        if not created_by.isdigit() or not 1 <= int(created_by) <= MAX_ID:
            errors["created_by"] = ["A valid positive integer is required."]
        else:
            values["created_by"] = int(created_by)
    if errors:
        raise serializers.ValidationError(errors)
    return BountyFilters(**values)


class MineQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["creator", "participant"], required=False)


class RewardListQuerySerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["winner", "creator"], required=False)


class RewardPayoutSerializer(serializers.Serializer):
    """POST /rewards/{id}/payout. The hash is checked and normalised by the payout service."""

    transaction_hash = serializers.CharField(
        max_length=100, help_text="The Starknet transaction that paid the reward: 0x followed by 1 to 64 hex digits."
    )


class SubmissionCreateSerializer(serializers.Serializer):
    content = serializers.CharField(min_length=1, max_length=TEXT_MAX)


class SubmissionReviewSerializer(serializers.Serializer):
    status = StatusChoiceField(
        choices=[Submission.Status.APPROVED, Submission.Status.REJECTED], enum_name="ReviewOutcomeEnum"
    )
    feedback = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=TEXT_MAX)


class WinnerSerializer(serializers.Serializer):
    winnerId = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)  # the app's camelCase name
    submission_id = serializers.UUIDField(required=False)

    def validate(self, attrs):
        if "winnerId" not in attrs and "submission_id" not in attrs:
            raise serializers.ValidationError({"winnerId": ["Give winnerId or submission_id."]})
        return attrs


# --- Output shapes (documentation of bounties.representations) --------------------------------------


class CreatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    wallet_address = serializers.CharField(allow_null=True)


class BountySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    title = serializers.CharField()
    description = serializers.CharField()
    reward_amount = serializers.CharField(help_text='Decimal string, e.g. "150.5".')
    reward_token = serializers.CharField(help_text="STRK, ETH, USDC, USDT or a token contract address.")
    status = StatusChoiceField(choices=Bounty.Status.choices, enum_name="BountyStatusEnum")
    difficulty = serializers.ChoiceField(choices=Bounty.Difficulty.choices)
    category = serializers.CharField()
    created_by = serializers.IntegerField()
    creator = CreatorSerializer()
    deadline = serializers.DateTimeField(allow_null=True)
    max_participants = serializers.IntegerField(allow_null=True)
    participant_count = serializers.IntegerField()
    submission_count = serializers.IntegerField()
    requirements = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class ParticipantSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    bounty_id = serializers.UUIDField()
    user_id = serializers.IntegerField()
    status = StatusChoiceField(choices=BountyParticipant.Status.choices, enum_name="ParticipantStatusEnum")
    joined_at = serializers.DateTimeField()


class SubmissionSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    bounty_id = serializers.UUIDField()
    user_id = serializers.IntegerField()
    content = serializers.CharField()
    status = StatusChoiceField(choices=Submission.Status.choices, enum_name="SubmissionStatusEnum")
    feedback = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField()
    reviewed_at = serializers.DateTimeField(allow_null=True)


class RewardSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    bounty_id = serializers.UUIDField()
    user_id = serializers.IntegerField()
    amount = serializers.CharField(help_text='Decimal string, e.g. "150.5".')
    token = serializers.CharField()
    recipient_address = serializers.CharField(allow_null=True, help_text="Null until the winner links a wallet.")
    transaction_hash = serializers.CharField(allow_null=True)
    status = StatusChoiceField(choices=Reward.Status.choices, enum_name="RewardStatusEnum")
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)


class WinnerDataSerializer(serializers.Serializer):
    bounty = BountySerializer()
    reward = RewardSerializer()


class WinnerResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    data = WinnerDataSerializer()  # type: ignore[assignment]  # the API names this field "data"


class TopHunterSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    rewards_won = serializers.IntegerField()


class StatsDataSerializer(serializers.Serializer):
    total_bounties = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    total_participants = serializers.IntegerField()
    total_submissions = serializers.IntegerField()
    rewards_paid = serializers.DictField(child=serializers.CharField(), help_text="Decimal string per token.")
    top_hunters = TopHunterSerializer(many=True)


class StatsResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    data = StatsDataSerializer()  # type: ignore[assignment]  # the API names this field "data"


class MessageResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
