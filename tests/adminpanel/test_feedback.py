"""Feedback: POST /api/feedback/submit stores it for the admin (validated, attributed to a signed-in
user, logged); the admin site triages it (new, read, resolved), each change logged."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from accounts.models import ActivityLog
from adminpanel.models import Feedback
from tests.activity import activity_row, traced
from tests.factories import AdminFactory, FeedbackFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/feedback/submit"
CHANGELIST = "/admin/adminpanel/feedback/"


def test_feedback_submit_stores_feedback(api_client):
    response = api_client.post(
        URL, {"name": "Ada", "feedback": "The list is lovely.", "user_email": "ada@example.com"}, format="json"
    )
    assert response.status_code == 201
    assert response.json() == {"success": True, "message": "Thank you for your feedback!"}
    stored = Feedback.objects.get()
    assert (stored.name, stored.feedback, stored.user_email, stored.user, stored.status) == (
        "Ada",
        "The list is lovely.",
        "ada@example.com",
        None,
        Feedback.Status.NEW,
    )
    assert stored.ip_address == "127.0.0.1"


def test_feedback_submit_links_the_signed_in_user(user, user_client):
    response = user_client.post(URL, {"name": "Ada", "feedback": "Hi"}, format="json")
    assert response.status_code == 201
    assert Feedback.objects.get().user == user


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"name", "feedback"}),
        ({"name": "  ", "feedback": "x"}, {"name"}),
        ({"name": "Ada", "feedback": "x" * 5001}, {"feedback"}),
        ({"name": "x" * 201, "feedback": "x"}, {"name"}),
        ({"name": "Ada", "feedback": "x", "user_email": "not-an-email"}, {"user_email"}),
        ({"name": ["Ada"], "feedback": {"a": 1}}, {"name", "feedback"}),
    ],
)
def test_feedback_submit_bad_input_is_400_and_stores_nothing(api_client, body, fields):
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "request.validation_failed"
    assert set(response.json()["errors"]) == fields
    assert not Feedback.objects.exists()


def test_feedback_submit_logs_feedback_submitted(api_client):
    response = api_client.post(
        URL, {"name": "Ada", "feedback": "Hi", "user_email": "ada@example.com"}, format="json", **traced("req-fb-1")
    )

    assert response.status_code == 201
    stored = Feedback.objects.get()
    activity_row(
        "feedback.submitted",
        actor=None,
        target_type="feedback",
        target_id=stored.pk,
        request_id="req-fb-1",
        metadata={"user_email": "ada@example.com"},
    )


def test_feedback_submit_by_a_signed_in_user_logs_them_as_actor(user, user_client):
    response = user_client.post(URL, {"name": "Ada", "feedback": "Hi"}, format="json", **traced("req-fb-2"))

    assert response.status_code == 201
    activity_row(
        "feedback.submitted",
        actor=user,
        target_type="feedback",
        target_id=Feedback.objects.get().pk,
        request_id="req-fb-2",
    )


def test_feedback_submit_query_count(api_client, django_assert_num_queries):
    # SAVEPOINT; INSERT feedback; INSERT activity; RELEASE (the rate limit counts outside the database)
    with django_assert_num_queries(4):
        response = api_client.post(URL, {"name": "Ada", "feedback": "Hi"}, format="json")
    assert response.status_code == 201


# --- Triage in the admin site ------------------------------------------------------------------------


@pytest.fixture
def admin():
    return AdminFactory()


@pytest.fixture
def admin_site(client: Client, admin) -> Client:
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("action", "status"), [("mark_read", "read"), ("mark_resolved", "resolved"), ("mark_new", "new")]
)
def test_feedback_admin_action_sets_the_status_and_logs_each_changed_item(action, status, admin, admin_site):
    # given: one item in each state, and one more left unselected
    items = [FeedbackFactory(status=state) for state in ("new", "read", "resolved")]
    untouched = FeedbackFactory(status="new")

    # when
    response = admin_site.post(
        CHANGELIST,
        {"action": action, "_selected_action": [item.pk for item in items]},
        **traced(f"req-{action}"),
    )

    # then: all three are in the state; the two that were not are logged, from their old state
    assert response.status_code == 302
    assert [Feedback.objects.get(pk=item.pk).status for item in items] == [status] * 3
    assert Feedback.objects.get(pk=untouched.pk).status == "new"
    # target_id is text: ordered as numbers in Python ("10" sorts before "8" as text)
    logged = sorted(ActivityLog.objects.filter(action="admin.feedback_status"), key=lambda row: int(row.target_id))
    changed = [item for item in items if item.status != status]
    assert [(row.target_id, row.metadata) for row in logged] == [
        (str(item.pk), {"from": item.status, "to": status, "trigger": "action"}) for item in changed
    ]
    for row in logged:
        assert (row.actor, row.target_type) == (admin, "feedback")
        assert (row.request_id, row.ip_address, row.user_agent) == (
            f"req-{action}",
            "127.0.0.1",
            "blocra-tests/1.0 (activity)",
        )


def test_feedback_admin_action_on_items_already_in_the_state_logs_nothing(admin_site):
    item = FeedbackFactory(status="resolved")

    response = admin_site.post(CHANGELIST, {"action": "mark_resolved", "_selected_action": [item.pk]})

    assert response.status_code == 302
    assert not ActivityLog.objects.filter(action="admin.feedback_status").exists()


def test_feedback_admin_action_costs_the_same_for_one_and_many_items(admin_site, django_assert_max_num_queries):
    one = [FeedbackFactory().pk]
    many = [FeedbackFactory().pk for _ in range(10)]
    body = {"action": "mark_read"}

    with django_assert_max_num_queries(30) as first:
        admin_site.post(CHANGELIST, {**body, "_selected_action": one})
    with django_assert_max_num_queries(len(first)):
        admin_site.post(CHANGELIST, {**body, "_selected_action": many})

    assert Feedback.objects.filter(status="read").count() == 11


def test_feedback_admin_opening_a_new_item_marks_it_read(admin, admin_site):
    item = FeedbackFactory(status="new")

    response = admin_site.get(f"{CHANGELIST}{item.pk}/change/", **traced("req-open"))

    assert response.status_code == 200
    item.refresh_from_db()
    assert item.status == "read"
    activity_row(
        "admin.feedback_status",
        actor=admin,
        target_type="feedback",
        target_id=item.pk,
        request_id="req-open",
        metadata={"from": "new", "to": "read", "trigger": "opened"},
    )


def test_feedback_admin_opening_a_resolved_item_leaves_it_resolved(admin_site):
    item = FeedbackFactory(status="resolved")

    assert admin_site.get(f"{CHANGELIST}{item.pk}/change/").status_code == 200

    item.refresh_from_db()
    assert item.status == "resolved"
    assert not ActivityLog.objects.filter(action="admin.feedback_status").exists()


def test_feedback_admin_change_form_status_is_logged(admin, admin_site):
    item = FeedbackFactory(status="read")

    response = admin_site.post(f"{CHANGELIST}{item.pk}/change/", {"status": "resolved"}, **traced("req-form"))

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "resolved"
    activity_row(
        "admin.feedback_status",
        actor=admin,
        target_type="feedback",
        target_id=item.pk,
        request_id="req-form",
        metadata={"from": "read", "to": "resolved", "trigger": "form"},
    )


def test_feedback_admin_moderator_may_read_not_triage(client):
    item = FeedbackFactory(status="new")
    client.force_login(UserFactory(role="moderator"))

    assert client.get(CHANGELIST).status_code == 200
    assert client.get(f"{CHANGELIST}{item.pk}/change/").status_code == 200
    client.post(CHANGELIST, {"action": "mark_resolved", "_selected_action": [item.pk]})

    item.refresh_from_db()
    assert item.status == "new"
    assert not ActivityLog.objects.filter(action="admin.feedback_status").exists()


def test_feedback_admin_is_closed_to_a_plain_user(client):
    client.force_login(UserFactory())

    assert client.get(CHANGELIST).status_code == 302


def test_feedback_admin_changelist_shows_counts_per_status_and_filters(admin_site):
    FeedbackFactory.create_batch(3, status="new")
    FeedbackFactory.create_batch(2, status="read", feedback="Lovely search")
    FeedbackFactory(status="resolved")

    page = admin_site.get(CHANGELIST).content.decode()
    filtered = admin_site.get(CHANGELIST, {"status__exact": "read", "q": "Lovely"})
    by_day = admin_site.get(CHANGELIST, {"created_at__year": timezone.now().year})

    # The status filter's facets: each state with its count.
    assert "New (3)" in page
    assert "Read (2)" in page
    assert "Resolved (1)" in page
    assert filtered.context["cl"].result_count == 2
    assert by_day.context["cl"].result_count == 6


def test_feedback_admin_changelist_lists_the_newest_first(admin_site):
    older = FeedbackFactory()
    Feedback.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))
    newer = FeedbackFactory()

    response = admin_site.get(CHANGELIST)

    assert list(response.context["cl"].result_list) == [newer, Feedback.objects.get(pk=older.pk)]


# --- The migration of "reviewed" to "read" -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_feedback_migration_moves_reviewed_to_read_and_back():
    before, after = (
        [("adminpanel", "0002_feedback_status_read_choices")],
        [("adminpanel", "0004_feedback_status_read_constraint")],
    )
    executor = MigrationExecutor(connection)
    try:
        # given: the schema before the data migration, with a "reviewed" item
        executor.migrate(before)
        executor.loader.build_graph()
        old = executor.loader.project_state(before).apps.get_model("adminpanel", "Feedback")
        item = old.objects.create(name="Ada", feedback="Hi", status="reviewed")

        # when: forwards
        executor.migrate(after)
        executor.loader.build_graph()
        new = executor.loader.project_state(after).apps.get_model("adminpanel", "Feedback")
        forwards = new.objects.get(pk=item.pk).status

        # when: backwards, to the first schema
        executor.migrate([("adminpanel", "0001_initial")])
        executor.loader.build_graph()
        first = executor.loader.project_state([("adminpanel", "0001_initial")]).apps.get_model("adminpanel", "Feedback")
        backwards = first.objects.get(pk=item.pk).status
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert (forwards, backwards) == ("read", "reviewed")
