"""Join, leave, participants, submit and submissions: rules, permissions, counters."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ActivityLog
from bounties.models import Bounty, BountyParticipant, Submission
from bounties.services import submission_review
from tests.bounties.helpers import assert_error, join, submit
from tests.factories import BountyFactory, UserFactory

pytestmark = pytest.mark.django_db

PARTICIPANT_KEYS = {"id", "bounty_id", "user_id", "status", "joined_at"}
SUBMISSION_KEYS = {"id", "bounty_id", "user_id", "content", "status", "feedback", "submitted_at", "reviewed_at"}


def count(bounty) -> int:
    bounty.refresh_from_db()
    return bounty.participant_count


# --- join --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["participant", "stranger", "admin"])
def test_join_returns_participant(clients, bounty, persona, request):
    response = clients[persona].post(f"/api/bounties/{bounty.pk}/join")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == PARTICIPANT_KEYS
    assert body["bounty_id"] == str(bounty.pk)
    assert body["user_id"] == request.getfixturevalue(persona).pk
    assert body["status"] == "active"
    assert count(bounty) == 1
    assert ActivityLog.objects.filter(action="bounty.joined", target_id=str(bounty.pk)).count() == 1


def test_join_by_creator_is_403(clients, bounty):
    assert_error(clients["owner"].post(f"/api/bounties/{bounty.pk}/join"), 403, "bounties.creator_cannot_join")
    assert count(bounty) == 0


def test_join_anonymous_is_401(clients, bounty):
    assert_error(clients["anonymous"].post(f"/api/bounties/{bounty.pk}/join"), 401, "auth.not_authenticated")


def test_join_twice_is_409(clients, bounty, joined):
    assert_error(clients["participant"].post(f"/api/bounties/{bounty.pk}/join"), 409, "bounties.already_joined")
    assert count(bounty) == 1
    assert BountyParticipant.objects.filter(bounty=bounty).count() == 1


def test_join_full_bounty_is_409(clients, owner):
    bounty = BountyFactory(created_by=owner, max_participants=1)
    join(bounty, UserFactory())
    assert_error(clients["stranger"].post(f"/api/bounties/{bounty.pk}/join"), 409, "bounties.full")
    assert count(bounty) == 1


def test_join_past_deadline_is_409(clients, owner):
    bounty = BountyFactory(created_by=owner, deadline=timezone.now() - timedelta(minutes=1))
    assert_error(clients["stranger"].post(f"/api/bounties/{bounty.pk}/join"), 409, "bounties.deadline_passed")
    assert count(bounty) == 0


@pytest.mark.parametrize("status", ["in_review", "completed", "cancelled", "expired"])
def test_join_not_open_is_409(clients, owner, status):
    bounty = BountyFactory(created_by=owner, status=status)
    assert_error(clients["stranger"].post(f"/api/bounties/{bounty.pk}/join"), 409, "bounties.not_open")
    assert count(bounty) == 0


def test_join_unknown_bounty_is_404(clients):
    assert_error(clients["stranger"].post(f"/api/bounties/{uuid.uuid4()}/join"), 404, "bounties.not_found")


def test_join_without_limit_has_no_cap(clients, owner):
    bounty = BountyFactory(created_by=owner, max_participants=None, deadline=None)
    for user in UserFactory.create_batch(3):
        join(bounty, user)
    assert clients["stranger"].post(f"/api/bounties/{bounty.pk}/join").status_code == 201
    assert count(bounty) == 4


def test_rejoin_after_leaving_reactivates_the_row(clients, bounty, joined):
    clients["participant"].post(f"/api/bounties/{bounty.pk}/leave")
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/join")
    assert response.status_code == 201
    assert response.json()["id"] == str(joined.pk)
    assert response.json()["status"] == "active"
    assert BountyParticipant.objects.filter(bounty=bounty).count() == 1
    assert count(bounty) == 1


def test_rejoin_refused_when_full_meanwhile(clients, owner, participant):
    bounty = BountyFactory(created_by=owner, max_participants=1)
    join(bounty, participant)
    clients["participant"].post(f"/api/bounties/{bounty.pk}/leave")
    join(bounty, UserFactory())
    assert_error(clients["participant"].post(f"/api/bounties/{bounty.pk}/join"), 409, "bounties.full")
    assert BountyParticipant.objects.get(bounty=bounty, user=participant).status == "withdrawn"


# --- leave -------------------------------------------------------------------------------------------


def test_leave_returns_withdrawn_participant(clients, bounty, joined):
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/leave")
    assert response.status_code == 200
    assert response.json()["id"] == str(joined.pk)
    assert response.json()["status"] == "withdrawn"
    assert count(bounty) == 0
    assert ActivityLog.objects.filter(action="bounty.left", target_id=str(bounty.pk)).exists()


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("owner", 403, "bounties.not_participant"),
        ("stranger", 403, "bounties.not_participant"),
        ("admin", 403, "bounties.not_participant"),
        ("anonymous", 401, "auth.not_authenticated"),
    ],
)
def test_leave_by_non_participants_is_refused(clients, bounty, joined, persona, status, code):
    assert_error(clients[persona].post(f"/api/bounties/{bounty.pk}/leave"), status, code)
    assert count(bounty) == 1


def test_leave_twice_is_403_and_keeps_counter(clients, bounty, joined):
    join(bounty, UserFactory())
    assert clients["participant"].post(f"/api/bounties/{bounty.pk}/leave").status_code == 200
    assert_error(clients["participant"].post(f"/api/bounties/{bounty.pk}/leave"), 403, "bounties.not_participant")
    assert count(bounty) == 1


def test_leave_blocked_with_approved_submission(clients, bounty, submission, owner):
    submission_review(bounty_id=bounty.pk, submission_id=submission.pk, actor=owner, status="approved")
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/leave")
    assert_error(response, 409, "bounties.has_approved_submission")
    assert count(bounty) == 1
    assert BountyParticipant.objects.get(bounty=bounty, user=submission.user).status == "active"


def test_leave_unknown_bounty_is_404(clients):
    assert_error(clients["participant"].post(f"/api/bounties/{uuid.uuid4()}/leave"), 404, "bounties.not_found")


# --- participants ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["owner", "participant", "stranger", "admin", "anonymous"])
def test_participants_list_is_public(clients, bounty, joined, persona):
    leaver = UserFactory()
    join(bounty, leaver)
    response = clients[persona].get(f"/api/bounties/{bounty.pk}/participants")
    assert response.status_code == 200
    assert response["X-Total-Count"] == "2"
    rows = response.json()
    assert [row["id"] for row in rows] == [str(joined.pk), str(BountyParticipant.objects.get(user=leaver).pk)]
    assert set(rows[0]) == PARTICIPANT_KEYS


def test_participants_list_unknown_bounty_is_404(clients):
    assert_error(clients["anonymous"].get(f"/api/bounties/{uuid.uuid4()}/participants"), 404, "bounties.not_found")


# --- submit ------------------------------------------------------------------------------------------


def test_submit_by_participant_creates_pending_submission(clients, bounty, joined, participant):
    response = clients["participant"].post(
        f"/api/bounties/{bounty.pk}/submit", {"content": "https://github.com/a/b/pull/1"}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == SUBMISSION_KEYS
    assert body["status"] == "pending"
    assert body["user_id"] == participant.pk
    assert body["reviewed_at"] is None
    bounty.refresh_from_db()
    assert bounty.submission_count == 1


@pytest.mark.parametrize(
    ("persona", "status", "code"),
    [
        ("owner", 403, "bounties.not_participant"),
        ("stranger", 403, "bounties.not_participant"),
        ("admin", 403, "bounties.not_participant"),
        ("anonymous", 401, "auth.not_authenticated"),
    ],
)
def test_submit_without_joining_is_refused(clients, bounty, joined, persona, status, code):
    response = clients[persona].post(f"/api/bounties/{bounty.pk}/submit", {"content": "work"}, format="json")
    assert_error(response, status, code)
    assert not Submission.objects.exists()


def test_submit_after_leaving_is_403(clients, bounty, joined):
    clients["participant"].post(f"/api/bounties/{bounty.pk}/leave")
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", {"content": "work"}, format="json")
    assert_error(response, 403, "bounties.not_participant")


def test_resubmission_replaces_the_pending_one(clients, bounty, submission):
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", {"content": "v2"}, format="json")
    assert response.status_code == 201
    pending = Submission.objects.filter(bounty=bounty, status="pending")
    assert [s.content for s in pending] == ["v2"]
    assert not Submission.objects.filter(pk=submission.pk).exists()
    bounty.refresh_from_db()
    assert bounty.submission_count == 1


def test_resubmission_after_rejection_adds_a_new_one(clients, bounty, submission, owner):
    submission_review(bounty_id=bounty.pk, submission_id=submission.pk, actor=owner, status="rejected")
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", {"content": "v2"}, format="json")
    assert response.status_code == 201
    assert Submission.objects.filter(bounty=bounty).count() == 2
    bounty.refresh_from_db()
    assert bounty.submission_count == 2


def test_submit_to_bounty_not_open_is_409(clients, bounty, joined):
    Bounty.objects.filter(pk=bounty.pk).update(status="in_review")
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", {"content": "late"}, format="json")
    assert_error(response, 409, "bounties.not_open")


def test_submit_past_deadline_is_409(clients, bounty, joined):
    Bounty.objects.filter(pk=bounty.pk).update(deadline=timezone.now() - timedelta(seconds=1))
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", {"content": "late"}, format="json")
    assert_error(response, 409, "bounties.deadline_passed")


@pytest.mark.parametrize(
    "body", [{}, {"content": ""}, {"content": "x" * 20_001}, {"content": ["x"]}, {"content": None}]
)
def test_submit_bad_content_is_400(clients, bounty, joined, body):
    response = clients["participant"].post(f"/api/bounties/{bounty.pk}/submit", body, format="json")
    assert_error(response, 400, "request.validation_failed")
    assert "content" in response.json()["errors"]


def test_submit_unknown_bounty_is_404(clients):
    response = clients["participant"].post(f"/api/bounties/{uuid.uuid4()}/submit", {"content": "x"}, format="json")
    assert_error(response, 404, "bounties.not_found")


# --- submissions -------------------------------------------------------------------------------------


@pytest.fixture
def two_submissions(bounty, submission):
    other = UserFactory()
    join(bounty, other)
    return submission, submit(bounty, other, "other work")


@pytest.mark.parametrize("persona", ["owner", "admin"])
def test_submissions_owner_and_admin_see_all(clients, bounty, two_submissions, persona):
    response = clients[persona].get(f"/api/bounties/{bounty.pk}/submissions")
    assert response.status_code == 200
    assert {row["id"] for row in response.json()} == {str(s.pk) for s in two_submissions}
    assert response["X-Total-Count"] == "2"
    assert set(response.json()[0]) == SUBMISSION_KEYS


def test_submissions_participant_sees_own(clients, bounty, two_submissions):
    response = clients["participant"].get(f"/api/bounties/{bounty.pk}/submissions")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [str(two_submissions[0].pk)]


def test_submissions_submitter_who_left_still_sees_own(clients, bounty, two_submissions):
    clients["participant"].post(f"/api/bounties/{bounty.pk}/leave")
    response = clients["participant"].get(f"/api/bounties/{bounty.pk}/submissions")
    assert [row["id"] for row in response.json()] == [str(two_submissions[0].pk)]


def test_submissions_stranger_is_403_anonymous_401(clients, bounty, two_submissions):
    assert_error(
        clients["stranger"].get(f"/api/bounties/{bounty.pk}/submissions"), 403, "bounties.submissions_forbidden"
    )
    assert_error(clients["anonymous"].get(f"/api/bounties/{bounty.pk}/submissions"), 401, "auth.not_authenticated")


@pytest.mark.parametrize("path", ["participants", "submissions"])
@pytest.mark.parametrize("query", ["page=0", "page=x", "page_size=101", "page_size=-1"])
def test_participants_and_submissions_bad_page_is_400(clients, bounty, two_submissions, path, query):
    response = clients["owner"].get(f"/api/bounties/{bounty.pk}/{path}?{query}")
    assert_error(response, 400, "request.validation_failed")


def test_submissions_unknown_bounty_is_404(clients):
    assert_error(clients["owner"].get(f"/api/bounties/{uuid.uuid4()}/submissions"), 404, "bounties.not_found")
