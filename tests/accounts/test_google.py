"""POST /api/auth/google: real RS256 ID tokens verified against keys served by a local HTTP server."""

import base64
import hashlib
import hmac
import json
import socket
import time

import pytest
from cryptography.hazmat.primitives import serialization
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ActivityLog, User
from tests.accounts.conftest import GOOGLE_CLIENT_ID, rsa_key
from tests.factories import TEST_PASSWORD, UserFactory, wallet_for

pytestmark = pytest.mark.django_db


def b64url(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def google_signin(token: str):
    return APIClient().post("/api/auth/google", {"token": token}, format="json")


def test_google_first_signin_creates_user(google_jwks, google_token):
    response = google_signin(google_token())
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["token"] and body["refresh_token"]
    user = User.objects.get()
    assert body["user"]["id"] == user.pk
    assert (user.email, user.google_id, user.username) == ("ada@gmail.com", "110169484474386276334", "Ada Lovelace")
    assert user.profile_picture == "https://lh3.googleusercontent.com/a/ada"
    assert not user.has_usable_password()
    assert ActivityLog.objects.get(action="auth.google_login").metadata == {"outcome": "created"}


def test_google_signin_finds_user_by_google_id(google_jwks, google_token):
    user = UserFactory(email="other@example.com", google_id="110169484474386276334")
    response = google_signin(google_token())
    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.pk
    assert User.objects.count() == 1


def test_google_signin_links_account_whose_owner_proved_the_address(google_jwks, google_token):
    # given: an account whose owner confirmed the address, with a password and a wallet of their own
    user = UserFactory(email="ada@gmail.com", email_verified_at=timezone.now(), wallet_address=wallet_for(1))
    response = google_signin(google_token(email="ADA@gmail.com"))
    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.pk
    user.refresh_from_db()
    # then: Google is one more way in; what the owner set stays
    assert user.google_id == "110169484474386276334"
    assert user.check_password(TEST_PASSWORD)
    assert user.wallet_address == wallet_for(1)
    entry = ActivityLog.objects.get(action="auth.google_login")
    assert (entry.actor, entry.metadata) == (user, {"outcome": "linked"})


def test_google_signin_linking_ends_the_earlier_sessions(google_jwks, google_token, api_client):
    user = UserFactory(email="ada@gmail.com", email_verified_at=timezone.now())
    earlier = api_client.post(
        "/api/auth/login", {"email": "ada@gmail.com", "password": TEST_PASSWORD}, format="json"
    ).json()
    response = google_signin(google_token(email="ada@gmail.com"))
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {earlier['token']}")
    assert api_client.get("/api/auth/me").status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert api_client.get("/api/auth/me").json()["data"]["user"]["id"] == user.pk


def test_google_signin_linking_by_email_ends_the_unverified_password_and_its_sessions(
    google_jwks, google_token, api_client
):
    # given: someone registered ada's address with a password (never verified) and holds a session
    squatter = api_client.post(
        "/api/auth/register", {"email": "ada@gmail.com", "password": TEST_PASSWORD}, format="json"
    ).json()
    user = User.objects.get(email="ada@gmail.com")

    # when: the owner of the address proves it through Google
    response = google_signin(google_token(email="ada@gmail.com"))

    # then: same account, now Google's; the password and the earlier sessions no longer work
    assert response.status_code == 200
    assert response.json()["user"]["id"] == user.pk
    user.refresh_from_db()
    assert not user.has_usable_password()
    login = api_client.post("/api/auth/login", {"email": "ada@gmail.com", "password": TEST_PASSWORD}, format="json")
    assert login.status_code == 401
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {squatter['token']}")
    assert api_client.get("/api/auth/me").status_code == 401
    refresh = api_client.post("/api/auth/refresh", {"refresh_token": squatter["refresh_token"]}, format="json")
    assert refresh.status_code == 401
    entry = ActivityLog.objects.get(action="auth.google_login")
    assert entry.metadata == {"outcome": "reclaimed"}


def test_google_signin_email_of_account_linked_to_other_google_id_is_409(google_jwks, google_token):
    UserFactory(email="ada@gmail.com", google_id="999")
    response = google_signin(google_token())
    assert response.status_code == 409
    assert response.json()["code"] == "auth.google_account_conflict"


def test_google_signin_disabled_account_is_401(google_jwks, google_token):
    UserFactory(email="ada@gmail.com", google_id="110169484474386276334", is_active=False)
    response = google_signin(google_token())
    assert response.status_code == 401
    assert response.json()["code"] == "auth.account_disabled"
    failure = ActivityLog.objects.get(action="auth.google_login_failed")
    assert failure.metadata == {"code": "auth.account_disabled", "email": "ada@gmail.com"}


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, id="expired"),
        pytest.param({"aud": "someone-else.apps.googleusercontent.com"}, id="wrong-audience"),
        pytest.param({"iss": "https://evil.example.com"}, id="wrong-issuer"),
        pytest.param({"email_verified": False}, id="unverified-email"),
        pytest.param({"email_verified": None}, id="no-email-verified-claim"),
        pytest.param({"email": None}, id="no-email"),
        pytest.param({"sub": None}, id="no-subject"),
        pytest.param({"exp": None}, id="no-expiry"),
    ],
)
def test_google_signin_bad_claims_are_401(google_jwks, google_token, claims):
    response = google_signin(google_token(**claims))
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_google_token"
    assert not User.objects.exists()
    failure = ActivityLog.objects.get(action="auth.google_login_failed")
    assert failure.metadata["code"] == "auth.invalid_google_token"


def test_google_signin_token_signed_by_other_key_is_401(google_jwks, google_token):
    forged = google_token(key=rsa_key())
    response = google_signin(forged)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_google_token"
    assert not User.objects.exists()


def test_google_signin_unknown_key_id_is_401(google_jwks, google_token):
    response = google_signin(google_token(kid="not-published"))
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_google_token"


def test_google_signin_hs256_token_keyed_with_the_public_key_is_401(google_jwks, google_key):
    # The classic algorithm-confusion forgery: an HMAC "signature" keyed with the published RSA key.
    public_pem = google_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    now = int(time.time())
    claims = {
        "iss": "https://accounts.google.com",
        "aud": GOOGLE_CLIENT_ID,
        "sub": "1",
        "email": "mallory@gmail.com",
        "email_verified": True,
        "iat": now,
        "exp": now + 600,
    }
    signing_input = f"{b64url({'alg': 'HS256', 'kid': 'k1', 'typ': 'JWT'})}.{b64url(claims)}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    response = google_signin(token)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_google_token"
    assert not User.objects.exists()


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c"])
def test_google_signin_malformed_token(google_jwks, token):
    response = google_signin(token)
    expected = (400, "request.validation_failed") if token == "" else (401, "auth.invalid_google_token")
    assert (response.status_code, response.json()["code"]) == expected


def test_google_signin_not_configured_is_503(settings, google_token):
    settings.GOOGLE_CLIENT_ID = ""
    response = google_signin(google_token())
    assert response.status_code == 503
    assert response.json()["code"] == "auth.google_not_configured"


def test_google_signin_with_keys_unreachable_is_503(settings, google_token):
    # a port that was just free: nothing listens there
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GOOGLE_CLIENT_ID = GOOGLE_CLIENT_ID
    settings.GOOGLE_CERTS_URL = f"http://127.0.0.1:{port}/certs"
    response = google_signin(google_token())
    assert response.status_code == 503
    assert response.json()["code"] == "auth.google_unavailable"


def test_google_signin_with_key_endpoint_failing_is_503(google_jwks, google_token):
    google_jwks.status = 500
    response = google_signin(google_token())
    assert response.status_code == 503
    assert response.json()["code"] == "auth.google_unavailable"


def test_google_keys_are_cached_between_signins(google_jwks, google_token):
    assert google_signin(google_token()).status_code == 200
    assert google_signin(google_token()).status_code == 200
    assert google_jwks.hits == 1


def test_google_unknown_key_id_does_not_refetch_fresh_keys(google_jwks, google_token):
    # Forged key ids must not make every request download Google's keys again.
    assert google_signin(google_token()).status_code == 200
    for kid in ("x1", "x2", "x3"):
        assert google_signin(google_token(kid=kid)).status_code == 401
    assert google_jwks.hits == 1


def test_google_keys_are_refetched_after_cache_expiry(settings, google_jwks, google_token):
    # given cached keys that have expired, and Google has since added a new key
    settings.GOOGLE_CERTS_CACHE_SECONDS = 0
    assert google_signin(google_token()).status_code == 200
    new_key = rsa_key()
    google_jwks.keys["k2"] = new_key
    # when a token signed by the new key arrives
    response = google_signin(google_token(key=new_key, kid="k2"))
    # then the keys are fetched again and the token is accepted
    assert response.status_code == 200
    assert google_jwks.hits == 2


def test_google_signin_is_throttled_per_ip(settings, google_jwks, google_token):
    settings.LOGIN_RATE_LIMIT_IP = "2/m"
    statuses = []
    for _ in range(6):
        response = google_signin(google_token(aud="wrong-audience"))
        statuses.append(response.status_code)
        if response.status_code == 429:
            break
    assert statuses[-1] == 429, statuses
    assert set(statuses[:-1]) == {401}
    assert response.json()["code"] == "request.rate_limited"
    assert int(response["Retry-After"]) >= 1


def test_google_signin_query_count(google_jwks, google_token, django_assert_num_queries):
    user = UserFactory(email="ada@gmail.com", google_id="110169484474386276334")
    token = google_token()
    # savepoint, 1 user by google_id, insert activity, insert outstanding token, release
    with django_assert_num_queries(5):
        response = google_signin(token)
    assert response.json()["user"]["id"] == user.pk
