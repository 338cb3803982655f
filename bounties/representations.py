"""JSON shapes of the API's Bounty, Participant, Submission and Reward, built as plain dicts.

The bounty list is the hottest page of the app, so its rows are built by these functions rather than
by ModelSerializers: no per-field serializer machinery, no per-row queries (the creator is joined in,
the counts come from the maintained counter columns), and for lists no model instances either
(`bounty_row_representation` reads the tuples of `BountyQuerySet.as_rows()`). `bounties.serializers` holds the
matching output serializers the OpenAPI schema documents; a test keeps both in step.
"""

from datetime import UTC, datetime
from typing import Any

from blocra.amounts import format_amount
from bounties.models import Bounty, BountyParticipant, Reward, Submission
from bounties.querysets import BOUNTY_ROW_COLUMNS


def format_datetime(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a `Z` suffix, as DRF renders datetimes."""
    if value is None:
        return None
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def bounty_representation(bounty: Bounty) -> dict[str, Any]:
    """The contract's Bounty from a model instance (creator joined in): the same columns, in the same
    order, as the list path's tuples, so both paths share one rendering."""
    creator = bounty.created_by
    row = tuple(
        getattr(creator, column.split("__", 1)[1]) if column.startswith("created_by__") else getattr(bounty, column)
        for column in BOUNTY_ROW_COLUMNS
    )
    return bounty_row_representation(row)


def bounty_row_representation(row: tuple) -> dict[str, Any]:
    """`bounty_representation` from a `BountyQuerySet.as_rows()` tuple: the list path, no model built."""
    (
        bounty_id,
        title,
        description,
        reward_amount,
        reward_token,
        status,
        difficulty,
        category,
        creator_id,
        creator_username,
        creator_wallet,
        deadline,
        max_participants,
        participant_count,
        submission_count,
        requirements,
        created_at,
        updated_at,
    ) = row
    return {
        "id": str(bounty_id),
        "title": title,
        "description": description,
        "reward_amount": format_amount(reward_amount),
        "reward_token": reward_token,
        "status": status,
        "difficulty": difficulty,
        "category": category,
        "created_by": creator_id,
        "creator": {"id": creator_id, "username": creator_username, "wallet_address": creator_wallet},
        "deadline": format_datetime(deadline),
        "max_participants": max_participants,
        "participant_count": participant_count,
        "submission_count": submission_count,
        "requirements": requirements,
        "created_at": format_datetime(created_at),
        "updated_at": format_datetime(updated_at),
    }


def participant_representation(participant: BountyParticipant) -> dict[str, Any]:
    return {
        "id": str(participant.id),
        "bounty_id": str(participant.bounty_id),
        "user_id": participant.user_id,
        "status": participant.status,
        "joined_at": format_datetime(participant.joined_at),
    }


def submission_representation(submission: Submission) -> dict[str, Any]:
    return {
        "id": str(submission.id),
        "bounty_id": str(submission.bounty_id),
        "user_id": submission.user_id,
        "content": submission.content,
        "status": submission.status,
        "feedback": submission.feedback,
        "submitted_at": format_datetime(submission.submitted_at),
        "reviewed_at": format_datetime(submission.reviewed_at),
    }


def reward_representation(reward: Reward) -> dict[str, Any]:
    return {
        "id": str(reward.id),
        "bounty_id": str(reward.bounty_id),
        "user_id": reward.user_id,
        "amount": format_amount(reward.amount),
        "token": reward.token,
        "recipient_address": reward.recipient_address,
        "transaction_hash": reward.transaction_hash,
        "status": reward.status,
        "created_at": format_datetime(reward.created_at),
        "paid_at": format_datetime(reward.paid_at),
    }
