"""The factories leave the data as the services would: maintained counters agree with the rows."""

import pytest

from bounties.models import Bounty, BountyParticipant
from tests.factories import BountyFactory, ParticipantFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def test_factories_keep_the_bounty_counters_right():
    bounty = BountyFactory(max_participants=3)
    ParticipantFactory.create_batch(2, bounty=bounty)
    ParticipantFactory(bounty=bounty, status=BountyParticipant.Status.WITHDRAWN)
    SubmissionFactory.create_batch(3, bounty=bounty)

    stored = Bounty.objects.get(pk=bounty.pk)
    assert (stored.participant_count, stored.submission_count) == (2, 3)
    assert (bounty.participant_count, bounty.submission_count) == (2, 3)
    assert stored.participant_count == stored.participants.filter(status="active").count()
