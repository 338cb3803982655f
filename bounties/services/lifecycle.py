"""The bounty lifecycle: the one table of allowed status changes, and the one function that applies them.

open -> in_review -> completed
open | in_review -> cancelled
open -> expired            (only the deadline does this: `bounty_expire_due`)
"""

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from accounts.services import activity_record
from blocra.realtime import bounty_group, client_event, publish_on_commit
from blocra.shapes import datetime_text
from bounties.errors import InvalidTransition
from bounties.models import Bounty
from bounties.notifications import notify_bounty_ended
from bounties.permissions import moderation_metadata

Status = Bounty.Status

ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.OPEN: frozenset({Status.IN_REVIEW, Status.CANCELLED, Status.EXPIRED}),
    Status.IN_REVIEW: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.EXPIRED: frozenset(),
}
# Statuses people cannot choose: the expiry job sets them when the deadline passes.
SYSTEM_ONLY_STATUSES = frozenset({Status.EXPIRED})


def transition_allowed(*, from_status: str, to_status: str, by_system: bool = False) -> bool:
    if to_status in SYSTEM_ONLY_STATUSES and not by_system:
        return False
    return to_status in ALLOWED_TRANSITIONS.get(from_status, frozenset())


def bounty_transition(
    *,
    bounty: Bounty,
    to_status: str,
    actor: User | None,
    by_system: bool = False,
    condition: Q | None = None,
) -> bool:
    """Move `bounty` from its current status to `to_status`, log it, and tell the participants of a
    cancelled or expired bounty (`bounty` needs its title); runs in the caller's transaction.

    The UPDATE is conditional on the status the caller read, so two concurrent changes cannot both
    apply. Raises InvalidTransition when the table forbids the change; returns False (nothing written)
    when the row no longer matches the status read or `condition`.
    """
    from_status = bounty.status
    if not transition_allowed(from_status=from_status, to_status=to_status, by_system=by_system):
        raise InvalidTransition(f"A bounty cannot go from {from_status} to {to_status}.")
    now = timezone.now()
    rows = Bounty.objects.filter(pk=bounty.pk, status=from_status)
    if condition is not None:
        rows = rows.filter(condition)
    if not rows.update(status=to_status, updated_at=now):
        return False
    bounty.status = to_status
    bounty.updated_at = now
    activity_record(
        action="bounty.status_changed",
        actor=actor,
        target_type="bounty",
        target_id=bounty.pk,
        metadata={"from": from_status, "to": to_status, **moderation_metadata(actor=actor, bounty=bounty)},
    )
    notify_bounty_ended(bounty=bounty, actor=actor)
    publish_on_commit(
        [
            client_event(
                bounty_group(bounty.pk),
                {
                    "type": "bounty.status",
                    "bounty_id": str(bounty.pk),
                    "status": to_status,
                    "previous_status": from_status,
                    "updated_at": datetime_text(now),
                },
            )
        ]
    )
    return True


def bounty_transition_or_fail(*, bounty: Bounty, to_status: str, actor: User | None) -> None:
    """`bounty_transition` for a locked bounty: a row that changed underneath is an invalid transition."""
    if not bounty_transition(bounty=bounty, to_status=to_status, actor=actor):
        raise InvalidTransition("The bounty's status changed meanwhile; reload and try again.")
