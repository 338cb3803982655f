"""Reads of the bounties app: query shapes and who may see what.

Visibility lives here, not only in views: submissions are scoped to their owner, admins and the
submitter; rewards to the winner, the bounty's creator and admins (others get a 404).
"""

import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any, TypedDict

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import User
from blocra.amounts import amounts_total, format_amount
from bounties.errors import BountyNotFound, RewardNotFound, SubmissionsForbidden
from bounties.filters import BountyFilters, bounty_filters_apply
from bounties.models import Bounty, BountyParticipant, Reward, Submission
from bounties.permissions import ensure_can_manage_bounty, user_can_manage_bounty

BOUNTY_ANALYTICS_CACHE_KEY = "bounties:analytics"
BOUNTY_ANALYTICS_TTL_SECONDS = 30


class ActivityCounts(TypedDict):
    bounties: int
    submissions: int


class BountyAnalytics(TypedDict):
    total_bounties: int
    active_bounties: int


STATS_CACHE_KEY = "bounties:stats:v1"
STATS_CACHE_SECONDS = 30
TOP_HUNTERS = 10


def bounty_get(*, bounty_id: uuid.UUID) -> Bounty:
    """One bounty with its creator. Raises BountyNotFound."""
    try:
        return Bounty.objects.for_listing().get(pk=bounty_id)
    except Bounty.DoesNotExist:
        raise BountyNotFound() from None


def bounty_list(*, filters: BountyFilters) -> QuerySet[Bounty, tuple[Any, ...]]:
    """Public listing as `as_rows()` tuples: every bounty is public; filters and search narrow it."""
    return bounty_filters_apply(Bounty.objects.all(), filters).as_rows()


def bounty_list_mine(*, user: User, role: str | None) -> QuerySet:
    """Bounties (as `as_rows()` tuples) the user created (`creator`), takes part in actively
    (`participant`), or either (None)."""
    joined = BountyParticipant.objects.filter(user=user, status=BountyParticipant.Status.ACTIVE).values("bounty_id")
    if role == "creator":
        condition = Q(created_by=user)
    elif role == "participant":
        condition = Q(id__in=joined)
    else:
        condition = Q(created_by=user) | Q(id__in=joined)
    return Bounty.objects.filter(condition).order_by("-created_at", "-id").as_rows()


def participant_list(*, bounty_id: uuid.UUID) -> QuerySet[BountyParticipant]:
    """A bounty's participants, active and withdrawn, in joining order. Raises BountyNotFound."""
    if not Bounty.objects.filter(pk=bounty_id).exists():
        raise BountyNotFound()
    return BountyParticipant.objects.filter(bounty_id=bounty_id).order_by("joined_at", "id")


def submission_list_visible(*, bounty_id: uuid.UUID, user: User) -> QuerySet[Submission]:
    """All submissions for the bounty's owner and admins; a participant's or submitter's own otherwise.

    Raises BountyNotFound, SubmissionsForbidden for anyone else.
    """
    try:
        bounty = Bounty.objects.only("id", "created_by_id").get(pk=bounty_id)
    except Bounty.DoesNotExist:
        raise BountyNotFound() from None
    submissions = Submission.objects.filter(bounty=bounty).order_by("-submitted_at", "-id")
    if user_can_manage_bounty(user=user, bounty=bounty):
        return submissions
    involved = (
        BountyParticipant.objects.filter(bounty=bounty, user=user).exists()
        or Submission.objects.filter(bounty=bounty, user=user).exists()
    )
    if not involved:
        raise SubmissionsForbidden()
    return submissions.filter(user=user)


def reward_list_for(*, user: User, role: str | None) -> QuerySet[Reward]:
    """Rewards the user won (`winner`), owes as a bounty creator (`creator`), or either (None)."""
    if role == "winner":
        condition = Q(user=user)
    elif role == "creator":
        condition = Q(bounty__created_by=user)
    else:
        condition = Q(user=user) | Q(bounty__created_by=user)
    return Reward.objects.filter(condition).order_by("-created_at", "-id")


def reward_get_visible(*, reward_id: uuid.UUID, user: User) -> Reward:
    """A reward the user may see: the winner's, the bounty creator's, any for an admin.

    Raises RewardNotFound (404, also when it exists but is not the user's to see).
    """
    rewards = Reward.objects.all()
    if not user.is_admin:
        rewards = rewards.filter(Q(user=user) | Q(bounty__created_by=user))
    try:
        return rewards.get(pk=reward_id)
    except Reward.DoesNotExist:
        raise RewardNotFound() from None


def reward_get_manageable(*, reward_id: uuid.UUID, user: User) -> Reward:
    """A reward whose payout the user may record: the bounty creator's or, for an admin, any. One query.

    Raises RewardNotFound (404) when the user may not see it, NotOwner (403) when they may see it but
    not manage it (the winner), as GET /rewards/{id} decides who sees what.
    """
    rewards = Reward.objects.select_related("bounty")
    if not user.is_admin:
        rewards = rewards.filter(Q(user=user) | Q(bounty__created_by=user))
    try:
        reward = rewards.get(pk=reward_id)
    except Reward.DoesNotExist:
        raise RewardNotFound() from None
    ensure_can_manage_bounty(user=user, bounty=reward.bounty)
    return reward


def bounty_stats() -> dict[str, Any]:
    """Platform totals, cached for STATS_CACHE_SECONDS: three queries on a miss, none on a hit."""
    stats = cache.get(STATS_CACHE_KEY)
    if stats is None:
        stats = _compute_stats()
        cache.set(STATS_CACHE_KEY, stats, STATS_CACHE_SECONDS)
    return stats


def _compute_stats() -> dict[str, Any]:
    by_status = {status: 0 for status in Bounty.Status.values}
    total_participants = total_submissions = 0
    # 1: per-status counts and sums of the maintained counters (integers: safe to sum in SQL).
    for row in (
        Bounty.objects.order_by()
        .values("status")
        .annotate(bounties=Count("id"), joined=Sum("participant_count"), submitted=Sum("submission_count"))
    ):
        by_status[row["status"]] = row["bounties"]
        total_participants += row["joined"] or 0
        total_submissions += row["submitted"] or 0
    # 2: paid amounts, summed per token in Python: SQL sums of amounts are not exact on SQLite.
    paid_amounts: dict[str, list[Decimal]] = defaultdict(list)
    for token, amount in Reward.objects.filter(status=Reward.Status.PAID).values_list("token", "amount").iterator():
        paid_amounts[token].append(amount)
    paid = {token: amounts_total(amounts) for token, amounts in paid_amounts.items()}
    # 3: users with the most rewards.
    hunters = (
        Reward.objects.order_by()
        .values("user_id", "user__username")
        .annotate(rewards_won=Count("id"))
        .order_by("-rewards_won", "user_id")[:TOP_HUNTERS]
    )
    return {
        "total_bounties": sum(by_status.values()),
        "by_status": by_status,
        "total_participants": total_participants,
        "total_submissions": total_submissions,
        "rewards_paid": {token: format_amount(total) for token, total in sorted(paid.items())},
        "top_hunters": [
            {"user_id": row["user_id"], "username": row["user__username"], "rewards_won": row["rewards_won"]}
            for row in hunters
        ],
    }


def user_activity_counts(*, user: User) -> ActivityCounts:
    """How many bounties the caller created and how many submissions they sent."""
    return {
        "bounties": Bounty.objects.filter(created_by=user).count(),
        "submissions": Submission.objects.filter(user=user).count(),
    }


def bounty_analytics() -> BountyAnalytics:
    """Total and open bounties, from one aggregate query cached for BOUNTY_ANALYTICS_TTL_SECONDS."""
    cached = cache.get(BOUNTY_ANALYTICS_CACHE_KEY)
    if cached is not None:
        return cached
    totals = Bounty.objects.aggregate(
        total_bounties=Count("id"), active_bounties=Count("id", filter=Q(status=Bounty.Status.OPEN))
    )
    analytics: BountyAnalytics = {
        "total_bounties": totals["total_bounties"],
        "active_bounties": totals["active_bounties"],
    }
    cache.set(BOUNTY_ANALYTICS_CACHE_KEY, analytics, BOUNTY_ANALYTICS_TTL_SECONDS)
    return analytics
