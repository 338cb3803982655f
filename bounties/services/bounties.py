"""Writes of a bounty itself: create, update (fields and status), cancel, delete, expire."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import activity_record
from blocra.realtime import Close, bounty_group, final_event, publish_on_commit
from bounties.errors import AmountTooPrecise, DeleteBlocked, ImmutableAfterJoin, MaxBelowParticipants
from bounties.locks import bounty_lock
from bounties.models import Bounty, BountyParticipant, Reward, Submission
from bounties.permissions import ensure_can_manage_bounty, moderation_metadata
from bounties.services.lifecycle import bounty_transition, bounty_transition_or_fail
from bounties.tokens import amount_precision_problem

EDITABLE_FIELDS = (
    "title",
    "description",
    "reward_amount",
    "reward_token",
    "difficulty",
    "category",
    "deadline",
    "max_participants",
    "requirements",
)
# The terms hunters signed up for: frozen from the first join on.
IMMUTABLE_AFTER_JOIN = frozenset({"reward_amount", "reward_token", "deadline"})


def _check_amount_fits_token(*, amount: Decimal, token: str) -> None:
    """Raises AmountTooPrecise when `amount` has more decimals than `token` supports."""
    message = amount_precision_problem(amount=amount, token=token)
    if message is not None:
        raise AmountTooPrecise(message, errors={"reward_amount": [message]})


def bounty_create(
    *,
    creator: User,
    title: str,
    description: str,
    reward_amount: Decimal,
    reward_token: str,
    difficulty: str,
    category: str,
    deadline: datetime | None = None,
    max_participants: int | None = None,
    requirements: str | None = None,
) -> Bounty:
    """Create an open bounty owned by `creator`. Raises AmountTooPrecise when the amount has more
    decimals than the token."""
    _check_amount_fits_token(amount=reward_amount, token=reward_token)
    with transaction.atomic():
        bounty = Bounty.objects.create(
            title=title,
            description=description,
            reward_amount=reward_amount,
            reward_token=reward_token,
            difficulty=difficulty,
            category=category,
            created_by=creator,
            deadline=deadline,
            max_participants=max_participants,
            requirements=requirements,
        )
        activity_record(
            action="bounty.created",
            actor=creator,
            target_type="bounty",
            target_id=bounty.pk,
            metadata={"status": bounty.status},
        )
    return bounty


def bounty_update(*, bounty_id: uuid.UUID, actor: User, data: dict[str, Any]) -> Bounty:
    """Apply field changes and an optional `status` change, all or nothing.

    Raises BountyNotFound, NotOwner, ImmutableAfterJoin (reward, token or deadline after a join),
    MaxBelowParticipants, InvalidTransition, AmountTooPrecise.
    """
    with transaction.atomic():
        bounty = bounty_lock(bounty_id)
        ensure_can_manage_bounty(user=actor, bounty=bounty)
        changes = {
            field: value
            for field, value in data.items()
            if field in EDITABLE_FIELDS and getattr(bounty, field) != value
        }
        if IMMUTABLE_AFTER_JOIN & changes.keys() and BountyParticipant.objects.filter(bounty=bounty).exists():
            raise ImmutableAfterJoin()
        new_max = changes.get("max_participants")
        if new_max is not None and new_max < bounty.participant_count:
            raise MaxBelowParticipants()
        if changes.keys() & {"reward_amount", "reward_token"}:
            _check_amount_fits_token(
                amount=changes.get("reward_amount", bounty.reward_amount),
                token=changes.get("reward_token", bounty.reward_token),
            )
        if changes:
            for field, value in changes.items():
                setattr(bounty, field, value)
            bounty.save(update_fields=[*changes, "updated_at"])
            activity_record(
                action="bounty.updated",
                actor=actor,
                target_type="bounty",
                target_id=bounty.pk,
                metadata={"fields": sorted(changes), **moderation_metadata(actor=actor, bounty=bounty)},
            )
        new_status = data.get("status")
        if new_status is not None and new_status != bounty.status:
            bounty_transition_or_fail(bounty=bounty, to_status=new_status, actor=actor)
    return bounty


def bounty_cancel(*, bounty_id: uuid.UUID, actor: User) -> Bounty:
    """Cancel an open or in-review bounty. Raises BountyNotFound, NotOwner, InvalidTransition."""
    return bounty_update(bounty_id=bounty_id, actor=actor, data={"status": Bounty.Status.CANCELLED})


def bounty_delete(*, bounty_id: uuid.UUID, actor: User) -> None:
    """Delete a bounty with its participants and submissions.

    Raises BountyNotFound, NotOwner, DeleteBlocked once a submission was approved or a reward exists.
    """
    with transaction.atomic():
        bounty = bounty_lock(bounty_id)
        ensure_can_manage_bounty(user=actor, bounty=bounty)
        approved = Submission.objects.filter(bounty=bounty, status=Submission.Status.APPROVED).exists()
        if approved or Reward.objects.filter(bounty=bounty).exists():
            raise DeleteBlocked()
        activity_record(
            action="bounty.deleted",
            actor=actor,
            target_type="bounty",
            target_id=bounty.pk,
            metadata={
                "title": bounty.title,
                "status": bounty.status,
                **moderation_metadata(actor=actor, bounty=bounty),
            },
        )
        bounty.delete()
        # Its watchers are told, then their sockets close (4404).
        publish_on_commit(
            [
                final_event(
                    bounty_group(bounty_id),
                    {"type": "bounty.deleted", "bounty_id": str(bounty_id)},
                    code=Close.NOT_FOUND,
                )
            ]
        )


def bounty_expire_due(*, now: datetime | None = None, dry_run: bool = False) -> list[uuid.UUID]:
    """Expire open bounties whose deadline has passed; returns their ids. Idempotent: a bounty already
    expired (or changed meanwhile) is skipped. With `dry_run` nothing is written."""
    now = now or timezone.now()
    due = list(
        Bounty.objects.filter(status=Bounty.Status.OPEN, deadline__lte=now)
        .order_by("deadline", "id")
        .only("id", "title", "status")
    )
    if dry_run:
        return [bounty.pk for bounty in due]
    expired: list[uuid.UUID] = []
    for bounty in due:
        with transaction.atomic():
            # Conditional on the deadline too: an owner may have moved it meanwhile (before any join).
            if bounty_transition(
                bounty=bounty,
                to_status=Bounty.Status.EXPIRED,
                actor=None,
                by_system=True,
                condition=Q(deadline__lte=now),
            ):
                expired.append(bounty.pk)
    return expired
