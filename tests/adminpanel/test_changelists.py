"""Every model on the admin site, found in its registry (a model registered later is covered at once):
its changelist costs as many queries for one row as for many, answers a search and every filter
choice, and its change page opens, for an admin; moderators look without moderating; a plain user is
sent to the login page.

A registered model needs a row maker in ROW_MAKERS: the tests fail, not skip, without one.
"""

from collections.abc import Callable

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    ActivityFactory,
    AdminFactory,
    BlacklistedTokenFactory,
    BountyFactory,
    ContractQueryFactory,
    DashboardFactory,
    FeedbackFactory,
    GroupFactory,
    NotificationFactory,
    OutstandingTokenFactory,
    ParticipantFactory,
    PayoutTransferFactory,
    RewardFactory,
    SubmissionFactory,
    UserFactory,
    WalletChallengeFactory,
    WidgetFactory,
    WidgetPreferenceFactory,
    wallet_for,
)

pytestmark = pytest.mark.django_db

MANY = 5


def reviewed_submission(status: str = "rejected"):
    """A reviewed submission: its reviewer, an optional foreign key, is on the page too."""
    return SubmissionFactory(status=status, reviewed_by=AdminFactory(), reviewed_at=timezone.now(), feedback="Seen.")


def reward_with_submission():
    submission = reviewed_submission(status="approved")
    return RewardFactory(
        bounty=submission.bounty,
        user=submission.user,
        submission=submission,
        recipient_address=wallet_for(submission.user.pk),
    )


def dashboard_with_widget():
    dashboard = DashboardFactory()
    WidgetFactory(dashboard=dashboard)
    return dashboard


def saved_query_with_widget():
    return WidgetFactory().query


# One row of each registered model, with its optional relations filled, so that a column that would
# load a related row per line shows up as a growing query count.
ROW_MAKERS: dict[str, Callable[[], Model]] = {
    "auth.group": GroupFactory,
    "token_blacklist.outstandingtoken": OutstandingTokenFactory,
    "token_blacklist.blacklistedtoken": BlacklistedTokenFactory,
    "accounts.user": lambda: UserFactory(wallet_address=wallet_for(UserFactory._meta.next_sequence())),
    "accounts.activitylog": lambda: ActivityFactory(ip_address="203.0.113.9", target_type="user", target_id="1"),
    "accounts.walletchallenge": WalletChallengeFactory,
    "accounts.notification": lambda: NotificationFactory(read_at=timezone.now()),
    "bounties.bounty": BountyFactory,
    "bounties.bountyparticipant": ParticipantFactory,
    "bounties.submission": reviewed_submission,
    "bounties.reward": reward_with_submission,
    "bounties.payouttransfer": PayoutTransferFactory,
    "contracts.contractquery": ContractQueryFactory,
    "contracts.savedquery": saved_query_with_widget,
    "contracts.dashboard": dashboard_with_widget,
    "contracts.dashboardwidget": WidgetFactory,
    "contracts.widgetpreference": WidgetPreferenceFactory,
    "adminpanel.feedback": lambda: FeedbackFactory(user=UserFactory(), user_email="ada@example.com"),
}

# The apps whose screens a moderator may look at (accounts.backends.RolePermissionBackend).
MODERATOR_APPS = {"accounts", "adminpanel", "bounties", "contracts"}

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


def label(model: type[Model]) -> str:
    return model._meta.label_lower


def make_rows(model: type[Model], count: int) -> list[Model]:
    maker = ROW_MAKERS.get(label(model))
    if maker is None:
        pytest.fail(f"{label(model)} is on the admin site but has no row maker in ROW_MAKERS")
    return [maker() for _ in range(count)]


def changelist_url(model: type[Model]) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def operator(client):
    client.force_login(AdminFactory())
    return client


def test_every_registered_model_has_a_row_maker():
    missing = [label(model) for model in REGISTERED if label(model) not in ROW_MAKERS]

    assert missing == []


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_admin_changelist_costs_the_same_for_one_row_and_many(operator, model):
    # given: one row
    make_rows(model, 1)
    with CaptureQueriesContext(connection) as one:
        first = operator.get(changelist_url(model))
    assert first.status_code == 200
    shown = len(first.context["cl"].result_list)
    assert shown >= 1

    # when: many more
    make_rows(model, MANY)
    with CaptureQueriesContext(connection) as many:
        second = operator.get(changelist_url(model))

    # then: the page shows them, and loading it took no more queries
    assert second.status_code == 200
    assert len(second.context["cl"].result_list) >= shown + MANY
    assert len(many.captured_queries) == len(one.captured_queries), [q["sql"] for q in many.captured_queries]


# Every changelist, for an admin: the session; the user; the user's permissions and their groups'
# permissions (asked of ModelBackend before the role grants); the COUNT of the filtered rows; the page
# of rows with what it shows joined. Then, per model, as commented:
COMMON = 6
EXACT_QUERIES = {
    # date hierarchy (MIN/MAX of created_at, then its distinct days); the reward_token filter's values
    "bounties.bounty": COMMON + 3,
    # date hierarchy
    "bounties.bountyparticipant": COMMON + 2,
    # date hierarchy
    "bounties.submission": COMMON + 2,
    # date hierarchy; the token filter's values
    "bounties.reward": COMMON + 3,
    # date hierarchy; the finality_status filter's values
    "bounties.payouttransfer": COMMON + 3,
    # date hierarchy (status and query type are choices: their filters ask nothing)
    "contracts.contractquery": COMMON + 2,
    # the COUNT of the whole table; date hierarchy; the chain filter's values
    "contracts.savedquery": COMMON + 4,
    # the COUNT of the whole table; date hierarchy
    "contracts.dashboard": COMMON + 3,
    # the COUNT of the whole table; date hierarchy; the visualization_type filter's values
    "contracts.dashboardwidget": COMMON + 4,
    # the COUNT of the whole table; date hierarchy (of updated_at); the visualization_type filter's values
    "contracts.widgetpreference": COMMON + 4,
    # date hierarchy (of issued_at); the chain_id filter's values
    "accounts.walletchallenge": COMMON + 3,
}


@pytest.mark.parametrize("name", sorted(EXACT_QUERIES))
def test_admin_changelist_query_count(operator, name, django_assert_num_queries):
    model = next(model for model in REGISTERED if label(model) == name)
    make_rows(model, MANY)

    with django_assert_num_queries(EXACT_QUERIES[name]):
        response = operator.get(changelist_url(model))

    assert response.status_code == 200


@pytest.mark.parametrize("term", ["example", "0x1000", "Bounty number 1"])
@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_admin_changelist_answers_a_search(operator, model, term):
    make_rows(model, 2)

    response = operator.get(changelist_url(model), {"q": term})

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_admin_changelist_answers_every_filter_choice(operator, model):
    make_rows(model, 2)
    url = changelist_url(model)
    changelist = operator.get(url).context["cl"]

    choices = [choice["query_string"] for spec in changelist.filter_specs for choice in spec.choices(changelist)]

    assert len(choices) >= 2 * len(changelist.filter_specs)
    for query_string in choices:
        assert operator.get(url + query_string).status_code == 200, query_string


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_admin_change_page_opens(operator, model):
    (row,) = make_rows(model, 1)

    response = operator.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[row.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_admin_changelist_lets_a_moderator_look_without_moderating(client, model):
    make_rows(model, 1)
    client.force_login(UserFactory(role="moderator"))

    response = client.get(changelist_url(model))

    if model._meta.app_label in MODERATOR_APPS:
        assert response.status_code == 200
        assert response.context["action_form"] is None  # no action at all, not even delete
        assert response.context["has_add_permission"] is False
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("model", REGISTERED, ids=label)
def test_admin_changelist_sends_a_plain_user_to_login(client, model):
    client.force_login(UserFactory())

    response = client.get(changelist_url(model))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
