"""Services and the lifecycle table, below the HTTP layer; the expire_bounties command."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import ActivityLog
from bounties.errors import InvalidTransition
from bounties.models import Bounty
from bounties.services import ALLOWED_TRANSITIONS, bounty_expire_due, bounty_transition, transition_allowed
from tests.factories import BountyFactory

pytestmark = pytest.mark.django_db

Status = Bounty.Status


def test_lifecycle_table_is_the_documented_one():
    allowed = {(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets}
    assert allowed == {
        ("open", "in_review"),
        ("open", "cancelled"),
        ("open", "expired"),
        ("in_review", "completed"),
        ("in_review", "cancelled"),
    }
    assert set(ALLOWED_TRANSITIONS) == set(Status.values)


@pytest.mark.parametrize("from_status", Status.values)
@pytest.mark.parametrize("to_status", Status.values)
def test_bounty_transition_follows_the_table(from_status, to_status):
    bounty = BountyFactory(status=from_status)
    allowed = transition_allowed(from_status=from_status, to_status=to_status)
    if allowed:
        assert bounty_transition(bounty=bounty, to_status=to_status, actor=None) is True
        bounty.refresh_from_db()
        assert bounty.status == to_status
        assert ActivityLog.objects.filter(action="bounty.status_changed", target_id=str(bounty.pk)).count() == 1
    else:
        with pytest.raises(InvalidTransition):
            bounty_transition(bounty=bounty, to_status=to_status, actor=None)
        bounty.refresh_from_db()
        assert bounty.status == from_status
    # expiry is the deadline's alone
    assert not transition_allowed(from_status="open", to_status="expired")
    assert transition_allowed(from_status="open", to_status="expired", by_system=True)


def test_bounty_transition_from_a_stale_status_writes_nothing():
    bounty = BountyFactory()
    stale = Bounty.objects.get(pk=bounty.pk)
    Bounty.objects.filter(pk=bounty.pk).update(status=Status.CANCELLED)
    assert bounty_transition(bounty=stale, to_status=Status.IN_REVIEW, actor=None) is False
    bounty.refresh_from_db()
    assert bounty.status == Status.CANCELLED
    assert not ActivityLog.objects.exists()


@pytest.fixture
def deadlines():
    now = timezone.now()
    return {
        "due": BountyFactory(deadline=now - timedelta(hours=1)),
        "future": BountyFactory(deadline=now + timedelta(hours=1)),
        "no_deadline": BountyFactory(deadline=None),
        "in_review_due": BountyFactory(deadline=now - timedelta(hours=1), status=Status.IN_REVIEW),
        "cancelled_due": BountyFactory(deadline=now - timedelta(hours=1), status=Status.CANCELLED),
    }


def statuses(bounties):
    return {name: Bounty.objects.get(pk=b.pk).status for name, b in bounties.items()}


def test_expire_due_expires_only_open_bounties_past_deadline(deadlines):
    assert bounty_expire_due() == [deadlines["due"].pk]
    assert statuses(deadlines) == {
        "due": "expired",
        "future": "open",
        "no_deadline": "open",
        "in_review_due": "in_review",
        "cancelled_due": "cancelled",
    }
    entry = ActivityLog.objects.get(action="bounty.status_changed")
    assert entry.actor is None
    assert entry.metadata == {"from": "open", "to": "expired"}
    # idempotent
    assert bounty_expire_due() == []
    assert ActivityLog.objects.count() == 1


def test_expire_bounties_command_dry_run_changes_nothing(deadlines):
    out = StringIO()
    call_command("expire_bounties", "--dry-run", stdout=out)
    assert f"would expire {deadlines['due'].pk}" in out.getvalue()
    assert "1 bounties would expire" in out.getvalue()
    assert statuses(deadlines)["due"] == "open"
    assert not ActivityLog.objects.exists()


def test_expire_bounties_command_expires_and_reruns_cleanly(deadlines):
    out = StringIO()
    call_command("expire_bounties", stdout=out)
    assert f"expired {deadlines['due'].pk}" in out.getvalue()
    assert statuses(deadlines)["due"] == "expired"
    again = StringIO()
    call_command("expire_bounties", stdout=again)
    assert "0 bounties expired" in again.getvalue()


def test_expired_bounty_refuses_joins(deadlines, client_for):
    bounty_expire_due()
    response = client_for(deadlines["future"].created_by).post(f"/api/bounties/{deadlines['due'].pk}/join")
    assert response.status_code == 409
    assert response.json()["code"] == "bounties.not_open"
