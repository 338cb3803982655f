"""The JSON shapes of the API's Bounty, Participant, Submission and Reward, each declared once.

Each `Shape` (blocra.shapes) renders its answers (from `values_list` rows on the hot list paths, no
model instances, no per-row queries: the creator is joined in and the counts are the maintained
counter columns) and builds the output serializer the OpenAPI schema documents.
"""

from typing import Any

from rest_framework import serializers

from blocra.shapes import Key, Shape, amount_text, datetime_text, key, same, text
from bounties.fields import StatusChoiceField
from bounties.models import Bounty, BountyParticipant, Reward, Submission

_AMOUNT_HELP = 'Decimal string, e.g. "150.5".'


class CreatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField(allow_null=True)
    wallet_address = serializers.CharField(allow_null=True)


def _creator(creator_id: int, username: str | None, wallet_address: str | None) -> dict[str, Any]:
    return {"id": creator_id, "username": username, "wallet_address": wallet_address}


def _status(model: type[Bounty] | type[BountyParticipant] | type[Submission] | type[Reward], enum_name: str) -> Key:
    return key("status", same, lambda: StatusChoiceField(choices=model.Status.choices, enum_name=enum_name))


def _datetime(column: str, *, null: bool = False) -> Key:
    return key(column, datetime_text, lambda: serializers.DateTimeField(allow_null=null))


BOUNTY = Shape(
    "Bounty",
    {
        "id": key("id", text, serializers.UUIDField),
        "title": key("title", same, serializers.CharField),
        "description": key("description", same, serializers.CharField),
        "reward_amount": key("reward_amount", amount_text, lambda: serializers.CharField(help_text=_AMOUNT_HELP)),
        "reward_token": key(
            "reward_token",
            same,
            lambda: serializers.CharField(help_text="STRK, ETH, USDC, USDT or a token contract address."),
        ),
        "status": _status(Bounty, "BountyStatusEnum"),
        "difficulty": key("difficulty", same, lambda: serializers.ChoiceField(choices=Bounty.Difficulty.choices)),
        "category": key("category", same, serializers.CharField),
        "created_by": key("created_by_id", same, serializers.IntegerField),
        "creator": Key(
            ("created_by_id", "created_by__username", "created_by__wallet_address"), _creator, CreatorSerializer
        ),
        "deadline": _datetime("deadline", null=True),
        "max_participants": key("max_participants", same, lambda: serializers.IntegerField(allow_null=True)),
        "participant_count": key("participant_count", same, serializers.IntegerField),
        "submission_count": key("submission_count", same, serializers.IntegerField),
        "requirements": key("requirements", same, lambda: serializers.CharField(allow_null=True)),
        "created_at": _datetime("created_at"),
        "updated_at": _datetime("updated_at"),
    },
)

PARTICIPANT = Shape(
    "Participant",
    {
        "id": key("id", text, serializers.UUIDField),
        "bounty_id": key("bounty_id", text, serializers.UUIDField),
        "user_id": key("user_id", same, serializers.IntegerField),
        "status": _status(BountyParticipant, "ParticipantStatusEnum"),
        "joined_at": _datetime("joined_at"),
    },
)

SUBMISSION = Shape(
    "Submission",
    {
        "id": key("id", text, serializers.UUIDField),
        "bounty_id": key("bounty_id", text, serializers.UUIDField),
        "user_id": key("user_id", same, serializers.IntegerField),
        "content": key("content", same, serializers.CharField),
        "status": _status(Submission, "SubmissionStatusEnum"),
        "feedback": key("feedback", same, lambda: serializers.CharField(allow_null=True)),
        "submitted_at": _datetime("submitted_at"),
        "reviewed_at": _datetime("reviewed_at", null=True),
    },
)

REWARD = Shape(
    "Reward",
    {
        "id": key("id", text, serializers.UUIDField),
        "bounty_id": key("bounty_id", text, serializers.UUIDField),
        "user_id": key("user_id", same, serializers.IntegerField),
        "amount": key("amount", amount_text, lambda: serializers.CharField(help_text=_AMOUNT_HELP)),
        "token": key("token", same, serializers.CharField),
        "recipient_address": key(
            "recipient_address",
            same,
            lambda: serializers.CharField(allow_null=True, help_text="Null until the winner links a wallet."),
        ),
        "transaction_hash": key("transaction_hash", same, lambda: serializers.CharField(allow_null=True)),
        "status": _status(Reward, "RewardStatusEnum"),
        "created_at": _datetime("created_at"),
        "paid_at": _datetime("paid_at", null=True),
    },
)
