"""factory_boy factories that keep relations consistent."""

import functools
from decimal import Decimal

import factory
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.auth.models import Group
from django.db.models import F
from django.utils import timezone
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import ActivityLog, Notification, User, WalletChallenge
from adminpanel.models import Feedback
from bounties.models import Bounty, BountyParticipant, PayoutTransfer, Reward, Submission
from contracts.models import ContractQuery, Dashboard, DashboardWidget, SavedQuery, WidgetPreference

TEST_PASSWORD = "correct-horse-battery-staple-42"


@functools.cache
def test_password_hash() -> str:
    """TEST_PASSWORD hashed once per process with Argon2 (the production hasher, whatever a test's
    settings say): every factory user can sign in with it, and the suite pays for one Argon2 hash
    instead of one per user."""
    hasher = Argon2PasswordHasher()
    return hasher.encode(TEST_PASSWORD, hasher.salt())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    username = factory.Sequence(lambda n: f"user{n}")
    role = User.Role.USER
    password = factory.LazyFunction(test_password_hash)


class AdminFactory(UserFactory):
    role = User.Role.ADMIN
    email = factory.Sequence(lambda n: f"admin{n}@example.com")


def wallet_for(n: int) -> str:
    return f"0x{0x1000 + n:064x}"


class BountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bounty

    title = factory.Sequence(lambda n: f"Bounty number {n}")
    description = "Build the thing and document it."
    reward_amount = Decimal("150.5")
    reward_token = "STRK"
    difficulty = Bounty.Difficulty.INTERMEDIATE
    category = "development"
    created_by = factory.SubFactory(UserFactory)
    deadline = factory.LazyFunction(lambda: timezone.now() + timezone.timedelta(days=7))


def _count_on_bounty(bounty: Bounty, counter: str) -> None:
    """Keep a maintained counter of the bounty right, in the database and on the instance."""
    Bounty.objects.filter(pk=bounty.pk).update(**{counter: F(counter) + 1})
    setattr(bounty, counter, getattr(bounty, counter) + 1)


class ParticipantFactory(factory.django.DjangoModelFactory):
    """A participant; an active one takes a place on the bounty (`participant_count`), as a join does."""

    class Meta:
        model = BountyParticipant

    bounty = factory.SubFactory(BountyFactory)
    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        participant = super()._create(model_class, *args, **kwargs)
        if participant.status == BountyParticipant.Status.ACTIVE:
            _count_on_bounty(participant.bounty, "participant_count")
        return participant


class SubmissionFactory(factory.django.DjangoModelFactory):
    """A submission, counted on its bounty (`submission_count`) as a submit does."""

    class Meta:
        model = Submission

    bounty = factory.SubFactory(BountyFactory)
    user = factory.SubFactory(UserFactory)
    content = "My solution: https://github.com/example/solution"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        submission = super()._create(model_class, *args, **kwargs)
        _count_on_bounty(submission.bounty, "submission_count")
        return submission


class RewardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reward

    bounty = factory.SubFactory(BountyFactory)
    user = factory.SubFactory(UserFactory)
    amount = factory.SelfAttribute("bounty.reward_amount")
    token = factory.SelfAttribute("bounty.reward_token")


class PayoutTransferFactory(factory.django.DjangoModelFactory):
    """The transfer that paid a reward, with the reward made paid by it (as a verified payout leaves them)."""

    class Meta:
        model = PayoutTransfer

    reward = factory.SubFactory(
        RewardFactory,
        status=Reward.Status.PAID,
        recipient_address=factory.Sequence(wallet_for),
        transaction_hash=factory.Sequence(lambda n: f"0x{0x7A0000 + n:064x}"),
        paid_at=factory.LazyFunction(timezone.now),
    )
    transaction_hash = factory.SelfAttribute("reward.transaction_hash")
    event_index = 0
    token_address = f"0x{0x4718:064x}"
    from_address = f"0x{0x5E4D3C2B1A:064x}"
    to_address = factory.SelfAttribute("reward.recipient_address")
    amount_base_units = "150500000000000000000"
    block_number = 12
    finality_status = "ACCEPTED_ON_L2"


class ContractQueryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContractQuery

    user = factory.SubFactory(UserFactory)
    contract_address = factory.Sequence(lambda n: f"0x{0xABC0 + n:064x}")
    query_type = ContractQuery.QueryType.BLOCK_NUMBER
    parameters = factory.LazyFunction(dict)
    result = factory.LazyFunction(lambda: {"block_number": 1})
    status = ContractQuery.Status.SUCCESS
    duration_ms = 5


class SavedQueryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SavedQuery

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Saved query {n}")
    contract_address = factory.Sequence(lambda n: f"0x{0xDEF0 + n:064x}")
    query = factory.LazyFunction(lambda: {"contracts": [], "events": True})


class DashboardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dashboard

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Dashboard {n}")


class WidgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DashboardWidget

    dashboard = factory.SubFactory(DashboardFactory)
    query = factory.SubFactory(SavedQueryFactory, user=factory.SelfAttribute("..dashboard.user"))
    title = "Transfers per day"
    visualization_type = "bar"


class WidgetPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WidgetPreference

    user = factory.SubFactory(UserFactory)
    query = factory.SubFactory(SavedQueryFactory, user=factory.SelfAttribute("..user"))
    visualization_type = "line"
    use_count = 2


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    name = "Ada"
    feedback = "Lovely app."


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityLog

    actor = factory.SubFactory(UserFactory)
    action = "auth.login"


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification as the services write one: a hunter joined the recipient's bounty."""

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    actor = factory.SubFactory(UserFactory)
    kind = Notification.Kind.PARTICIPANT_JOINED
    bounty_id = factory.Faker("uuid4", cast_to=None)
    payload = factory.LazyFunction(lambda: {"bounty_title": "Bounty number 1"})


class WalletChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WalletChallenge

    nonce = factory.Sequence(lambda n: f"nonce-{n:024d}")
    address = factory.Sequence(wallet_for)
    chain_id = "SN_SEPOLIA"
    issued_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda challenge: challenge.issued_at + timezone.timedelta(minutes=5))


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"group {n}")


class OutstandingTokenFactory(factory.django.DjangoModelFactory):
    """The refresh token simplejwt records when it issues one for `user`."""

    class Meta:
        model = OutstandingToken

    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, user, **kwargs):
        token = RefreshToken.for_user(user)
        return model_class.objects.get(jti=token["jti"])


class BlacklistedTokenFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlacklistedToken

    token = factory.SubFactory(OutstandingTokenFactory)
