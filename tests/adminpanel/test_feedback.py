"""POST /api/feedback/submit: stored for the admin, validated, attributed to a signed-in user."""

import pytest

from adminpanel.models import Feedback

pytestmark = pytest.mark.django_db

URL = "/api/feedback/submit"


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


def test_feedback_submit_query_count(api_client, django_assert_num_queries):
    # INSERT feedback (the rate limit counts outside the database)
    with django_assert_num_queries(1):
        response = api_client.post(URL, {"name": "Ada", "feedback": "Hi"}, format="json")
    assert response.status_code == 201
