"""Every invariant that can live in the database does: each constraint rejects a violating row there.

Rows are written with the ORM's create()/update(), which skip model validation, so what refuses the
row is the database itself.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User, WalletChallenge
from adminpanel.models import Feedback
from bounties.models import Bounty, BountyParticipant, PayoutTransfer, Reward, Submission
from contracts.models import ContractQuery, DashboardWidget, WidgetPreference
from tests.factories import (
    BountyFactory,
    ContractQueryFactory,
    DashboardFactory,
    ParticipantFactory,
    RewardFactory,
    SavedQueryFactory,
    SubmissionFactory,
    UserFactory,
    WidgetFactory,
)

pytestmark = pytest.mark.django_db

TX = "0x" + "ab" * 32


def challenge(**overrides):
    now = timezone.now()
    values = {
        "nonce": "n" * 16,
        "address": "0x" + "1" * 64,
        "chain_id": "SN_SEPOLIA",
        "issued_at": now,
        "expires_at": now + timezone.timedelta(minutes=5),
    }
    values.update(overrides)
    return WalletChallenge.objects.create(**values)


def transfer(reward, **overrides):
    values = {
        "reward": reward,
        "transaction_hash": TX,
        "event_index": 1,
        "token_address": "0x" + "2" * 64,
        "from_address": "0x" + "3" * 64,
        "to_address": "0x" + "4" * 64,
        "amount_base_units": "1000",
        "finality_status": "ACCEPTED_ON_L2",
    }
    values.update(overrides)
    return PayoutTransfer.objects.create(**values)


def second_transfer_same_event():
    transfer(RewardFactory())
    transfer(RewardFactory())


VIOLATIONS = {
    # accounts
    "user email unique ignoring case": lambda: (
        UserFactory(email="ada@example.com"),
        User.objects.create(email="ADA@example.com"),
    ),
    "user role valid": lambda: User.objects.create(email="r@example.com", role="owner"),
    "user wallet normalised": lambda: User.objects.create(email="w@example.com", wallet_address="0xABC"),
    "user wallet unique": lambda: (
        User.objects.create(email="a1@example.com", wallet_address="0x" + "a" * 64),
        User.objects.create(email="a2@example.com", wallet_address="0x" + "a" * 64),
    ),
    "user google id unique": lambda: (
        User.objects.create(email="g1@example.com", google_id="123"),
        User.objects.create(email="g2@example.com", google_id="123"),
    ),
    "challenge nonce single": lambda: (challenge(), challenge()),
    "challenge address normalised": lambda: challenge(address="0x1"),
    "challenge expires after issue": lambda: challenge(expires_at=timezone.now() - timezone.timedelta(days=1)),
    "challenge purpose valid": lambda: challenge(purpose="steal"),
    # bounties
    "bounty reward positive": lambda: BountyFactory(reward_amount=Decimal("0")),
    "bounty reward not negative": lambda: BountyFactory(reward_amount=Decimal("-1.5")),
    "bounty token valid": lambda: BountyFactory(reward_token="DOGE"),
    "bounty status valid": lambda: BountyFactory(status="paused"),
    "bounty difficulty valid": lambda: BountyFactory(difficulty="trivial"),
    "bounty max participants at least 1": lambda: BountyFactory(max_participants=0),
    "bounty max participants at most 10000": lambda: BountyFactory(max_participants=10001),
    "bounty never over-filled": lambda: Bounty.objects.filter(pk=BountyFactory(max_participants=2).pk).update(
        participant_count=3
    ),
    "participant once per bounty": lambda: (lambda p: ParticipantFactory(bounty=p.bounty, user=p.user))(
        ParticipantFactory()
    ),
    "participant status valid": lambda: ParticipantFactory(status="banned"),
    "one pending submission per user and bounty": lambda: (lambda s: SubmissionFactory(bounty=s.bounty, user=s.user))(
        SubmissionFactory()
    ),
    "submission status valid": lambda: SubmissionFactory(status="maybe"),
    "reviewed submission has review time": lambda: SubmissionFactory(
        status=Submission.Status.APPROVED, reviewed_at=None
    ),
    "one reward per bounty": lambda: (lambda r: RewardFactory(bounty=r.bounty))(RewardFactory()),
    "reward amount positive": lambda: RewardFactory(amount=Decimal("0")),
    "reward token valid": lambda: RewardFactory(token="doge"),
    "reward status valid": lambda: RewardFactory(status="lost"),
    "reward recipient normalised": lambda: RewardFactory(recipient_address="0xABCDEF"),
    "reward tx hash normalised": lambda: RewardFactory(transaction_hash="0x12"),
    "paid reward has proof": lambda: RewardFactory(status=Reward.Status.PAID),
    "one transfer pays one reward": second_transfer_same_event,
    "transfer tx hash normalised": lambda: transfer(RewardFactory(), transaction_hash="0xAB"),
    "transfer amount positive": lambda: transfer(RewardFactory(), amount_base_units="0"),
    # contracts
    "query type valid": lambda: ContractQueryFactory(query_type="drop_table"),
    "query status valid": lambda: ContractQueryFactory(status="maybe"),
    "query address normalised": lambda: ContractQueryFactory(contract_address="0x1"),
    "saved query address normalised": lambda: SavedQueryFactory(contract_address="0xZZ"),
    "widget visualization valid": lambda: WidgetFactory(visualization_type="radar"),
    "widget size in range": lambda: WidgetFactory(width=0),
    "widget position in range": lambda: DashboardWidget.objects.filter(pk=WidgetFactory().pk).update(position_x=5000),
    "preference once": lambda: (
        lambda q: [WidgetPreference.objects.create(user=q.user, query=q, visualization_type="bar") for _ in range(2)]
    )(SavedQueryFactory()),
    "preference visualization valid": lambda: (
        lambda q: WidgetPreference.objects.create(user=q.user, query=q, visualization_type="radar")
    )(SavedQueryFactory()),
    "preference count positive": lambda: (
        lambda q: WidgetPreference.objects.create(user=q.user, query=q, visualization_type="bar", use_count=0)
    )(SavedQueryFactory()),
    # adminpanel
    "feedback status valid": lambda: Feedback.objects.create(name="a", feedback="b", status="spam"),
}


@pytest.mark.parametrize("name", list(VIOLATIONS))
def test_constraint_rejects_violating_row(name):
    with pytest.raises(IntegrityError), transaction.atomic():
        VIOLATIONS[name]()


def test_constraints_accept_valid_rows():
    # given valid rows of every model (so the violations above fail for their reason, not another)
    user = UserFactory(wallet_address="0x" + "a" * 64, google_id="g-1")
    bounty = BountyFactory(max_participants=1, created_by=user)
    ParticipantFactory(bounty=bounty)
    Bounty.objects.filter(pk=bounty.pk).update(participant_count=1)
    first = SubmissionFactory(bounty=bounty)
    Submission.objects.filter(pk=first.pk).update(status="approved", reviewed_at=timezone.now())
    SubmissionFactory(bounty=bounty, user=first.user)  # a new pending one beside an approved one
    reward = RewardFactory(bounty=bounty, recipient_address="0x" + "b" * 64)
    transfer(reward)
    Reward.objects.filter(pk=reward.pk).update(status="paid", transaction_hash=TX, paid_at=timezone.now())
    challenge()
    ContractQueryFactory()
    dashboard = DashboardFactory()
    WidgetFactory(dashboard=dashboard, visualization_type="pie")
    Feedback.objects.create(name="a", feedback="b")
    assert Bounty.objects.get(pk=bounty.pk).participant_count == 1
    assert Reward.objects.get(pk=reward.pk).status == "paid"
    assert ContractQuery.objects.count() == 1
    assert BountyParticipant.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_foreign_keys_enforced():
    # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED: the check runs at commit.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bounties_bountyparticipant (id, bounty_id, user_id, status, joined_at, updated_at) "
            "VALUES (%s, %s, %s, 'active', %s, %s)",
            ["0" * 32, "f" * 32, 999999, timezone.now(), timezone.now()],
        )
