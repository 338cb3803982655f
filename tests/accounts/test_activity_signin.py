"""Every way in leaves one activity row, success or failure, with who, from where and which request:
password, Google, Starknet wallet, the admin site, and refresh tokens refused after revocation."""

import pytest
from rest_framework.test import APIClient

from accounts.models import ActivityLog, User
from tests.accounts.conftest import rsa_key
from tests.activity import activity_row, traced
from tests.factories import TEST_PASSWORD, AdminFactory, UserFactory
from tests.starknet_wallets import ALICE, BOB, challenge_create, hexes

pytestmark = pytest.mark.django_db


def post(url: str, body: dict, request_id: str):
    return APIClient().post(url, body, format="json", **traced(request_id))


def wallet_proof(wallet, nonce: str, signature) -> dict:
    return {"wallet_address": wallet.address, "nonce": nonce, "signature": hexes(*signature)}


def test_activity_password_signin_and_its_failure(user):
    assert post("/api/auth/login", {"email": user.email, "password": "wrong-password-1"}, "req-pw-1").status_code == 401
    assert post("/api/auth/login", {"email": user.email, "password": TEST_PASSWORD}, "req-pw-2").status_code == 200

    activity_row(
        "auth.login_failed",
        actor=None,
        target_type="user",
        target_id=user.pk,
        request_id="req-pw-1",
        metadata={"email": user.email},
    )
    activity_row(
        "auth.login", actor=user, target_type="", target_id="", request_id="req-pw-2", metadata={"method": "password"}
    )


def test_activity_google_signin_and_its_failure(google_jwks, google_token):
    refused = post("/api/auth/google", {"token": google_token(key=rsa_key())}, "req-g-1")
    signed_in = post("/api/auth/google", {"token": google_token()}, "req-g-2")

    assert (refused.status_code, signed_in.status_code) == (401, 200)
    activity_row(
        "auth.google_login_failed",
        actor=None,
        target_type="",
        target_id="",
        request_id="req-g-1",
        metadata={"code": "auth.invalid_google_token"},
    )
    activity_row(
        "auth.google_login",
        actor=User.objects.get(),
        target_type="",
        target_id="",
        request_id="req-g-2",
        metadata={"outcome": "created"},
    )


def test_activity_wallet_signin_and_its_failure(wallet_node, wallet_signer):
    challenge_create(ALICE, "act-bad")
    challenge_create(ALICE, "act-good")
    bad = wallet_signer(ALICE.address, "act-bad", BOB.private_key)
    good = wallet_signer(ALICE.address, "act-good", ALICE.private_key)

    assert post("/api/auth/wallet", wallet_proof(ALICE, "act-bad", bad), "req-w-1").status_code == 401
    assert post("/api/auth/wallet", wallet_proof(ALICE, "act-good", good), "req-w-2").status_code == 200

    activity_row(
        "auth.wallet_login_failed",
        actor=None,
        target_type="",
        target_id="",
        request_id="req-w-1",
        metadata={"reason": "invalid_signature", "wallet_address": ALICE.address},
    )
    user = User.objects.get(wallet_address=ALICE.address)
    activity_row(
        "auth.wallet_login",
        actor=user,
        target_type="user",
        target_id=user.pk,
        request_id="req-w-2",
        metadata={"wallet_address": ALICE.address, "created": True},
    )


def test_activity_wallet_signin_of_a_disabled_account_is_logged_as_a_failure(wallet_node, wallet_signer):
    # The refusal rolls the sign-in back; the failure row is written after it.
    UserFactory(wallet_address=ALICE.address, is_active=False)
    challenge_create(ALICE, "act-disabled")
    signature = wallet_signer(ALICE.address, "act-disabled", ALICE.private_key)

    response = post("/api/auth/wallet", wallet_proof(ALICE, "act-disabled", signature), "req-w-3")

    assert response.json()["code"] == "auth.account_disabled"
    activity_row(
        "auth.wallet_login_failed",
        actor=None,
        target_type="",
        target_id="",
        request_id="req-w-3",
        metadata={"reason": "account_disabled", "wallet_address": ALICE.address},
    )
    assert not ActivityLog.objects.filter(action="auth.wallet_login").exists()


def test_activity_wallet_link_to_a_wallet_of_another_account_is_logged(user, client_for, wallet_node, wallet_signer):
    UserFactory(wallet_address=ALICE.address)
    challenge_create(ALICE, "act-link")
    signature = wallet_signer(ALICE.address, "act-link", ALICE.private_key)

    response = client_for(user).post(
        "/api/auth/wallet/link", wallet_proof(ALICE, "act-link", signature), format="json", **traced("req-w-4")
    )

    assert response.status_code == 409
    activity_row(
        "auth.wallet_link_failed",
        actor=user,
        target_type="",
        target_id="",
        request_id="req-w-4",
        metadata={"reason": "wallet_taken", "wallet_address": ALICE.address},
    )


def test_activity_admin_site_signin_and_its_failure(client):
    operator = AdminFactory()

    def admin_login(password: str, request_id: str):
        body = {"username": operator.email, "password": password, "next": "/admin/"}
        return client.post("/admin/login/", body, **traced(request_id))

    assert admin_login("wrong-password-1", "req-adm-1").status_code == 200
    assert admin_login(TEST_PASSWORD, "req-adm-2").status_code == 302

    activity_row(
        "auth.admin_login_failed",
        actor=None,
        target_type="user",
        target_id=operator.pk,
        request_id="req-adm-1",
        metadata={"email": operator.email},
    )
    activity_row(
        "auth.admin_login",
        actor=operator,
        target_type="",
        target_id="",
        request_id="req-adm-2",
        metadata={"method": "password"},
    )


def test_activity_refresh_with_a_rotated_token_is_logged_as_revoked(user):
    # given: a session whose refresh token was exchanged once
    session = post("/api/auth/login", {"email": user.email, "password": TEST_PASSWORD}, "req-r-0").json()
    assert post("/api/auth/refresh", {"refresh_token": session["refresh_token"]}, "req-r-1").status_code == 200

    # when: the old token comes back (a replay: it may have been stolen)
    replay = post("/api/auth/refresh", {"refresh_token": session["refresh_token"]}, "req-r-2")

    # then
    assert replay.status_code == 401
    activity_row(
        "auth.refresh_refused",
        actor=None,
        target_type="user",
        target_id=user.pk,
        request_id="req-r-2",
        metadata={"reason": "revoked"},
    )


@pytest.mark.parametrize(("change", "reason"), [("sessions_ended", "sessions_ended"), ("disabled", "account_disabled")])
def test_activity_refresh_after_sessions_ended_or_deactivation_is_logged(user, change, reason):
    session = post("/api/auth/login", {"email": user.email, "password": TEST_PASSWORD}, "req-r-3").json()
    if change == "disabled":
        user.is_active = False
        user.save(update_fields=["is_active"])
    else:
        # Every session ends by the generation alone (as a credential change that keeps none does).
        User.objects.filter(pk=user.pk).update(token_generation=user.token_generation + 1)

    response = post("/api/auth/refresh", {"refresh_token": session["refresh_token"]}, "req-r-4")

    assert response.status_code == 401
    activity_row(
        "auth.refresh_refused",
        actor=None,
        target_type="user",
        target_id=user.pk,
        request_id="req-r-4",
        metadata={"reason": reason},
    )


@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoiMSJ9.AAAA"])
def test_activity_refresh_with_a_forged_or_junk_token_names_nobody_and_is_not_logged(db, token):
    assert post("/api/auth/refresh", {"refresh_token": token}, "req-r-5").status_code == 401

    assert not ActivityLog.objects.exists()
