"""The activity log learns who, from where and under which request id from the request being served,
not from arguments: services take the acting user and plain values."""

import pytest

from accounts.models import ActivityLog
from accounts.services import activity_record
from blocra.request_context import RequestContext, request_context_bound
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_activity_record_takes_address_agent_and_request_id_from_the_request(api_client, settings):
    # given: a proxy in front on loopback (the test client's address), which appended the client's
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    body = {"email": "trace@example.com", "password": "a-long-enough-password-9"}

    # when
    response = api_client.post(
        "/api/auth/register",
        body,
        format="json",
        HTTP_X_REQUEST_ID="req-activity-1",
        HTTP_USER_AGENT="blocra-app/1.0",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )

    # then
    assert response.status_code == 201
    entry = ActivityLog.objects.get(action="auth.register")
    assert (entry.request_id, entry.ip_address, entry.user_agent) == ("req-activity-1", "203.0.113.7", "blocra-app/1.0")
    assert response["X-Request-ID"] == "req-activity-1"


def test_activity_record_outside_a_request_leaves_where_from_empty():
    user = UserFactory()

    entry = activity_record(action="bounty.expired_by_job", actor=user)

    assert (entry.request_id, entry.ip_address, entry.user_agent) == ("", None, "")


def test_activity_record_inside_a_bound_context_uses_it():
    # A job or a test binds a context of its own, as the middleware does per request.
    with request_context_bound(RequestContext(request_id="job-42", ip_address=None, user_agent="verify_payouts")):
        entry = activity_record(action="reward.checked")

    assert (entry.request_id, entry.ip_address, entry.user_agent) == ("job-42", None, "verify_payouts")
