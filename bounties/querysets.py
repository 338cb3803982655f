"""Query shapes of the bounties models, named for their use; `bounties.selectors` composes them."""

from django.db import models

# The columns the public Bounty representation reads: nothing else is loaded for a listing.
BOUNTY_LISTING_FIELDS = (
    "id",
    "title",
    "description",
    "reward_amount",
    "reward_token",
    "status",
    "difficulty",
    "category",
    "created_by",
    "created_by__id",
    "created_by__username",
    "created_by__wallet_address",
    "deadline",
    "max_participants",
    "participant_count",
    "submission_count",
    "requirements",
    "created_at",
    "updated_at",
)


# The same columns as flat tuples for the hot listing path: no model instances are built.
# `bounties.representations.bounty_row_representation` unpacks them in this order.
BOUNTY_ROW_COLUMNS = (
    "id",
    "title",
    "description",
    "reward_amount",
    "reward_token",
    "status",
    "difficulty",
    "category",
    "created_by_id",
    "created_by__username",
    "created_by__wallet_address",
    "deadline",
    "max_participants",
    "participant_count",
    "submission_count",
    "requirements",
    "created_at",
    "updated_at",
)


class BountyQuerySet(models.QuerySet):
    def for_listing(self) -> "BountyQuerySet":
        """Bounties with their creator joined in, loading only the columns the API shows."""
        return self.select_related("created_by").only(*BOUNTY_LISTING_FIELDS)

    def as_rows(self) -> "BountyQuerySet":
        """The listing columns as tuples (creator joined in), for `bounty_row_representation`."""
        return self.values_list(*BOUNTY_ROW_COLUMNS)
