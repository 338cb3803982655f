"""Addresses are proven by a link mailed to them: at registration and on every change of address."""

import re
import smtplib

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import ActivityLog, User
from tests.factories import TEST_PASSWORD, UserFactory

# Confirmation mails leave after commit (transaction.on_commit): these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

STRONG = "correct horse battery staple 42"
CONFIRM = "/api/auth/email/confirm"
RESEND = "/api/auth/email/resend"
PAGE = "/account/confirm-email"


def link_token(message) -> str:
    match = re.search(r"/account/confirm-email\?token=(\S+)", message.body)
    assert match, message.body
    return match.group(1)


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def sign_in(email: str, password: str = TEST_PASSWORD) -> dict:
    response = APIClient().post("/api/auth/login", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def confirm(token: str):
    return APIClient().post(CONFIRM, {"token": token}, format="json")


def test_register_mails_a_confirmation_link_and_confirming_proves_the_address(api_client, mailoutbox):
    response = api_client.post("/api/auth/register", {"email": "ada@example.com", "password": STRONG}, format="json")
    assert response.json()["user"]["email_verified"] is False
    (message,) = mailoutbox
    assert message.to == ["ada@example.com"]
    assert "Confirm your email address" in message.subject
    assert message.body.count("http://testserver/account/confirm-email?token=") == 1

    answer = confirm(link_token(message))

    assert answer.status_code == 200
    body = answer.json()
    assert body["message"] == "Email address confirmed"
    assert body["data"]["user"]["email_verified"] is True
    assert User.objects.get().email_verified_at is not None
    assert ActivityLog.objects.filter(action="auth.email_verified").count() == 1
    # opening the link again is harmless, and the session registration gave still works
    assert confirm(link_token(message)).status_code == 200
    assert bearer(response.json()["token"]).get("/api/auth/me").status_code == 200


def test_email_change_waits_for_the_new_address_and_tells_the_old_one(mailoutbox):
    user = UserFactory(email="ada@example.com")
    session = sign_in("ada@example.com")
    response = bearer(session["token"]).patch("/api/auth/profile", {"email": "Ada@New.example"}, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.email, user.pending_email) == ("ada@example.com", "ada@new.example")
    to_new, to_old = sorted(mailoutbox, key=lambda message: message.to != ["ada@new.example"])
    assert to_new.to == ["ada@new.example"]
    assert to_old.to == ["ada@example.com"]
    assert "token=" not in to_old.body
    # until confirmed, the old address still signs in and the new one does not
    sign_in("ada@example.com")
    refused = APIClient().post(
        "/api/auth/login", {"email": "ada@new.example", "password": TEST_PASSWORD}, format="json"
    )
    assert refused.status_code == 401


def test_email_change_confirmed_ends_every_other_session_but_the_one_that_asked(mailoutbox):
    UserFactory(email="ada@example.com")
    asking, other = sign_in("ada@example.com"), sign_in("ada@example.com")
    bearer(asking["token"]).patch("/api/auth/profile", {"email": "ada@new.example"}, format="json")
    (to_new,) = [message for message in mailoutbox if message.to == ["ada@new.example"]]

    answer = confirm(link_token(to_new))

    assert answer.status_code == 200
    assert answer.json()["message"] == "Email address changed"
    user = User.objects.get()
    assert (user.email, user.pending_email, user.email_verified) == ("ada@new.example", None, True)
    # the other session ended, access and refresh alike
    assert bearer(other["token"]).get("/api/auth/me").status_code == 401
    refused = APIClient().post("/api/auth/refresh", {"refresh_token": other["refresh_token"]}, format="json")
    assert refused.status_code == 401
    # the asking session goes on, and so does its refresh
    assert bearer(asking["token"]).get("/api/auth/me").json()["data"]["user"]["email"] == "ada@new.example"
    renewed = APIClient().post("/api/auth/refresh", {"refresh_token": asking["refresh_token"]}, format="json")
    assert renewed.status_code == 200
    assert bearer(renewed.json()["token"]).get("/api/auth/me").status_code == 200
    # the new address signs in now
    sign_in("ada@new.example")
    assert ActivityLog.objects.get(action="auth.email_changed").metadata == {
        "previous": "ada@example.com",
        "email": "ada@new.example",
    }


def test_email_confirm_refuses_a_superseded_link(mailoutbox):
    UserFactory(email="ada@example.com")
    client = bearer(sign_in("ada@example.com")["token"])
    client.patch("/api/auth/profile", {"email": "first@new.example"}, format="json")
    client.patch("/api/auth/profile", {"email": "second@new.example"}, format="json")
    first = next(message for message in mailoutbox if message.to == ["first@new.example"])
    answer = confirm(link_token(first))
    assert answer.status_code == 400
    assert answer.json()["code"] == "auth.invalid_email_token"
    assert User.objects.get().email == "ada@example.com"


def test_email_confirm_refuses_a_used_change_link(mailoutbox):
    UserFactory(email="ada@example.com")
    bearer(sign_in("ada@example.com")["token"]).patch("/api/auth/profile", {"email": "b@new.example"}, format="json")
    token = link_token(next(message for message in mailoutbox if message.to == ["b@new.example"]))
    assert confirm(token).status_code == 200
    # the account moves on; asking for the old address back and replaying the old link does nothing
    assert confirm(token).json()["message"] == "Email address confirmed"
    assert User.objects.get().email == "b@new.example"


def test_email_confirm_refuses_an_expired_link(mailoutbox, fake_clock, settings):
    settings.EMAIL_CONFIRM_TTL_SECONDS = 3600
    APIClient().post("/api/auth/register", {"email": "ada@example.com", "password": STRONG}, format="json")
    fake_clock.advance(3601)
    answer = confirm(link_token(mailoutbox[0]))
    assert answer.status_code == 400
    assert answer.json()["code"] == "auth.invalid_email_token"
    assert User.objects.get().email_verified_at is None


@pytest.mark.parametrize("token", ["", "x" * 40, "eyJ1IjoxfQ:forged:signature"])
def test_email_confirm_refuses_forged_tokens(token):
    answer = confirm(token)
    assert answer.status_code == 400
    # an empty token is malformed input; any other is not one of ours
    assert answer.json()["code"] == ("request.validation_failed" if not token else "auth.invalid_email_token")


def test_email_confirm_of_an_address_taken_meanwhile_is_409(mailoutbox):
    UserFactory(email="ada@example.com")
    bearer(sign_in("ada@example.com")["token"]).patch("/api/auth/profile", {"email": "b@new.example"}, format="json")
    token = link_token(next(message for message in mailoutbox if message.to == ["b@new.example"]))
    UserFactory(email="b@new.example")
    answer = confirm(token)
    assert answer.status_code == 409
    assert answer.json()["code"] == "auth.email_taken"
    assert User.objects.get(email="ada@example.com").pending_email == "b@new.example"


def test_email_change_to_an_address_of_another_account_is_409(mailoutbox):
    UserFactory(email="ada@example.com")
    UserFactory(email="taken@example.com")
    response = bearer(sign_in("ada@example.com")["token"]).patch(
        "/api/auth/profile", {"email": "Taken@example.com"}, format="json"
    )
    assert response.status_code == 409
    assert mailoutbox == []


def test_email_change_back_to_the_current_address_cancels_the_pending_one(mailoutbox):
    UserFactory(email="ada@example.com")
    client = bearer(sign_in("ada@example.com")["token"])
    client.patch("/api/auth/profile", {"email": "b@new.example"}, format="json")
    token = link_token(next(message for message in mailoutbox if message.to == ["b@new.example"]))
    response = client.patch("/api/auth/profile", {"email": "ada@example.com"}, format="json")
    assert response.json()["data"]["user"]["pending_email"] is None
    assert confirm(token).status_code == 400


def test_email_resend_mails_the_pending_link_again(mailoutbox):
    UserFactory(email="ada@example.com")
    client = bearer(sign_in("ada@example.com")["token"])
    client.patch("/api/auth/profile", {"email": "b@new.example"}, format="json")
    mailoutbox.clear()
    response = client.post(RESEND)
    assert response.status_code == 200
    assert response.json() == {"success": True, "message": "Confirmation link sent"}
    (message,) = mailoutbox
    assert message.to == ["b@new.example"]
    assert confirm(link_token(message)).status_code == 200


def test_email_resend_without_anything_to_confirm_is_400(mailoutbox):
    client = bearer(str(RefreshToken.for_user(UserFactory(email=None)).access_token))
    response = client.post(RESEND)
    assert response.status_code == 400
    assert response.json()["code"] == "auth.nothing_to_confirm"


def test_email_resend_is_throttled_per_account(mailoutbox, settings, fake_clock):
    settings.EMAIL_CONFIRM_RESEND_RATE_LIMIT = "2/h"
    APIClient().post("/api/auth/register", {"email": "ada@example.com", "password": STRONG}, format="json")
    client = bearer(sign_in("ada@example.com", STRONG)["token"])
    assert [client.post(RESEND).status_code for _ in range(3)] == [200, 200, 429]
    assert len(mailoutbox) == 3  # registration's, then two resent


def test_email_resend_needs_a_session():
    assert APIClient().post(RESEND).status_code == 401


def test_email_change_is_kept_when_the_mail_server_fails(settings, caplog):
    # A real SMTP attempt to a port nobody listens on: the change stays, the failure is logged.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    UserFactory(email="ada@example.com")
    response = bearer(sign_in("ada@example.com")["token"]).patch(
        "/api/auth/profile", {"email": "b@new.example"}, format="json"
    )
    assert response.status_code == 200
    assert User.objects.get().pending_email == "b@new.example"
    assert any("could not send the change message" in record.getMessage() for record in caplog.records)
    assert any(
        isinstance(record.exc_info[1], OSError | smtplib.SMTPException) for record in caplog.records if record.exc_info
    )


def test_confirm_page_asks_before_confirming_and_confirms_on_post(mailoutbox):
    APIClient().post("/api/auth/register", {"email": "ada@example.com", "password": STRONG}, format="json")
    token = link_token(mailoutbox[0])
    browser = APIClient(enforce_csrf_checks=True)
    # opening the link (or a mail scanner fetching it) changes nothing
    page = browser.get(PAGE, {"token": token})
    assert page.status_code == 200
    assert b"Confirm my email address" in page.content
    assert User.objects.get().email_verified_at is None
    csrf = page.cookies["csrftoken"].value
    done = browser.post(PAGE, {"token": token, "csrfmiddlewaretoken": csrf})
    assert done.status_code == 200
    assert b"is confirmed" in done.content
    assert User.objects.get().email_verified_at is not None


def test_confirm_page_refuses_a_bad_token_with_a_message():
    browser = APIClient()
    assert b"incomplete" in browser.get(PAGE).content
    refused = browser.post(PAGE, {"token": "forged"})
    assert refused.status_code == 400
    assert b"invalid, expired or already used" in refused.content


def test_email_confirm_link_points_at_the_apps_page_when_configured(settings, mailoutbox):
    settings.EMAIL_CONFIRM_URL = "https://app.blocra.example/confirm-email?token={token}"
    APIClient().post("/api/auth/register", {"email": "ada@example.com", "password": STRONG}, format="json")
    assert "https://app.blocra.example/confirm-email?token=" in mailoutbox[0].body
