"""The Django admin: changelists answer with a constant number of queries; moderation uses the services."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from accounts.models import ActivityLog
from bounties.models import Bounty, Submission
from tests.bounties.helpers import join, submit
from tests.factories import BountyFactory, RewardFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/bounties/bounty/",
    "/admin/bounties/bountyparticipant/",
    "/admin/bounties/submission/",
    "/admin/bounties/reward/",
]


def make_rows(count: int) -> None:
    for _ in range(count):
        bounty = BountyFactory()
        hunter = UserFactory()
        join(bounty, hunter)
        submit(bounty, hunter)
        RewardFactory(bounty=bounty, user=hunter)


@pytest.fixture
def admin_site(client, admin):
    client.force_login(admin)
    return client


# Every changelist: session; user; COUNT; the user's permissions and group permissions (Django's
# has_perm for the "view on site"/history links); the page joined with its related rows. Plus:
CHANGELIST_QUERIES = {
    # date hierarchy MIN/MAX and its days; the reward_token filter's distinct values
    "/admin/bounties/bounty/": 6 + 3,
    "/admin/bounties/bountyparticipant/": 6,
    "/admin/bounties/submission/": 6,
    # the token filter's distinct values
    "/admin/bounties/reward/": 6 + 1,
}


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("url", CHANGELISTS)
def test_admin_changelist_constant_queries(admin_site, url, rows, django_assert_num_queries):
    make_rows(rows)
    with django_assert_num_queries(CHANGELIST_QUERIES[url]):
        response = admin_site.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == rows


@pytest.mark.parametrize(
    ("url", "status"), list(zip(CHANGELISTS, ["open", "active", "pending", "pending"], strict=True))
)
def test_admin_changelist_search_and_filter(admin_site, url, status):
    make_rows(2)
    assert admin_site.get(url + "?q=Bounty").status_code == 200
    response = admin_site.get(url + f"?status__exact={status}")
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 2


def test_admin_pages_refuse_non_staff(client, stranger):
    client.force_login(stranger)
    response = client.get(CHANGELISTS[0])
    assert response.status_code == 302  # to the admin login


def test_admin_moderator_may_view_not_moderate(client, bounty):
    moderator = UserFactory(role="moderator")
    client.force_login(moderator)
    response = client.get(CHANGELISTS[0])
    assert response.status_code == 200
    assert b"cancel_bounties" not in response.content


def test_admin_cancel_action_uses_the_service(admin_site, admin):
    open_bounty = BountyFactory()
    completed = BountyFactory(status="completed")
    response = admin_site.post(
        CHANGELISTS[0],
        {"action": "cancel_bounties", ACTION_CHECKBOX_NAME: [str(open_bounty.pk), str(completed.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    open_bounty.refresh_from_db()
    completed.refresh_from_db()
    assert open_bounty.status == Bounty.Status.CANCELLED
    assert completed.status == Bounty.Status.COMPLETED  # the lifecycle refuses; reported, not fatal
    entry = ActivityLog.objects.get(action="bounty.status_changed", target_id=str(open_bounty.pk))
    assert entry.actor == admin
    assert entry.metadata == {"from": "open", "to": "cancelled"}


def test_admin_reject_action_uses_the_service(admin_site, bounty, submission, admin):
    response = admin_site.post(
        CHANGELISTS[2], {"action": "reject_submissions", ACTION_CHECKBOX_NAME: [str(submission.pk)]}, follow=True
    )
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    assert submission.reviewed_by == admin
    assert ActivityLog.objects.filter(action="submission.reviewed", target_id=str(submission.pk)).exists()


def test_admin_change_form_edits_text_only(admin_site, bounty):
    response = admin_site.get(f"/admin/bounties/bounty/{bounty.pk}/change/")
    assert response.status_code == 200
    assert b'name="title"' in response.content
    assert b'name="reward_amount"' not in response.content
    assert b'name="status"' not in response.content


def test_admin_shows_every_digit_of_a_forty_digit_amount(admin_site):
    # given: a bounty and its reward of 40 significant digits (Decimal's default context keeps 28)
    amount = "1234567890123456789012.345678901234567891"
    bounty = BountyFactory(reward_amount=Decimal(amount))
    reward = RewardFactory(bounty=bounty)

    for url in (
        CHANGELISTS[0],
        f"/admin/bounties/bounty/{bounty.pk}/change/",
        CHANGELISTS[3],
        f"/admin/bounties/reward/{reward.pk}/change/",
    ):
        response = admin_site.get(url)
        assert response.status_code == 200
        assert amount in response.content.decode(), url
