"""Query shapes of the bounties models, named for their use; `bounties.selectors` composes them."""

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from bounties.models import Bounty


class BountyQuerySet(models.QuerySet["Bounty"]):
    # The shape is imported when used: it is declared on the models this module serves.

    def for_listing(self) -> "BountyQuerySet":
        """Bounties with their creator joined in, loading only the columns the API shows."""
        from bounties.representations import BOUNTY

        return self.select_related("created_by").only(*BOUNTY.only_fields())

    def as_rows(self) -> "models.QuerySet[Bounty, tuple[Any, ...]]":
        """The API's Bounty columns as tuples (creator joined in), for `BOUNTY.from_row`."""
        from bounties.representations import BOUNTY

        return self.values_list(*BOUNTY.columns)
