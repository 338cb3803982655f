"""Writes of hunters: joining and leaving a bounty, submitting work.

Rows are locked in the app's one order (bounties/locks.py): the bounty row first (the conditional
counter UPDATEs take it too), then participants, then submissions, then the reward.
"""

import uuid
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import User
from accounts.services import activity_record
from blocra.errors import ApiError
from bounties.errors import (
    AlreadyJoined,
    BountyFull,
    BountyNotFound,
    BountyNotOpen,
    CreatorCannotJoin,
    DeadlinePassed,
    HasApprovedSubmission,
    NotParticipant,
)
from bounties.locks import bounty_lock_for_submission
from bounties.models import Bounty, BountyParticipant, Submission
from bounties.notifications import notify_participant_joined, notify_submission_received

Status = Bounty.Status
Active = BountyParticipant.Status.ACTIVE
Withdrawn = BountyParticipant.Status.WITHDRAWN


def _bounty_for_participation(bounty_id: uuid.UUID) -> Bounty:
    try:
        return Bounty.objects.only("id", "title", "created_by_id", "status", "deadline").get(pk=bounty_id)
    except Bounty.DoesNotExist:
        raise BountyNotFound() from None


def _join_refusal(bounty_id: uuid.UUID, now: datetime) -> ApiError:
    """Why the conditional increment matched no row: gone, not open, past the deadline, or full."""
    bounty = Bounty.objects.only("status", "deadline").filter(pk=bounty_id).first()
    if bounty is None:  # deleted since it was read
        return BountyNotFound()
    if bounty.status != Status.OPEN:
        return BountyNotOpen()
    if bounty.deadline is not None and bounty.deadline <= now:
        return DeadlinePassed()
    return BountyFull()


def participant_join(*, bounty_id: uuid.UUID, user: User) -> BountyParticipant:
    """Take a place in an open bounty before its deadline; a withdrawn participant is reactivated.

    The place is claimed by one conditional UPDATE of the maintained counter, so `max_participants`
    holds under any concurrency (and the table's check constraint backs it up); the unique
    (bounty, user) constraint catches a concurrent duplicate join.
    Raises BountyNotFound, CreatorCannotJoin, AlreadyJoined, BountyNotOpen, DeadlinePassed, BountyFull.
    """
    bounty = _bounty_for_participation(bounty_id)
    if bounty.created_by_id == user.pk:
        raise CreatorCannotJoin()
    with transaction.atomic():
        existing = BountyParticipant.objects.filter(bounty_id=bounty_id, user=user).first()
        if existing is not None and existing.status == Active:
            raise AlreadyJoined()
        now = timezone.now()
        claimed = (
            Bounty.objects.filter(pk=bounty_id, status=Status.OPEN)
            .filter(Q(max_participants__isnull=True) | Q(participant_count__lt=F("max_participants")))
            .filter(Q(deadline__isnull=True) | Q(deadline__gt=now))
            .update(participant_count=F("participant_count") + 1)
        )
        if not claimed:
            raise _join_refusal(bounty_id, now)
        if existing is not None:
            if not BountyParticipant.objects.filter(pk=existing.pk, status=Withdrawn).update(
                status=Active, joined_at=now, updated_at=now
            ):
                raise AlreadyJoined()
            existing.status, existing.joined_at, existing.updated_at = Active, now, now
            participant = existing
        else:
            try:
                with transaction.atomic():
                    participant = BountyParticipant.objects.create(bounty_id=bounty_id, user=user)
            except IntegrityError:
                raise AlreadyJoined() from None
        activity_record(action="bounty.joined", actor=user, target_type="bounty", target_id=bounty_id)
        notify_participant_joined(bounty=bounty, participant=user)
    return participant


def participant_leave(*, bounty_id: uuid.UUID, user: User) -> BountyParticipant:
    """Withdraw from a bounty, freeing the place. Raises BountyNotFound, NotParticipant, and
    HasApprovedSubmission once the participant's work was approved."""
    _bounty_for_participation(bounty_id)
    with transaction.atomic():
        # Decrementing first takes the bounty row lock before the participant's (the shared order).
        if not Bounty.objects.filter(pk=bounty_id, participant_count__gt=0).update(
            participant_count=F("participant_count") - 1
        ):
            raise NotParticipant()
        if Submission.objects.filter(bounty_id=bounty_id, user=user, status=Submission.Status.APPROVED).exists():
            raise HasApprovedSubmission()
        now = timezone.now()
        if not BountyParticipant.objects.filter(bounty_id=bounty_id, user=user, status=Active).update(
            status=Withdrawn, updated_at=now
        ):
            raise NotParticipant()
        participant = BountyParticipant.objects.get(bounty_id=bounty_id, user=user)
        activity_record(action="bounty.left", actor=user, target_type="bounty", target_id=bounty_id)
    return participant


def submission_create(*, bounty_id: uuid.UUID, user: User, content: str) -> Submission:
    """Submit work to an open bounty before its deadline; a pending submission of the same user is
    replaced (deleted, so a review of the old text cannot approve the new one).

    Raises BountyNotFound, NotParticipant, BountyNotOpen, DeadlinePassed.
    """
    with transaction.atomic():
        bounty = bounty_lock_for_submission(bounty_id)
        if not BountyParticipant.objects.filter(bounty=bounty, user=user, status=Active).exists():
            raise NotParticipant()
        if bounty.status != Status.OPEN:
            raise BountyNotOpen()
        now = timezone.now()
        if bounty.deadline is not None and bounty.deadline <= now:
            raise DeadlinePassed()
        replaced, _ = Submission.objects.filter(bounty=bounty, user=user, status=Submission.Status.PENDING).delete()
        submission = Submission.objects.create(bounty=bounty, user=user, content=content)
        if not replaced:
            Bounty.objects.filter(pk=bounty_id).update(submission_count=F("submission_count") + 1)
        activity_record(
            action="submission.created",
            actor=user,
            target_type="submission",
            target_id=submission.pk,
            metadata={"bounty_id": str(bounty_id), "replaced": bool(replaced)},
        )
        notify_submission_received(bounty=bounty, submission=submission, submitter=user)
    return submission
