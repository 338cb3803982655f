"""bench/dataset.py, on a small scale: the counts asked for, counters that match their rows, and join
pairs the real service accepts (the benchmark's data must be data the app could have written)."""

import pytest
from django.db.models import Count, F, Q
from django.http import QueryDict
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import User
from bench.dataset import PASSWORD, dataset_seed
from bench.scale import Scale
from bounties.filters import bounty_filters_apply, bounty_list_filters_parse
from bounties.models import Bounty, BountyParticipant, PayoutTransfer, Reward, Submission
from bounties.services import participant_join

SMALL = Scale(bounties=300, users=80, participations=900, join_pairs=40, signed_in=10)


@pytest.fixture
def prepared(db):
    return dataset_seed(SMALL, seed=7)


def test_dataset_seed_writes_the_counts_asked_for(prepared):
    assert User.objects.count() == SMALL.users
    assert Bounty.objects.count() == SMALL.bounties
    assert BountyParticipant.objects.count() == SMALL.participations
    assert prepared.counts["submissions"] == Submission.objects.count() > 0
    assert prepared.counts["rewards"] == Reward.objects.count() > 0
    assert len(prepared.join) == SMALL.join_pairs
    assert len(prepared.create_tokens) == len(prepared.login_emails) == SMALL.signed_in


def test_dataset_seed_keeps_every_maintained_counter_equal_to_its_rows(prepared):
    mismatched = (
        Bounty.objects.annotate(
            active=Count("participants", filter=Q(participants__status="active"), distinct=True),
            submitted=Count("submissions", distinct=True),
        )
        .exclude(participant_count=F("active"), submission_count=F("submitted"))
        .values_list("id", "participant_count", "active", "submission_count", "submitted")
    )
    assert list(mismatched) == []
    # the counters are not all zero: the comparison above compared something
    assert Bounty.objects.filter(participant_count__gt=0, submission_count__gt=0).exists()
    assert not Bounty.objects.filter(max_participants__lt=F("participant_count")).exists()


def test_dataset_seed_varies_what_the_list_filters_on(prepared):
    for field in ("status", "category", "difficulty", "reward_token"):
        assert Bounty.objects.values(field).distinct().count() >= 4, field
    assert Bounty.objects.values("created_by").distinct().count() > 5
    # the timestamps are spread, not all "now" (auto_now_add was kept out of the bulk inserts) ...
    assert Bounty.objects.dates("created_at", "month").count() > 3
    assert BountyParticipant.objects.dates("joined_at", "month").count() > 3
    # ... and put back for everything else
    bounty = Bounty.objects.create(
        title="After the seed",
        description="x",
        reward_amount="1",
        reward_token="STRK",
        difficulty="beginner",
        category="x",
        created_by=User.objects.first(),
    )
    assert bounty.created_at > Bounty.objects.exclude(pk=bounty.pk).latest("created_at").created_at


def test_dataset_seed_rewards_only_completed_bounties_with_an_approved_winner(prepared):
    for reward in Reward.objects.select_related("bounty", "submission"):
        assert reward.bounty.status == "completed"
        assert reward.submission is not None
        assert reward.submission.status == "approved"
        assert reward.submission.user_id == reward.user_id
        assert reward.amount == reward.bounty.reward_amount
    assert PayoutTransfer.objects.count() == Reward.objects.filter(status="paid").count() > 0
    assert not Bounty.objects.filter(status="completed", rewards__isnull=True).exists()


def test_dataset_seed_filtered_total_is_what_the_list_filters_find(prepared):
    filters = bounty_list_filters_parse(QueryDict(prepared.filtered_query))

    assert prepared.filtered_total == bounty_filters_apply(Bounty.objects.all(), filters).count() > 0


def test_dataset_seed_join_pairs_are_accepted_by_the_join_service(prepared):
    # given: the users the pairs' tokens name
    pairs = [(bounty_id, AccessToken(token)["user_id"]) for bounty_id, token in prepared.join]
    assert len(set(pairs)) == len(pairs)
    users = User.objects.in_bulk([int(user_id) for _, user_id in pairs])

    # when: every pair joins through the real service
    for bounty_id, user_id in pairs:
        participant_join(bounty_id=bounty_id, user=users[int(user_id)])

    # then
    assert BountyParticipant.objects.count() == SMALL.participations + SMALL.join_pairs


def test_dataset_seed_login_users_sign_in_with_the_password(prepared):
    user = User.objects.get(email=prepared.login_emails[0])

    assert prepared.password == PASSWORD
    assert user.check_password(PASSWORD)
