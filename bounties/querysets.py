"""Query shapes of the bounties models, named for their use; `bounties.selectors` composes them."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from bounties.models import Bounty


def _reads_changed(using: str) -> None:
    from bounties.caching import bounty_reads_changed

    bounty_reads_changed(using=using)


class BountyQuerySet(models.QuerySet["Bounty"]):
    # Bulk writes send no signals: they retire the cached list and detail answers themselves (saves
    # and deletes do it through bounties.receivers; `bulk_update` runs `update`).

    def update(self, **kwargs: Any) -> int:
        rows = super().update(**kwargs)
        if rows:
            _reads_changed(self.db)
        return rows

    update.alters_data = True  # type: ignore[attr-defined]

    def bulk_create(self, objs: Iterable["Bounty"], *args: Any, **kwargs: Any) -> list["Bounty"]:
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            _reads_changed(self.db)
        return created

    bulk_create.alters_data = True  # type: ignore[attr-defined]

    # The shape is imported when used: it is declared on the models this module serves.

    def for_listing(self) -> "BountyQuerySet":
        """Bounties with their creator joined in, loading only the columns the API shows."""
        from bounties.representations import BOUNTY

        return self.select_related("created_by").only(*BOUNTY.only_fields())

    def as_rows(self) -> "models.QuerySet[Bounty, tuple[Any, ...]]":
        """The API's Bounty columns as tuples (creator joined in), for `BOUNTY.from_row`."""
        from bounties.representations import BOUNTY

        return self.values_list(*BOUNTY.columns)
