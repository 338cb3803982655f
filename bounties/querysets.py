"""Query shapes of the bounties models, named for their use; `bounties.selectors` composes them."""

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from bounties.models import Bounty

# The columns the public Bounty representation reads, as flat tuples for the hot listing path (no
# model instances are built); `bounties.representations.bounty_row_representation` unpacks them in
# this order. Nothing else is loaded for a bounty shown by the API.
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

# The same columns for `.only()` on model instances: the relation instead of its id column.
BOUNTY_LISTING_FIELDS = tuple("created_by" if column == "created_by_id" else column for column in BOUNTY_ROW_COLUMNS)


class BountyQuerySet(models.QuerySet["Bounty"]):
    def for_listing(self) -> "BountyQuerySet":
        """Bounties with their creator joined in, loading only the columns the API shows."""
        return self.select_related("created_by").only(*BOUNTY_LISTING_FIELDS)

    def as_rows(self) -> "models.QuerySet[Bounty, tuple[Any, ...]]":
        """The listing columns as tuples (creator joined in), for `bounty_row_representation`."""
        return self.values_list(*BOUNTY_ROW_COLUMNS)
