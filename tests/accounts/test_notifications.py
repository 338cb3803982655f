"""The inbox: the model's constraints, the create services, and the API (`/api/notifications`): scoped to
the signed-in user, paginated, filtered by `unread`, the unread count, marking read, query counts."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Notification
from accounts.services.notifications import notification_create, notification_create_many
from tests.conftest import bearer_client
from tests.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Notification.Kind
SIZES = [1, 30]


@pytest.fixture
def me(db):
    return UserFactory(username="me")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def my_client(me) -> APIClient:
    return bearer_client(me)


def make(recipient, count: int = 1, **fields) -> list[Notification]:
    return [NotificationFactory(recipient=recipient, **fields) for _ in range(count)]


# --- model and services -----------------------------------------------------------------------------


def test_notification_to_its_own_actor_is_refused_by_the_database(me):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=me, actor=me, kind=Kind.PARTICIPANT_JOINED)


def test_notification_of_an_unknown_kind_is_refused_by_the_database(me):
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=me, kind="bounty.something_else")


def test_notification_create_many_leaves_out_the_actor_and_duplicates(me, stranger, django_assert_num_queries):
    other = UserFactory()

    # one INSERT for all the recipients
    with django_assert_num_queries(1):
        created = notification_create_many(
            recipient_ids=[me.pk, stranger.pk, me.pk, other.pk],
            kind=Kind.BOUNTY_CANCELLED,
            actor=stranger,
            payload={"bounty_title": "T", "status": "cancelled"},
        )

    assert sorted(n.recipient_id for n in created) == sorted([me.pk, other.pk])
    assert Notification.objects.filter(recipient=stranger).count() == 0
    assert Notification.objects.count() == 2


def test_notification_create_to_the_actor_writes_nothing(me, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert notification_create(recipient_id=me.pk, kind=Kind.SUBMISSION_REVIEWED, actor=me) is None


# --- GET /api/notifications -------------------------------------------------------------------------


def test_list_shows_only_mine_newest_first(my_client, me, stranger):
    older, newer = make(me, 2)
    make(stranger, 3)

    response = my_client.get("/api/notifications")

    assert response.status_code == 200
    assert [n["id"] for n in response.json()] == [newer.pk, older.pk]
    assert response["X-Total-Count"] == "2"
    assert response["X-Unread-Count"] == "2"
    first = response.json()[0]
    assert first == {
        "id": newer.pk,
        "kind": "bounty.participant_joined",
        "actor_id": newer.actor_id,
        "bounty_id": str(newer.bounty_id),
        "payload": {"bounty_title": "Bounty number 1"},
        "created_at": first["created_at"],
        "read_at": None,
    }


def test_list_paginates_with_the_usual_headers(my_client, me):
    rows = make(me, 5)

    response = my_client.get("/api/notifications?page=2&page_size=2")

    assert [n["id"] for n in response.json()] == [rows[2].pk, rows[1].pk]
    assert response["X-Total-Count"] == "5"
    assert 'rel="next"' in response["Link"] and 'rel="prev"' in response["Link"]
    assert response["X-Unread-Count"] == "5"


def test_list_filters_unread_and_read_and_counts_unread_whatever_the_filter(my_client, me):
    read = make(me, 2, read_at=timezone.now())
    unread = make(me, 3)

    all_rows = my_client.get("/api/notifications")
    only_unread = my_client.get("/api/notifications?unread=true")
    only_read = my_client.get("/api/notifications?unread=false")

    assert len(all_rows.json()) == 5
    assert [n["id"] for n in only_unread.json()] == [n.pk for n in reversed(unread)]
    assert [n["id"] for n in only_read.json()] == [n.pk for n in reversed(read)]
    assert all(n["read_at"] is not None for n in only_read.json())
    assert (only_unread["X-Total-Count"], only_read["X-Total-Count"]) == ("3", "2")
    assert all_rows["X-Unread-Count"] == only_unread["X-Unread-Count"] == only_read["X-Unread-Count"] == "3"


@pytest.mark.parametrize("query", ["unread=maybe", "page=0", "page_size=101"])
def test_list_refuses_bad_query_parameters(my_client, query):
    response = my_client.get(f"/api/notifications?{query}")

    assert response.status_code == 400
    assert response.json()["success"] is False


def test_list_needs_a_signed_in_user():
    response = APIClient().get("/api/notifications")

    assert response.status_code == 401


def test_cors_lets_the_app_read_the_unread_count(my_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example"]

    response = my_client.get("/api/notifications", HTTP_ORIGIN="https://app.example")

    assert "x-unread-count" in response["Access-Control-Expose-Headers"].lower()


# --- POST /api/notifications/{id}/read ---------------------------------------------------------------


def test_mark_read_is_idempotent(my_client, me):
    (notification,) = make(me)

    first = my_client.post(f"/api/notifications/{notification.pk}/read")
    second = my_client.post(f"/api/notifications/{notification.pk}/read")

    assert first.status_code == second.status_code == 200
    assert first.json()["read_at"] is not None
    assert second.json()["read_at"] == first.json()["read_at"]  # the first reading is kept
    assert my_client.get("/api/notifications")["X-Unread-Count"] == "0"


def test_stranger_cannot_read_or_mark_my_notification(me, stranger):
    (mine,) = make(me)
    theirs = bearer_client(stranger)

    listed = theirs.get("/api/notifications")
    marked = theirs.post(f"/api/notifications/{mine.pk}/read")
    marked_all = theirs.post("/api/notifications/read-all")

    assert listed.json() == []
    assert marked.status_code == 404
    assert marked.json()["code"] == "notifications.not_found"
    assert marked_all.json()["data"]["marked_read"] == 0
    mine.refresh_from_db()
    assert mine.read_at is None


@pytest.mark.parametrize("notification_id", ["999999", "999999999999999999", "9999999999999999999999"])
def test_mark_read_of_an_unknown_id_is_404(my_client, notification_id):
    response = my_client.post(f"/api/notifications/{notification_id}/read")

    assert response.status_code == 404
    assert response.json()["success"] is False


def test_mark_read_needs_a_signed_in_user(me):
    (notification,) = make(me)

    assert APIClient().post(f"/api/notifications/{notification.pk}/read").status_code == 401


# --- POST /api/notifications/read-all ----------------------------------------------------------------


def test_read_all_marks_only_my_unread_and_says_how_many(my_client, me, stranger):
    earlier = timezone.now() - timedelta(days=1)
    (already,) = make(me, read_at=earlier)
    make(me, 3)
    (theirs,) = make(stranger)

    response = my_client.post("/api/notifications/read-all")
    again = my_client.post("/api/notifications/read-all")

    assert response.status_code == 200
    assert response.json() == {"success": True, "data": {"marked_read": 3}}
    assert again.json()["data"]["marked_read"] == 0
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    already.refresh_from_db()
    theirs.refresh_from_db()
    assert already.read_at == earlier  # a read one keeps when it was read
    assert theirs.read_at is None


def test_read_all_needs_a_signed_in_user():
    assert APIClient().post("/api/notifications/read-all").status_code == 401


# --- query counts: 1 row versus many -----------------------------------------------------------------


@pytest.mark.parametrize("rows", SIZES)
def test_queries_list_constant(my_client, me, rows, django_assert_num_queries):
    make(me, rows)
    # auth; COUNT for X-Total-Count; the page; COUNT of unread for X-Unread-Count
    with django_assert_num_queries(4):
        response = my_client.get("/api/notifications?page_size=50")
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", SIZES)
def test_queries_list_unread_constant(my_client, me, rows, django_assert_num_queries):
    make(me, rows)
    # auth; COUNT (which is the unread count too); the page
    with django_assert_num_queries(3):
        response = my_client.get("/api/notifications?unread=true&page_size=50")
    assert len(response.json()) == rows
    assert response["X-Unread-Count"] == str(rows)


def test_queries_mark_read(my_client, me, django_assert_num_queries):
    (notification,) = make(me)
    # auth; conditional UPDATE (unread and mine); the row, scoped to me
    with django_assert_num_queries(3):
        assert my_client.post(f"/api/notifications/{notification.pk}/read").status_code == 200


@pytest.mark.parametrize("rows", SIZES)
def test_queries_read_all_constant(my_client, me, rows, django_assert_num_queries):
    make(me, rows)
    # auth; one conditional UPDATE
    with django_assert_num_queries(2):
        response = my_client.post("/api/notifications/read-all")
    assert response.json()["data"]["marked_read"] == rows


# --- the socket ticket (POST /api/notifications/ticket; its use: tests/accounts/test_consumers.py) ---------


def test_ticket_is_for_signed_in_users_only(api_client):
    response = api_client.post("/api/notifications/ticket")

    assert response.status_code == 401
    assert response.json()["code"] == "auth.not_authenticated"


def test_ticket_is_issued_without_writing(my_client, settings, django_assert_num_queries):
    settings.WS_TICKET_TTL_SECONDS = 45

    with django_assert_num_queries(1):  # the token's user; the ticket is signed, not stored
        response = my_client.post("/api/notifications/ticket")
    again = my_client.post("/api/notifications/ticket")

    assert response.status_code == 201
    data = response.json()["data"]
    assert data["expires_in"] == 45
    assert data["ticket"] and data["ticket"] != again.json()["data"]["ticket"]
