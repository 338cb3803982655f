"""The account-takeover path the audit found, replayed end to end over the API: an attacker claims the
victim's address first (registering it, or asking for it in a profile change), links their own wallet
and waits for the victim's Google sign-in. Afterwards the attacker must hold nothing of the victim's."""

import itertools

import pytest
from rest_framework.test import APIClient

from accounts.models import ActivityLog, User
from bounties.models import Reward
from tests.factories import TEST_PASSWORD, RewardFactory
from tests.starknet_wallets import ALICE, challenge_create, hexes

# Confirmation mails leave after commit (transaction.on_commit): these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)

VICTIM = "victim@gmail.com"
ATTACKER_PASSWORD = "attacker-chose-this-1"
_nonces = itertools.count()


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def wallet_proof(wallet_signer) -> dict:
    nonce = f"attacker-nonce-{next(_nonces)}"
    challenge_create(ALICE, nonce)
    signature = wallet_signer(ALICE.address, nonce, ALICE.private_key)
    return {"wallet_address": ALICE.address, "nonce": nonce, "signature": hexes(*signature)}


def attacker_links_wallet(session: dict, wallet_signer) -> None:
    response = bearer(session["token"]).post("/api/auth/wallet/link", wallet_proof(wallet_signer), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["user"]["wallet_address"] == ALICE.address


def attacker_wallet_signin(wallet_signer) -> dict:
    response = APIClient().post("/api/auth/wallet", wallet_proof(wallet_signer), format="json")
    assert response.status_code == 200, response.content
    return response.json()


def victim_google_signin(google_token) -> dict:
    response = APIClient().post("/api/auth/google", {"token": google_token(email=VICTIM)}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_takeover_by_registering_the_victims_address_leaves_the_attacker_nothing(
    google_jwks, google_token, wallet_node, wallet_signer
):
    # given: the attacker registered the victim's address with a password of their choosing, linked
    # their own wallet, and a reward the account won is addressed to that wallet
    attacker = APIClient().post("/api/auth/register", {"email": VICTIM, "password": ATTACKER_PASSWORD}, format="json")
    assert attacker.status_code == 201
    attacker_session = attacker.json()
    attacker_links_wallet(attacker_session, wallet_signer)
    account = User.objects.get(email=VICTIM)
    reward = RewardFactory(user=account, recipient_address=ALICE.address)

    # when: the owner of the address signs in with Google
    victim = victim_google_signin(google_token)

    # then: the victim has the account, cleaned of everything the attacker set
    assert victim["user"]["id"] == account.pk
    assert victim["user"]["wallet_address"] is None
    assert victim["user"]["email_verified"] is True
    assert victim["user"]["username"] == "Ada Lovelace"
    account.refresh_from_db()
    assert not account.has_usable_password()
    assert account.wallet_address is None
    reward.refresh_from_db()
    assert reward.recipient_address is None
    assert reward.status == Reward.Status.PENDING
    # and the attacker holds nothing: not the password, not the sessions, not the wallet
    login = APIClient().post("/api/auth/login", {"email": VICTIM, "password": ATTACKER_PASSWORD}, format="json")
    assert login.status_code == 401
    assert bearer(attacker_session["token"]).get("/api/auth/me").status_code == 401
    refresh = APIClient().post("/api/auth/refresh", {"refresh_token": attacker_session["refresh_token"]}, format="json")
    assert refresh.status_code == 401
    by_wallet = attacker_wallet_signin(wallet_signer)
    assert by_wallet["user"]["id"] != account.pk
    assert by_wallet["user"]["email"] is None
    assert bearer(by_wallet["token"]).get(f"/api/rewards/{reward.pk}").status_code in (403, 404)
    # and the victim's own session works
    assert bearer(victim["token"]).get("/api/auth/me").json()["data"]["user"]["id"] == account.pk
    reclaimed = ActivityLog.objects.get(action="auth.account_reclaimed")
    assert reclaimed.metadata == {"password": True, "wallet_address": ALICE.address, "pending_email": ""}


def test_takeover_by_changing_the_profile_email_leaves_the_attacker_nothing(
    google_jwks, google_token, wallet_node, wallet_signer, mailoutbox
):
    # given: the attacker's own account, with their wallet, asks for the victim's address
    attacker = APIClient().post(
        "/api/auth/register", {"email": "attacker@evil.example", "password": ATTACKER_PASSWORD}, format="json"
    )
    attacker_session = attacker.json()
    attacker_links_wallet(attacker_session, wallet_signer)
    attacker_account = User.objects.get(email="attacker@evil.example")
    change = bearer(attacker_session["token"]).patch("/api/auth/profile", {"email": VICTIM}, format="json")
    assert change.status_code == 200
    # the address is only pending: it is not the attacker's account's address
    assert change.json()["data"]["user"]["email"] == "attacker@evil.example"
    assert change.json()["data"]["user"]["pending_email"] == VICTIM
    confirmation = next(message for message in mailoutbox if message.to == [VICTIM])

    # when: the owner of the address signs in with Google
    victim = victim_google_signin(google_token)

    # then: the victim gets an account of their own; the attacker's holds nothing of theirs
    assert victim["user"]["id"] != attacker_account.pk
    assert victim["user"]["email"] == VICTIM
    assert victim["user"]["wallet_address"] is None
    attacker_account.refresh_from_db()
    assert attacker_account.email == "attacker@evil.example"
    assert attacker_account.google_id is None
    assert attacker_account.wallet_address == ALICE.address
    # and the confirmation link, even if someone opens it now, cannot move the address over
    token = confirmation.body.split("token=")[1].split()[0]
    confirm = APIClient().post("/api/auth/email/confirm", {"token": token}, format="json")
    assert confirm.status_code == 409
    assert confirm.json()["code"] == "auth.email_taken"
    assert attacker_wallet_signin(wallet_signer)["user"]["id"] == attacker_account.pk
    assert User.objects.get(email=VICTIM).pk == victim["user"]["id"]


def test_google_signin_does_not_follow_a_pending_address(google_jwks, google_token, user_client, user):
    # An address someone asked for but never confirmed is not theirs: Google sign-in ignores it.
    assert user_client.patch("/api/auth/profile", {"email": VICTIM}, format="json").status_code == 200
    victim = victim_google_signin(google_token)
    assert victim["user"]["id"] != user.pk


def test_password_of_a_verified_account_survives_google_linking(google_jwks, google_token, mailoutbox):
    # given: the owner registered and confirmed the address
    APIClient().post("/api/auth/register", {"email": VICTIM, "password": TEST_PASSWORD}, format="json")
    token = mailoutbox[0].body.split("token=")[1].split()[0]
    assert APIClient().post("/api/auth/email/confirm", {"token": token}, format="json").status_code == 200

    # when
    victim_google_signin(google_token)

    # then: both ways in work
    login = APIClient().post("/api/auth/login", {"email": VICTIM, "password": TEST_PASSWORD}, format="json")
    assert login.status_code == 200
    assert ActivityLog.objects.get(action="auth.google_login").metadata == {"outcome": "linked"}
