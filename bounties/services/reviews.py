"""Writes of a bounty's owner: reviewing submissions and choosing the winner (which creates the reward)."""

import uuid

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import activity_record
from bounties.errors import (
    InvalidReviewOutcome,
    InvalidTransition,
    SubmissionNotFound,
    SubmissionNotPending,
    SubmissionOfAnotherUser,
    WinnerAlreadyChosen,
    WinnerNotNamed,
    WinnerWithoutSubmission,
)
from bounties.locks import bounty_lock, submissions_lock
from bounties.models import Bounty, Reward, Submission
from bounties.notifications import notify_submission_reviewed, notify_winner_chosen
from bounties.permissions import ensure_can_manage_bounty, moderation_metadata
from bounties.services.lifecycle import bounty_transition_or_fail

Status = Bounty.Status
REVIEW_OUTCOMES = (Submission.Status.APPROVED, Submission.Status.REJECTED)


def submission_review(
    *,
    bounty_id: uuid.UUID,
    submission_id: uuid.UUID,
    actor: User,
    status: str,
    feedback: str | None = None,
) -> Submission:
    """Approve or reject a pending submission. The UPDATE is conditional on `pending`, so of two
    concurrent reviews exactly one applies. Raises BountyNotFound, NotOwner, SubmissionNotFound,
    SubmissionNotPending."""
    if status not in REVIEW_OUTCOMES:
        raise InvalidReviewOutcome()
    with transaction.atomic():
        bounty = bounty_lock(bounty_id)
        ensure_can_manage_bounty(user=actor, bounty=bounty)
        now = timezone.now()
        applied = Submission.objects.filter(pk=submission_id, bounty=bounty, status=Submission.Status.PENDING).update(
            status=status, feedback=feedback, reviewed_by=actor, reviewed_at=now
        )
        try:
            submission = Submission.objects.get(pk=submission_id, bounty=bounty)
        except Submission.DoesNotExist:
            raise SubmissionNotFound() from None
        if not applied:
            raise SubmissionNotPending()
        activity_record(
            action="submission.reviewed",
            actor=actor,
            target_type="submission",
            target_id=submission.pk,
            metadata={"bounty_id": str(bounty.pk), "status": status, **moderation_metadata(actor=actor, bounty=bounty)},
        )
        notify_submission_reviewed(bounty=bounty, submission=submission, actor=actor)
    return submission


def _winning_submission(*, bounty: Bounty, winner_id: int | None, submission_id: uuid.UUID | None) -> Submission:
    """The submission that wins: the one named, or the winner's approved one, else their latest pending."""
    if submission_id is not None:
        submission = submissions_lock(bounty=bounty, ids=[submission_id]).first()
        if submission is None:
            raise SubmissionNotFound()
        if winner_id is not None and submission.user_id != winner_id:
            raise SubmissionOfAnotherUser(errors={"winnerId": [SubmissionOfAnotherUser.message]})
        return submission
    if winner_id is None:
        raise WinnerNotNamed()
    candidates = list(
        submissions_lock(bounty=bounty, user_id=winner_id)
        .filter(status__in=[Submission.Status.APPROVED, Submission.Status.PENDING])
        .order_by("-submitted_at")
    )
    approved = [s for s in candidates if s.status == Submission.Status.APPROVED]
    if approved:
        return approved[0]
    if candidates:
        return candidates[0]
    raise WinnerWithoutSubmission()


def bounty_select_winner(
    *,
    bounty_id: uuid.UUID,
    actor: User,
    winner_id: int | None = None,
    submission_id: uuid.UUID | None = None,
) -> tuple[Bounty, Reward]:
    """Choose the winner: approve their submission if pending, create the bounty's one pending Reward
    (amount and token of the bounty, recipient = the winner's linked wallet or null until they link
    one) and complete the bounty, in one transaction. Calling it again for the same winner returns the
    same reward. Raises BountyNotFound, NotOwner, SubmissionNotFound, WinnerWithoutSubmission,
    WinnerAlreadyChosen, InvalidTransition."""
    if winner_id is None and submission_id is None:
        raise WinnerNotNamed()
    with transaction.atomic():
        bounty = bounty_lock(bounty_id)
        ensure_can_manage_bounty(user=actor, bounty=bounty)
        submission = _winning_submission(bounty=bounty, winner_id=winner_id, submission_id=submission_id)
        existing = Reward.objects.filter(bounty=bounty).first()
        if existing is not None:
            if existing.user_id != submission.user_id:
                raise WinnerAlreadyChosen()
            return bounty, existing
        if submission.status == Submission.Status.REJECTED:
            raise WinnerWithoutSubmission("A rejected submission cannot win.")
        if bounty.status not in (Status.OPEN, Status.IN_REVIEW, Status.COMPLETED):
            raise InvalidTransition(f"A {bounty.status} bounty cannot get a winner.")
        now = timezone.now()
        approved_now = submission.status == Submission.Status.PENDING
        if approved_now:
            Submission.objects.filter(pk=submission.pk, status=Submission.Status.PENDING).update(
                status=Submission.Status.APPROVED, reviewed_by=actor, reviewed_at=now
            )
            submission.status, submission.reviewed_at = Submission.Status.APPROVED, now
        winner = get_user_model().objects.only("id", "wallet_address").get(pk=submission.user_id)
        reward = Reward.objects.create(
            bounty=bounty,
            user=winner,
            submission=submission,
            amount=bounty.reward_amount,
            token=bounty.reward_token,
            recipient_address=winner.wallet_address,
        )
        # The lifecycle has no shortcut: an open bounty passes through review to completion.
        if bounty.status == Status.OPEN:
            bounty_transition_or_fail(bounty=bounty, to_status=Status.IN_REVIEW, actor=actor)
        if bounty.status == Status.IN_REVIEW:
            bounty_transition_or_fail(bounty=bounty, to_status=Status.COMPLETED, actor=actor)
        activity_record(
            action="reward.created",
            actor=actor,
            target_type="reward",
            target_id=reward.pk,
            metadata={
                "bounty_id": str(bounty.pk),
                "winner_id": winner.pk,
                "submission_id": str(submission.pk),
                "recipient_address": reward.recipient_address,
                # The winner's pending submission was approved by choosing it (no submission.reviewed row).
                "submission_approved": approved_now,
                **moderation_metadata(actor=actor, bounty=bounty),
            },
        )
        notify_winner_chosen(bounty=bounty, reward=reward, actor=actor)
    return bounty, reward
