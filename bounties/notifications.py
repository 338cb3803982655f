"""What each bounty and reward event tells whom, for the in-app inbox (accounts.services.notifications).

Called by the services inside the transaction of the change, after it was written, so a rolled-back
change leaves no notification. The actor is never told about their own action: an admin who moderates
a bounty they take part in, or who reviews their own submission, gets nothing for it. Each payload is
what the app shows without another request: the bounty's title and the ids and values of the event.
"""

import uuid
from typing import NotRequired, TypedDict

from accounts.models import Notification, User
from accounts.services.notifications import notification_create, notification_create_many
from blocra.amounts import format_amount
from bounties.models import Bounty, BountyParticipant, Reward, Submission

Kind = Notification.Kind


class Payload(TypedDict):
    bounty_title: str
    submission_id: NotRequired[str]
    status: NotRequired[str]
    reward_id: NotRequired[str]
    amount: NotRequired[str]
    token: NotRequired[str]
    transaction_hash: NotRequired[str]


def notify_participant_joined(*, bounty: Bounty, participant: User) -> None:
    """To the owner: a hunter joined (`bounty` needs its title and creator id)."""
    notification_create(
        recipient_id=bounty.created_by_id,
        kind=Kind.PARTICIPANT_JOINED,
        actor=participant,
        bounty_id=bounty.pk,
        payload=dict(Payload(bounty_title=bounty.title)),
    )


def notify_submission_received(*, bounty: Bounty, submission: Submission, submitter: User) -> None:
    """To the owner: work was submitted (a replaced pending submission counts as a new one)."""
    notification_create(
        recipient_id=bounty.created_by_id,
        kind=Kind.SUBMISSION_RECEIVED,
        actor=submitter,
        bounty_id=bounty.pk,
        payload=dict(Payload(bounty_title=bounty.title, submission_id=str(submission.pk))),
    )


def notify_submission_reviewed(*, bounty: Bounty, submission: Submission, actor: User) -> None:
    """To the submitter: their submission was approved or rejected."""
    notification_create(
        recipient_id=submission.user_id,
        kind=Kind.SUBMISSION_REVIEWED,
        actor=actor,
        bounty_id=bounty.pk,
        payload=dict(Payload(bounty_title=bounty.title, submission_id=str(submission.pk), status=submission.status)),
    )


def _reward_payload(*, bounty: Bounty, reward: Reward) -> Payload:
    return Payload(
        bounty_title=bounty.title,
        reward_id=str(reward.pk),
        amount=format_amount(reward.amount) or "0",
        token=reward.token,
    )


def notify_winner_chosen(*, bounty: Bounty, reward: Reward, actor: User) -> None:
    """To the winner: they won, and their reward was created (one notification for both)."""
    payload = _reward_payload(bounty=bounty, reward=reward)
    if reward.submission_id is not None:
        payload["submission_id"] = str(reward.submission_id)
    notification_create(
        recipient_id=reward.user_id, kind=Kind.WINNER_CHOSEN, actor=actor, bounty_id=bounty.pk, payload=dict(payload)
    )


def notify_payout_verified(*, bounty: Bounty, reward: Reward, actor: User | None) -> None:
    """To the winner and the owner (one INSERT): the reward's payout was proven on chain and it is paid."""
    payload = _reward_payload(bounty=bounty, reward=reward)
    if reward.transaction_hash is not None:
        payload["transaction_hash"] = reward.transaction_hash
    notification_create_many(
        recipient_ids=[reward.user_id, bounty.created_by_id],
        kind=Kind.PAYOUT_VERIFIED,
        actor=actor,
        bounty_id=bounty.pk,
        payload=dict(payload),
    )


_ENDED: dict[str, str] = {
    Bounty.Status.CANCELLED: Kind.BOUNTY_CANCELLED,
    Bounty.Status.EXPIRED: Kind.BOUNTY_EXPIRED,
}


def notify_bounty_ended(*, bounty: Bounty, actor: User | None) -> None:
    """To the bounty's active participants, when it was cancelled or expired (its new status): their ids
    in one query, then one INSERT for all of them. Other statuses tell nobody."""
    kind = _ENDED.get(bounty.status)
    if kind is None:
        return
    notification_create_many(
        recipient_ids=_active_participant_ids(bounty.pk),
        kind=kind,
        actor=actor,
        bounty_id=bounty.pk,
        payload=dict(Payload(bounty_title=bounty.title, status=bounty.status)),
    )


def _active_participant_ids(bounty_id: uuid.UUID) -> list[int]:
    return list(
        BountyParticipant.objects.filter(bounty_id=bounty_id, status=BountyParticipant.Status.ACTIVE)
        .order_by("joined_at", "id")
        .values_list("user_id", flat=True)
    )
