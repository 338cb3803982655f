"""Row locks of the bounties app, the only place that takes them.

Every transaction that locks several rows takes them in this order, so two transactions never wait on
each other in a cycle: the bounty, then its participants, then its submissions, then the reward. (The
conditional UPDATEs of participation take the bounty row first for the same reason.) On SQLite a write
transaction is BEGIN IMMEDIATE and excludes every other writer, so these matter on PostgreSQL/MySQL.

On MariaDB, which cannot lock only some tables of a join, `bounty_lock` also locks the creator's user
row in the same statement: no transaction locks a user and then a bounty, so no cycle can form.
"""

import uuid
from collections.abc import Sequence

from django.db.models import QuerySet

from accounts.models import User
from blocra.locking import only_own_rows
from bounties.errors import BountyNotFound
from bounties.models import Bounty, Reward, Submission


def bounty_lock(bounty_id: uuid.UUID) -> Bounty:
    """The bounty with its creator, locked: reviews, winner choice, edits and deletion of one bounty
    run one at a time, so each sees the status the other left. Raises BountyNotFound."""
    try:
        return Bounty.objects.select_for_update(of=only_own_rows()).select_related("created_by").get(pk=bounty_id)
    except Bounty.DoesNotExist:
        raise BountyNotFound() from None


def bounty_lock_for_submission(bounty_id: uuid.UUID) -> Bounty:
    """The bounty's status and deadline (and its title and creator, for the owner's notification), locked:
    a submission cannot land while a review or a status change of the same bounty is being written.
    Raises BountyNotFound."""
    try:
        return (
            Bounty.objects.select_for_update()
            .only("id", "title", "created_by_id", "status", "deadline")
            .get(pk=bounty_id)
        )
    except Bounty.DoesNotExist:
        raise BountyNotFound() from None


def submissions_lock(
    *, bounty: Bounty, ids: Sequence[uuid.UUID] = (), user_id: int | None = None
) -> QuerySet[Submission]:
    """Submissions of a locked bounty (by id, or of one user), locked while the winner is chosen, so a
    concurrent review cannot change the one that wins. Evaluate the queryset to take the locks."""
    submissions = Submission.objects.select_for_update().filter(bounty=bounty)
    if ids:
        submissions = submissions.filter(pk__in=ids)
    if user_id is not None:
        submissions = submissions.filter(user_id=user_id)
    return submissions


def reward_lock(reward_id: uuid.UUID) -> Reward:
    """The reward, locked while a payout verdict is written: of two concurrent checks of one payout,
    the second sees what the first wrote."""
    return Reward.objects.select_for_update().get(pk=reward_id)


def rewards_waiting_for_wallet_lock(*, user: User) -> list[uuid.UUID]:
    """Ids of the user's pending rewards without a recipient, locked while the newly linked wallet is
    written to them, so a payout cannot start on a reward in between."""
    return list(
        Reward.objects.select_for_update()
        .filter(user=user, status=Reward.Status.PENDING, recipient_address__isnull=True)
        .values_list("id", flat=True)
    )


def rewards_addressed_lock(*, user: User) -> list[tuple[uuid.UUID, str | None]]:
    """(id, recipient) of the user's pending rewards that have a recipient, locked while it is taken
    off, so a payout cannot start on one in between."""
    return list(
        Reward.objects.select_for_update()
        .filter(user=user, status=Reward.Status.PENDING, recipient_address__isnull=False)
        .values_list("id", "recipient_address")
    )
