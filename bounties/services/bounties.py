"""Writes of a bounty itself: create, update (fields and status), cancel, delete, expire."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.models import User
from accounts.services import activity_record
from bounties.errors import BountyNotFound, DeleteBlocked, ImmutableAfterJoin, MaxBelowParticipants
from bounties.models import Bounty, BountyParticipant, Reward, Submission
from bounties.permissions import ensure_can_manage_bounty
from bounties.services.lifecycle import bounty_transition, bounty_transition_or_fail
from bounties.tokens import decimal_places, token_decimals

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
    """Raises a 400 field error when `amount` has more decimals than `token` supports."""
    decimals = token_decimals(token)
    if decimal_places(amount) > decimals:
        raise ValidationError({"reward_amount": [f"{token} amounts have at most {decimals} decimal places."]})


def lock_bounty(bounty_id: uuid.UUID) -> Bounty:
    """The bounty row, locked for this transaction (PostgreSQL; SQLite's BEGIN IMMEDIATE already is)."""
    try:
        return Bounty.objects.select_for_update(of=("self",)).select_related("created_by").get(pk=bounty_id)
    except Bounty.DoesNotExist:
        raise BountyNotFound() from None


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
    request: HttpRequest | None = None,
) -> Bounty:
    """Create an open bounty owned by `creator`. Raises ValidationError when the amount exceeds the
    token's decimals."""
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
            request=request,
            target_type="bounty",
            target_id=bounty.pk,
            metadata={"status": bounty.status},
        )
    return bounty


def bounty_update(
    *, bounty_id: uuid.UUID, actor: User, data: dict[str, Any], request: HttpRequest | None = None
) -> Bounty:
    """Apply field changes and an optional `status` change, all or nothing.

    Raises BountyNotFound, NotOwner, ImmutableAfterJoin (reward, token or deadline after a join),
    MaxBelowParticipants, InvalidTransition, ValidationError (amount decimals).
    """
    with transaction.atomic():
        bounty = lock_bounty(bounty_id)
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
                request=request,
                target_type="bounty",
                target_id=bounty.pk,
                metadata={"fields": sorted(changes)},
            )
        new_status = data.get("status")
        if new_status is not None and new_status != bounty.status:
            bounty_transition_or_fail(bounty=bounty, to_status=new_status, actor=actor, request=request)
    return bounty


def bounty_cancel(*, bounty_id: uuid.UUID, actor: User, request: HttpRequest | None = None) -> Bounty:
    """Cancel an open or in-review bounty. Raises BountyNotFound, NotOwner, InvalidTransition."""
    return bounty_update(bounty_id=bounty_id, actor=actor, data={"status": Bounty.Status.CANCELLED}, request=request)


def bounty_delete(*, bounty_id: uuid.UUID, actor: User, request: HttpRequest | None = None) -> None:
    """Delete a bounty with its participants and submissions.

    Raises BountyNotFound, NotOwner, DeleteBlocked once a submission was approved or a reward exists.
    """
    with transaction.atomic():
        bounty = lock_bounty(bounty_id)
        ensure_can_manage_bounty(user=actor, bounty=bounty)
        approved = Submission.objects.filter(bounty=bounty, status=Submission.Status.APPROVED).exists()
        if approved or Reward.objects.filter(bounty=bounty).exists():
            raise DeleteBlocked()
        activity_record(
            action="bounty.deleted",
            actor=actor,
            request=request,
            target_type="bounty",
            target_id=bounty.pk,
            metadata={"title": bounty.title, "status": bounty.status},
        )
        bounty.delete()


def bounty_expire_due(*, now: datetime | None = None, dry_run: bool = False) -> list[uuid.UUID]:
    """Expire open bounties whose deadline has passed; returns their ids. Idempotent: a bounty already
    expired (or changed meanwhile) is skipped. With `dry_run` nothing is written."""
    now = now or timezone.now()
    due = list(
        Bounty.objects.filter(status=Bounty.Status.OPEN, deadline__lte=now)
        .order_by("deadline", "id")
        .only("id", "status")
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
