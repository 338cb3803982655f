"""Django admin screens of contracts and feedback: changelists answer, search and actions work."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import User
from adminpanel.models import Feedback
from contracts.models import ContractQuery
from tests.factories import (
    ContractQueryFactory,
    DashboardFactory,
    FeedbackFactory,
    SavedQueryFactory,
    UserFactory,
    WidgetFactory,
)

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "admin:contracts_contractquery_changelist",
    "admin:contracts_savedquery_changelist",
    "admin:contracts_dashboard_changelist",
    "admin:adminpanel_feedback_changelist",
]


@pytest.fixture
def superuser_client() -> Client:
    # No password: force_login needs none, and hashing one would only slow the suite.
    superuser = User.objects.create_user(email="root@example.com", role=User.Role.ADMIN, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def rows():
    owner = UserFactory()
    ContractQueryFactory.create_batch(2, user=owner)
    ContractQueryFactory(user=owner, status=ContractQuery.Status.FAILED, error="timeout", result=None)
    dashboard = DashboardFactory(user=owner)
    WidgetFactory.create_batch(2, dashboard=dashboard)
    SavedQueryFactory(user=owner)
    FeedbackFactory.create_batch(2)
    return {"owner": owner, "dashboard": dashboard}


@pytest.mark.parametrize("name", CHANGELISTS)
def test_admin_changelist_answers_for_a_superuser(name, rows, superuser_client):
    response = superuser_client.get(reverse(name))

    assert response.status_code == 200


@pytest.mark.parametrize("name", CHANGELISTS)
def test_admin_changelist_is_closed_to_a_plain_user(name, rows):
    client = Client()
    client.force_login(UserFactory())

    assert client.get(reverse(name)).status_code == 302


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("admin:contracts_contractquery_changelist", {"status__exact": "failed", "query_type__exact": "block_number"}),
        ("admin:contracts_contractquery_changelist", {"q": "user"}),
        ("admin:contracts_savedquery_changelist", {"q": "Saved"}),
        ("admin:contracts_dashboard_changelist", {"q": "Dashboard"}),
        ("admin:adminpanel_feedback_changelist", {"status__exact": "new", "q": "Lovely"}),
    ],
)
def test_admin_changelist_filters_and_search_answer(name, query, rows, superuser_client):
    assert superuser_client.get(reverse(name), query).status_code == 200


def test_admin_contract_query_search_finds_an_unpadded_address(rows, superuser_client):
    query = ContractQuery.objects.first()
    short = hex(int(query.contract_address, 16))

    response = superuser_client.get(reverse("admin:contracts_contractquery_changelist"), {"q": short})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert list(response.context["cl"].result_list) == [query]


def test_admin_contract_queries_are_read_only(rows, superuser_client):
    query = ContractQuery.objects.filter(status=ContractQuery.Status.SUCCESS).first()

    assert superuser_client.get(reverse("admin:contracts_contractquery_add")).status_code == 403
    response = superuser_client.post(
        reverse("admin:contracts_contractquery_change", args=[query.pk]), {"status": "failed"}
    )
    assert response.status_code == 403
    query.refresh_from_db()
    assert query.status == ContractQuery.Status.SUCCESS


def test_admin_dashboard_page_shows_its_widgets_inline(rows, superuser_client):
    response = superuser_client.get(reverse("admin:contracts_dashboard_change", args=[rows["dashboard"].pk]))

    assert response.status_code == 200
    assert response.content.decode().count("Transfers per day") >= 2


def test_admin_changelists_cost_the_same_for_few_and_many_rows(rows, superuser_client, django_assert_max_num_queries):
    url = reverse("admin:contracts_contractquery_changelist")
    with django_assert_max_num_queries(12) as few:
        superuser_client.get(url)
    ContractQueryFactory.create_batch(10, user=UserFactory())
    with django_assert_max_num_queries(len(few)):
        superuser_client.get(url)


@pytest.mark.parametrize(("action", "status"), [("mark_read", "read"), ("mark_resolved", "resolved")])
def test_admin_feedback_actions_set_the_status(action, status, rows, superuser_client):
    first, second = Feedback.objects.order_by("id")

    response = superuser_client.post(
        reverse("admin:adminpanel_feedback_changelist"),
        {"action": action, "_selected_action": [first.pk]},
    )

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (status, Feedback.Status.NEW)
