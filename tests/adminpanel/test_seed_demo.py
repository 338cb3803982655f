"""`manage.py seed_demo`: the demo data set, once, never on a production server without the flag."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from rest_framework.test import APIClient

from accounts.models import ActivityLog, User
from adminpanel.demo import DEMO_TX_PREFIX
from adminpanel.models import Feedback
from bounties.models import Bounty, BountyParticipant, PayoutTransfer, Reward, Submission
from contracts.models import ContractQuery, Dashboard, DashboardWidget, SavedQuery
from tests.factories import BountyFactory

pytestmark = pytest.mark.django_db

MODELS = (
    User,
    Bounty,
    BountyParticipant,
    Submission,
    Reward,
    PayoutTransfer,
    ContractQuery,
    SavedQuery,
    Dashboard,
    DashboardWidget,
    Feedback,
    ActivityLog,
)


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def debug(settings):
    settings.DEBUG = True


def test_seed_demo_creates_a_realistic_data_set(debug):
    # when
    output = seed()

    # then: the people, with no admin among them
    users = User.objects.all()
    assert users.count() == 20
    assert sorted(users.values_list("role", flat=True).distinct()) == ["moderator", "user"]
    assert not users.filter(is_superuser=True).exists()
    # bounties over the categories, difficulties, tokens and the lifecycle
    bounties = Bounty.objects.all()
    assert bounties.count() == 30
    assert {status for status, _label in Bounty.Status.choices} == set(bounties.values_list("status", flat=True))
    assert dict(Bounty.objects.values_list("status").annotate(n=Count("id"))) == {
        "open": 14,
        "in_review": 6,
        "completed": 6,
        "cancelled": 3,
        "expired": 1,
    }
    assert set(bounties.values_list("difficulty", flat=True)) == {"beginner", "intermediate", "advanced", "expert"}
    assert set(bounties.values_list("reward_token", flat=True)) == {"STRK", "ETH", "USDC", "USDT"}
    assert bounties.values("category").distinct().count() >= 6
    # participants and submissions in every state, the maintained counters right
    assert set(Submission.objects.values_list("status", flat=True)) == {"pending", "approved", "rejected"}
    for bounty in bounties:
        active = BountyParticipant.objects.filter(bounty=bounty, status="active").count()
        assert bounty.participant_count == active
        assert bounty.submission_count == Submission.objects.filter(bounty=bounty).count()
    # a reward per completed bounty, some paid with a demo transfer, the rest pending
    rewards = Reward.objects.all()
    assert rewards.count() == 6
    assert sorted(rewards.values_list("status", flat=True)) == ["paid"] * 3 + ["pending"] * 3
    for reward in rewards.filter(status="paid"):
        assert reward.transaction_hash.startswith(DEMO_TX_PREFIX)
        assert reward.transfer.to_address == reward.recipient_address == reward.user.wallet_address
    assert PayoutTransfer.objects.count() == 3
    # analytics and feedback
    assert ContractQuery.objects.count() == 6
    assert set(ContractQuery.objects.values_list("status", flat=True)) == {"success", "failed"}
    assert SavedQuery.objects.count() == 3
    assert Dashboard.objects.count() == 1 and DashboardWidget.objects.count() == 3
    assert Feedback.objects.count() == 4
    # the activity log reads as if people had used the app
    assert ActivityLog.objects.filter(action="bounty.created").count() == 30
    assert ActivityLog.objects.filter(action="reward.paid", metadata__demo=True).count() == 3
    # and the summary says what was made
    assert "users: 20" in output and "bounties: 30" in output and "rewards: 6" in output


def test_seed_demo_prints_a_random_shared_password_once_that_signs_in(debug):
    # when
    output = seed()

    # then
    (password,) = re.findall(r"sign in with the password (\S+) \(shown this once\)", output)
    assert len(password) >= 16
    response = APIClient().post(
        "/api/auth/login", {"email": "ana@demo.blocra.example", "password": password}, format="json"
    )
    assert response.status_code == 200


def test_seed_demo_without_password_leaves_accounts_unusable(debug):
    output = seed("--no-password")
    assert "have no password" in output
    assert not any(user.has_usable_password() for user in User.objects.all())


def test_seed_demo_is_deterministic_for_a_seed(debug):
    # given
    seed("--seed", "7", "--no-password")
    first = sorted(Bounty.objects.values_list("title", "status", "participant_count", "submission_count"))
    wallets = sorted(User.objects.exclude(wallet_address=None).values_list("username", "wallet_address"))

    # when: the same seed again on an empty database
    for model in (PayoutTransfer, Reward, Submission, BountyParticipant, Bounty, Feedback, ActivityLog):
        model.objects.all().delete()
    User.objects.all().delete()
    seed("--seed", "7", "--no-password")

    # then
    assert sorted(Bounty.objects.values_list("title", "status", "participant_count", "submission_count")) == first
    assert sorted(User.objects.exclude(wallet_address=None).values_list("username", "wallet_address")) == wallets


def test_seed_demo_second_run_changes_nothing(debug):
    # given
    seed()
    before = table_counts()

    # when
    output = seed()

    # then
    assert "already there" in output
    assert "password" not in output
    assert table_counts() == before


def test_seed_demo_refuses_a_production_server(settings):
    # given: DEBUG off, an installation with data of its own
    settings.DEBUG = False
    BountyFactory()
    before = table_counts()

    # when / then
    with pytest.raises(CommandError, match="--allow-production"):
        seed()
    assert table_counts() == before


def test_seed_demo_runs_on_a_production_server_with_the_flag(settings):
    settings.DEBUG = False
    output = seed("--allow-production", "--no-password")
    assert "bounties: 30" in output
    assert Bounty.objects.count() == 30
