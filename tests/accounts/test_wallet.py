"""Starknet wallet sign-in through the HTTP API, against the local Starknet node."""

import io
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from rest_framework.test import APIClient
from starknet_py.hash.utils import message_signature

from accounts.models import ActivityLog, User, WalletChallenge
from accounts.services.wallet import CHALLENGE_PURGE_BATCH, signin_typed_data
from blocra import starknet
from tests.bulkhead import chain_slots_held
from tests.factories import TEST_PASSWORD, UserFactory
from tests.starknet_node import unreachable_url
from tests.starknet_wallets import (
    ALICE,
    ALICE_SECOND,
    BOB,
    CAROL_LEGACY,
    DAVE_ZERO,
    UNDEPLOYED,
    challenge_create,
    deploy_wallets,
    hexes,
)

pytestmark = pytest.mark.django_db

SIGNIN = "/api/auth/wallet"
LINK = "/api/auth/wallet/link"
CHALLENGE = "/api/auth/wallet/challenge"


def proof(wallet, nonce, signature):
    return {"wallet_address": wallet.address, "nonce": nonce, "signature": hexes(*signature)}


@pytest.fixture
def alice_challenge(db):
    return challenge_create(ALICE, "alice-nonce-1")


@pytest.fixture
def alice_proof(alice_challenge, wallet_signer):
    return proof(ALICE, "alice-nonce-1", wallet_signer(ALICE.address, "alice-nonce-1", ALICE.private_key))


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    return body


def challenge_used(nonce: str) -> bool:
    return WalletChallenge.objects.get(nonce=nonce).used_at is not None


# --- Challenge --------------------------------------------------------------------------------------


def test_challenge_issues_single_use_snip12_typed_data(api_client, settings):
    # when
    response = api_client.get(CHALLENGE, {"address": "0xA11CE"})

    # then
    assert response.status_code == 200
    data = response.json()["data"]
    challenge = WalletChallenge.objects.get(nonce=data["nonce"])
    assert challenge.address == ALICE.address
    assert challenge.chain_id == "SN_SEPOLIA"
    assert challenge.used_at is None
    assert 1 <= len(data["nonce"]) <= 31 and data["nonce"].isascii()
    assert (challenge.expires_at - challenge.issued_at) == timedelta(seconds=settings.STARKNET_SIGNIN_TTL)
    typed = data["typed_data"]
    assert typed["primaryType"] == "SignIn"
    assert typed["domain"] == {"name": "BlocRA", "version": "1", "chainId": "SN_SEPOLIA", "revision": "1"}
    assert typed["message"]["address"] == ALICE.address
    assert typed["message"]["nonce"] == data["nonce"]
    assert typed["message"]["expiresAt"] == int(challenge.expires_at.timestamp())
    assert data["expires_at"].endswith("Z")
    # The hash the wallet computes from what we sent equals the one the backend rebuilds.
    assert starknet.message_hash(typed, ALICE.address) == starknet.message_hash(
        signin_typed_data(
            address=ALICE.address,
            nonce=challenge.nonce,
            issued_at=int(challenge.issued_at.timestamp()),
            expires_at=int(challenge.expires_at.timestamp()),
        ),
        ALICE.address,
    )


def test_challenge_nonces_differ(api_client):
    first = api_client.get(CHALLENGE, {"address": ALICE.address}).json()["data"]["nonce"]
    second = api_client.get(CHALLENGE, {"address": ALICE.address}).json()["data"]["nonce"]
    assert first != second


@pytest.mark.parametrize("address", ["", "0x", "0x0", "a11ce", "0x" + "f" * 63, "0xZZ", "0x" + "1" * 65])
def test_challenge_rejects_invalid_address(api_client, address):
    response = api_client.get(CHALLENGE, {"address": address})
    body = assert_error(response, 400, "request.validation_failed")
    assert "address" in body["errors"]
    assert not WalletChallenge.objects.exists()


def test_challenge_without_address_is_400(api_client):
    assert_error(api_client.get(CHALLENGE), 400, "request.validation_failed")


def test_challenge_query_count(api_client, django_assert_num_queries):
    # SELECT the ids of long-expired challenges (none: no DELETE); INSERT the challenge (the rate limits
    # count outside the database)
    with django_assert_num_queries(2):
        response = api_client.get(CHALLENGE, {"address": ALICE.address})
    assert response.status_code == 200


def test_challenge_query_count_with_expired_challenges_to_purge(api_client, django_assert_num_queries):
    long_ago = int(time.time()) - 2 * 86400
    for index in range(3):
        challenge_create(ALICE, f"stale-{index}", issued_at=long_ago, expires_at=long_ago + 300)
    # SELECT the ids of long-expired challenges; DELETE them; INSERT the challenge
    with django_assert_num_queries(3):
        response = api_client.get(CHALLENGE, {"address": ALICE.address})
    assert response.status_code == 200


def test_challenge_over_the_per_ip_limit_is_429(api_client, settings, fake_clock):
    # given
    settings.WALLET_CHALLENGE_RATE_LIMIT = "2/m"
    for _ in range(2):
        assert api_client.get(CHALLENGE, {"address": ALICE.address}).status_code == 200

    # when
    response = api_client.get(CHALLENGE, {"address": ALICE.address})

    # then: refused before any row is written; another client address is not affected
    assert_error(response, 429, "request.rate_limited")
    assert int(response["Retry-After"]) >= 1
    assert WalletChallenge.objects.count() == 2
    assert api_client.get(CHALLENGE, {"address": ALICE.address}, REMOTE_ADDR="10.9.9.9").status_code == 200


# --- Sign-in: success -------------------------------------------------------------------------------


def test_wallet_signin_end_to_end_creates_user(api_client, wallet_node):
    # given: a challenge from the API, signed by the wallet's key
    data = api_client.get(CHALLENGE, {"address": ALICE.address}).json()["data"]
    msg_hash = starknet.message_hash(data["typed_data"], ALICE.address)
    r, s = message_signature(msg_hash, ALICE.private_key)
    wallet_node.clear_log()

    # when
    response = api_client.post(SIGNIN, proof(ALICE, data["nonce"], (r, s)), format="json")

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True
    assert body["token"] and body["refresh_token"]
    user = User.objects.get(wallet_address=ALICE.address)
    assert body["user"] == {
        "id": user.pk,
        "email": None,
        "username": None,
        "wallet_address": ALICE.address,
        "role": "user",
        "profile_picture": None,
        "email_verified": False,
        "pending_email": None,
        "created_at": body["user"]["created_at"],
    }
    assert not user.has_usable_password()
    assert challenge_used(data["nonce"])
    # starknet-py checks the spec first, we check the chain, then the account contract answers.
    assert wallet_node.methods == ["starknet_specVersion", "starknet_chainId", "starknet_call"]
    assert wallet_node.called_functions() == ["is_valid_signature"]
    call = wallet_node.calls("starknet_call")[0]
    assert call["block_id"] == "latest"
    assert call["request"]["calldata"] == hexes(msg_hash, 2, r, s)
    login = ActivityLog.objects.get(action="auth.wallet_login", actor=user)
    assert login.metadata == {"wallet_address": ALICE.address, "created": True}
    assert login.ip_address == "127.0.0.1"

    # and the access token works on a protected endpoint
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert client.post(LINK, {}, format="json").status_code == 400  # authenticated, body invalid


def test_wallet_signin_finds_existing_user(api_client, wallet_node, alice_proof):
    existing = UserFactory(wallet_address=ALICE.address)
    response = api_client.post(SIGNIN, alice_proof, format="json")
    assert response.status_code == 200
    assert response.json()["user"]["id"] == existing.pk
    assert User.objects.count() == 1


def test_wallet_signin_accepts_argent_signer_signature_array(api_client, wallet_node, wallet_signer):
    challenge_create(ALICE, "argent-1")
    r, s = wallet_signer(ALICE.address, "argent-1", ALICE.private_key)
    response = api_client.post(SIGNIN, proof(ALICE, "argent-1", (1, 0, ALICE.public_key, r, s)), format="json")
    assert response.status_code == 200, response.content


def test_wallet_signin_refuses_argent_array_naming_another_signer(api_client, wallet_node, wallet_signer):
    challenge_create(ALICE, "argent-2")
    r, s = wallet_signer(ALICE.address, "argent-2", ALICE.private_key)
    response = api_client.post(SIGNIN, proof(ALICE, "argent-2", (1, 0, BOB.public_key, r, s)), format="json")
    assert_error(response, 401, "auth.invalid_signature")


def test_wallet_signin_legacy_account_falls_back_to_isValidSignature(api_client, wallet_node, wallet_signer):
    challenge_create(CAROL_LEGACY, "legacy-1")
    signature = wallet_signer(CAROL_LEGACY.address, "legacy-1", CAROL_LEGACY.private_key)
    wallet_node.clear_log()
    response = api_client.post(SIGNIN, proof(CAROL_LEGACY, "legacy-1", signature), format="json")
    assert response.status_code == 200, response.content
    assert wallet_node.called_functions() == ["is_valid_signature", "isValidSignature"]


def test_wallet_signin_accepts_decimal_signature_strings(api_client, wallet_node, alice_proof):
    alice_proof["signature"] = [str(int(item, 16)) for item in alice_proof["signature"]]
    assert api_client.post(SIGNIN, alice_proof, format="json").status_code == 200


def test_wallet_signin_query_count(api_client, wallet_node, alice_proof, django_assert_num_queries):
    UserFactory(wallet_address=ALICE.address)
    # SELECT challenge; SAVEPOINT; UPDATE challenge (consume); SELECT user by wallet; INSERT activity;
    # INSERT outstanding refresh token; RELEASE SAVEPOINT (the rate limits count outside the database)
    with django_assert_num_queries(7):
        response = api_client.post(SIGNIN, alice_proof, format="json")
    assert response.status_code == 200


# --- Sign-in: refused -------------------------------------------------------------------------------


def test_wallet_signin_over_the_per_ip_limit_is_429_without_asking_the_node(
    api_client, wallet_node, wallet_signer, settings, fake_clock
):
    # given: two attempts with bad signatures used up the limit
    settings.WALLET_SIGNIN_RATE_LIMIT = "2/m"
    for index in range(2):
        challenge_create(ALICE, f"attempt-{index}")
        bad = proof(ALICE, f"attempt-{index}", wallet_signer(ALICE.address, f"attempt-{index}", BOB.private_key))
        assert_error(api_client.post(SIGNIN, bad, format="json"), 401, "auth.invalid_signature")
    wallet_node.clear_log()
    challenge_create(ALICE, "third")
    good = proof(ALICE, "third", wallet_signer(ALICE.address, "third", ALICE.private_key))

    # when
    response = api_client.post(SIGNIN, good, format="json")

    # then: refused before the node is asked; the nonce stays usable
    assert_error(response, 429, "request.rate_limited")
    assert int(response["Retry-After"]) >= 1
    assert wallet_node.methods == []
    assert not challenge_used("third")


def test_wallet_signin_signature_by_another_key_is_401(api_client, wallet_node, wallet_signer):
    challenge_create(ALICE, "wrong-key")
    signature = wallet_signer(ALICE.address, "wrong-key", BOB.private_key)
    response = api_client.post(SIGNIN, proof(ALICE, "wrong-key", signature), format="json")
    assert_error(response, 401, "auth.invalid_signature")
    assert not User.objects.exists()
    # Both SNIP-6 names were asked (the account reverts on a bad signature).
    assert wallet_node.called_functions() == ["is_valid_signature", "isValidSignature"]
    # The chain's verdict used the nonce up: the right signature cannot follow on it.
    assert challenge_used("wrong-key")
    failed = ActivityLog.objects.get(action="auth.wallet_login_failed")
    assert failed.metadata == {"reason": "invalid_signature", "wallet_address": ALICE.address}


def test_wallet_signin_signature_for_another_address_is_401(api_client, wallet_node, wallet_signer):
    # given: two accounts with the same key; the signature was made for the first account's hash
    challenge_create(ALICE_SECOND, "other-address")
    signature = wallet_signer(ALICE_SECOND.address, "other-address", ALICE.private_key, hash_address=ALICE.address)

    # when: it is offered for the second account
    response = api_client.post(SIGNIN, proof(ALICE_SECOND, "other-address", signature), format="json")

    # then
    assert_error(response, 401, "auth.invalid_signature")


def test_wallet_signin_signature_for_another_chain_is_401(api_client, wallet_node, wallet_signer):
    challenge_create(ALICE, "other-chain")
    signature = wallet_signer(ALICE.address, "other-chain", ALICE.private_key, chain_id="SN_MAIN")
    response = api_client.post(SIGNIN, proof(ALICE, "other-chain", signature), format="json")
    assert_error(response, 401, "auth.invalid_signature")


def test_wallet_signin_challenge_of_another_address_is_401(api_client, wallet_node, wallet_signer):
    # The nonce was issued to Bob; Alice's valid signature over "her" message with it is refused.
    challenge_create(BOB, "bobs-nonce")
    signature = wallet_signer(ALICE.address, "bobs-nonce", ALICE.private_key)
    response = api_client.post(SIGNIN, proof(ALICE, "bobs-nonce", signature), format="json")
    assert_error(response, 401, "auth.invalid_nonce")
    assert wallet_node.methods == []


def test_wallet_signin_challenge_issued_on_another_chain_is_401(api_client, wallet_node, wallet_signer):
    challenge_create(ALICE, "mainnet-row", chain_id="SN_MAIN")
    signature = wallet_signer(ALICE.address, "mainnet-row", ALICE.private_key)
    assert_error(
        api_client.post(SIGNIN, proof(ALICE, "mainnet-row", signature), format="json"), 401, "auth.invalid_nonce"
    )


def test_wallet_signin_reused_nonce_is_401(api_client, wallet_node, alice_proof):
    assert api_client.post(SIGNIN, alice_proof, format="json").status_code == 200
    wallet_node.clear_log()
    response = api_client.post(SIGNIN, alice_proof, format="json")
    assert_error(response, 401, "auth.invalid_nonce")
    assert wallet_node.methods == []


def test_wallet_signin_expired_nonce_is_401(api_client, wallet_node, wallet_signer):
    # given: a correctly signed challenge whose time is over
    issued = int(time.time()) - 600
    challenge_create(ALICE, "expired", issued_at=issued, expires_at=issued + 300)
    signature = wallet_signer(ALICE.address, "expired", ALICE.private_key, issued_at=issued, expires_at=issued + 300)

    # when
    response = api_client.post(SIGNIN, proof(ALICE, "expired", signature), format="json")

    # then
    assert_error(response, 401, "auth.invalid_nonce")
    assert wallet_node.methods == []
    assert ActivityLog.objects.get(action="auth.wallet_login_failed").metadata["reason"] == "invalid_nonce"


def test_wallet_signin_unknown_nonce_is_401(api_client, wallet_node, wallet_signer):
    signature = wallet_signer(ALICE.address, "never-issued", ALICE.private_key)
    assert_error(
        api_client.post(SIGNIN, proof(ALICE, "never-issued", signature), format="json"), 401, "auth.invalid_nonce"
    )


def test_wallet_signin_link_challenge_cannot_sign_in(api_client, wallet_node, wallet_signer):
    challenge_create(ALICE, "for-linking", purpose=WalletChallenge.Purpose.LINK)
    signature = wallet_signer(ALICE.address, "for-linking", ALICE.private_key)
    assert_error(
        api_client.post(SIGNIN, proof(ALICE, "for-linking", signature), format="json"), 401, "auth.invalid_nonce"
    )


def test_wallet_signin_account_answering_zero_is_401(api_client, wallet_node, wallet_signer):
    challenge_create(DAVE_ZERO, "dave-1")
    signature = wallet_signer(DAVE_ZERO.address, "dave-1", BOB.private_key)
    response = api_client.post(SIGNIN, proof(DAVE_ZERO, "dave-1", signature), format="json")
    assert_error(response, 401, "auth.invalid_signature")
    # 0 is a definitive answer: no fallback to the camelCase name.
    assert wallet_node.called_functions() == ["is_valid_signature"]


def test_wallet_signin_undeployed_account_is_400(api_client, wallet_node, wallet_signer):
    challenge_create(UNDEPLOYED, "counterfactual")
    signature = wallet_signer(UNDEPLOYED.address, "counterfactual", UNDEPLOYED.private_key)
    response = api_client.post(SIGNIN, proof(UNDEPLOYED, "counterfactual", signature), format="json")
    body = assert_error(response, 400, "auth.account_not_deployed")
    assert "deploy" in body["message"]
    assert not User.objects.exists()


def test_wallet_signin_disabled_account_is_401(api_client, wallet_node, alice_proof):
    UserFactory(wallet_address=ALICE.address, is_active=False)
    assert_error(api_client.post(SIGNIN, alice_proof, format="json"), 401, "auth.account_disabled")


@pytest.mark.parametrize(
    "signature",
    [
        [],
        ["0x1"] * 33,
        ["0xZZ", "0x1"],
        ["-5", "0x1"],
        [hex(starknet.FIELD_PRIME), "0x1"],
        [str(starknet.FIELD_PRIME), "0x1"],
        [12345, 678],
        "0x1,0x2",
        [None, "0x1"],
    ],
)
def test_wallet_signin_malformed_signature_is_400(api_client, wallet_node, alice_challenge, signature):
    body = {"wallet_address": ALICE.address, "nonce": "alice-nonce-1", "signature": signature}
    response = api_client.post(SIGNIN, body, format="json")
    assert_error(response, 400, "request.validation_failed")
    assert "signature" in response.json()["errors"] or any(k.startswith("signature") for k in response.json()["errors"])
    assert wallet_node.methods == []


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"wallet_address": "0x0", "nonce": "n", "signature": ["0x1"]},
        {"wallet_address": ALICE.address, "nonce": "x" * 32, "signature": ["0x1"]},
        {"wallet_address": ALICE.address, "nonce": "spaces are bad", "signature": ["0x1"]},
    ],
)
def test_wallet_signin_malformed_body_is_400(api_client, body):
    assert_error(api_client.post(SIGNIN, body, format="json"), 400, "request.validation_failed")


def test_wallet_signin_malformed_json_is_400(api_client):
    response = api_client.post(SIGNIN, "{not json", content_type="application/json")
    assert_error(response, 400, "request.malformed")


# --- Node trouble -----------------------------------------------------------------------------------


def test_wallet_signin_node_down_is_503_and_keeps_the_nonce(api_client, wallet_node, alice_proof, settings):
    # given: nothing listens on the configured URL
    settings.STARKNET_RPC_URLS = [unreachable_url()]

    # when
    response = api_client.post(SIGNIN, alice_proof, format="json")

    # then: 503, the nonce is still usable, no invalid-signature record
    body = assert_error(response, 503, "starknet.unavailable")
    assert "127.0.0.1" not in body["message"]
    assert not challenge_used("alice-nonce-1")
    assert not ActivityLog.objects.filter(action="auth.wallet_login_failed").exists()

    # and once the node is back, the same proof signs in
    settings.STARKNET_RPC_URLS = [wallet_node.url]
    assert api_client.post(SIGNIN, alice_proof, format="json").status_code == 200


def test_wallet_signin_with_every_chain_slot_in_use_is_503_busy_at_once(api_client, wallet_node, alice_proof, settings):
    # given: the only chain-call slot of this machine is held by another request
    settings.STARKNET_MAX_CONCURRENT_CALLS = 1
    with chain_slots_held(1):
        # when
        response = api_client.post(SIGNIN, alice_proof, format="json")

    # then: refused without asking the node; the nonce stays usable
    assert_error(response, 503, "starknet.busy")
    assert response["Retry-After"] == "1"
    assert wallet_node.methods == []
    assert not challenge_used("alice-nonce-1")
    assert api_client.post(SIGNIN, alice_proof, format="json").status_code == 200


def test_wallet_signin_unconfigured_rpc_is_503(api_client, alice_proof, settings):
    settings.STARKNET_RPC_URLS = []
    assert_error(api_client.post(SIGNIN, alice_proof, format="json"), 503, "starknet.unavailable")


@pytest.mark.parametrize(("status", "expected"), [(503, 503), (429, 503), (500, 502), (404, 502)])
def test_wallet_signin_node_http_error(api_client, wallet_node, alice_proof, status, expected):
    wallet_node.fail(status)
    response = api_client.post(SIGNIN, alice_proof, format="json")
    assert response.status_code == expected
    assert not challenge_used("alice-nonce-1")


def test_wallet_signin_node_timeout_is_504(api_client, wallet_node, alice_proof, settings):
    settings.STARKNET_RPC_TIMEOUT = 0.3
    wallet_node.hang(3, method="starknet_call")
    started = time.monotonic()
    response = api_client.post(SIGNIN, alice_proof, format="json")
    assert_error(response, 504, "starknet.timeout")
    assert time.monotonic() - started < 2
    assert not challenge_used("alice-nonce-1")


def test_wallet_signin_hung_node_fails_fast_once_its_circuit_is_open(
    api_client, wallet_node, alice_proof, settings, fake_clock
):
    # given: the node hangs; two timeouts in a row open its circuit
    settings.STARKNET_RPC_TIMEOUT = 0.2
    settings.STARKNET_BREAKER_THRESHOLD = 2
    settings.STARKNET_BREAKER_COOLDOWN = 30
    wallet_node.hang(5)
    for _ in range(2):
        assert_error(api_client.post(SIGNIN, alice_proof, format="json"), 504, "starknet.timeout")
    asked = len(wallet_node.methods)

    # when
    response = api_client.post(SIGNIN, alice_proof, format="json")

    # then: 503 at once, without asking the node, with the rest of the cool-down as Retry-After
    assert_error(response, 503, "starknet.unavailable")
    assert response["Retry-After"] == "30"
    assert len(wallet_node.methods) == asked
    assert not challenge_used("alice-nonce-1")

    # and once the cool-down is over and the node answers, the same proof signs in
    wallet_node.repair()
    fake_clock.advance(30)
    assert api_client.post(SIGNIN, alice_proof, format="json").status_code == 200


@pytest.mark.parametrize(
    "breakage",
    [
        lambda node: node.answer_without_result(method="starknet_call"),
        lambda node: node.answer_not_json(method="starknet_call"),
        lambda node: node.answer_without_result(method="starknet_specVersion"),
        lambda node: setattr(node, "spec_version", "0.9.0"),
        lambda node: setattr(node, "chain_id", "SN_MAIN"),
    ],
    ids=["no-result", "not-json", "no-spec-version", "wrong-spec", "wrong-chain"],
)
def test_wallet_signin_malformed_node_answer_is_502(api_client, wallet_node, alice_proof, breakage):
    breakage(wallet_node)
    response = api_client.post(SIGNIN, alice_proof, format="json")
    assert_error(response, 502, "starknet.bad_gateway")
    assert not challenge_used("alice-nonce-1")
    assert not User.objects.exists()


def test_wallet_signin_fails_over_to_the_second_node(api_client, alice_proof, settings, make_starknet_node):
    # given: the first URL refuses connections, the second is a working node
    second = make_starknet_node()
    deploy_wallets(second)
    settings.STARKNET_RPC_URLS = [unreachable_url(), second.url]

    # when
    response = api_client.post(SIGNIN, alice_proof, format="json")

    # then
    assert response.status_code == 200, response.content
    assert second.methods[0] == "starknet_specVersion"
    assert second.called_functions() == ["is_valid_signature"]


@pytest.mark.parametrize(
    "breakage",
    [
        lambda node: node.fail(503),
        lambda node: node.fail(429, method="starknet_call"),
        lambda node: setattr(node, "chain_id", "SN_MAIN"),
        lambda node: node.answer_without_result(method="starknet_call"),
    ],
    ids=["503", "429-on-call", "wrong-chain", "no-result"],
)
def test_wallet_signin_fails_over_on_node_trouble(api_client, alice_proof, settings, make_starknet_node, breakage):
    first, second = make_starknet_node(), make_starknet_node()
    deploy_wallets(first)
    deploy_wallets(second)
    breakage(first)
    settings.STARKNET_RPC_URLS = [first.url, second.url]
    assert api_client.post(SIGNIN, alice_proof, format="json").status_code == 200
    assert first.methods and second.methods[:2] == ["starknet_specVersion", "starknet_chainId"]


def test_wallet_signin_times_out_over_to_the_second_node(api_client, alice_proof, settings, make_starknet_node):
    first, second = make_starknet_node(), make_starknet_node()
    deploy_wallets(first)
    deploy_wallets(second)
    first.hang(3)
    settings.STARKNET_RPC_URLS = [first.url, second.url]
    settings.STARKNET_RPC_TIMEOUT = 0.3
    assert api_client.post(SIGNIN, alice_proof, format="json").status_code == 200


def test_wallet_signin_does_not_fail_over_on_a_definitive_invalid_answer(
    api_client, alice_proof, settings, make_starknet_node
):
    # given: on the first node Alice's account holds another key; the second would accept
    first, second = make_starknet_node(), make_starknet_node()
    first.chain.deploy_account(int(ALICE.address, 16), BOB.public_key)
    deploy_wallets(second)
    settings.STARKNET_RPC_URLS = [first.url, second.url]

    # when / then: the first node's answer stands
    assert_error(api_client.post(SIGNIN, alice_proof, format="json"), 401, "auth.invalid_signature")
    assert second.methods == []


def test_wallet_signin_does_not_fail_over_on_contract_not_found(api_client, alice_proof, settings, make_starknet_node):
    first, second = make_starknet_node(), make_starknet_node()
    deploy_wallets(second)
    settings.STARKNET_RPC_URLS = [first.url, second.url]
    assert_error(api_client.post(SIGNIN, alice_proof, format="json"), 400, "auth.account_not_deployed")
    assert second.methods == []


def test_wallet_signin_all_nodes_down_reports_the_last_trouble(api_client, alice_proof, settings, make_starknet_node):
    second = make_starknet_node()
    second.fail(500)
    settings.STARKNET_RPC_URLS = [unreachable_url(), second.url]
    assert_error(api_client.post(SIGNIN, alice_proof, format="json"), 502, "starknet.bad_gateway")


# --- Concurrency ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_wallet_signin_two_threads_racing_on_one_nonce_exactly_one_wins(wallet_node, wallet_signer):
    # given: one challenge and its valid signature, sent by two clients at once, both of them at the
    # node before either is answered (so both read the challenge before either can consume it)
    challenge_create(ALICE, "race-nonce")
    wallet_node.gather(2, method="starknet_call")
    body = proof(ALICE, "race-nonce", wallet_signer(ALICE.address, "race-nonce", ALICE.private_key))
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    codes: list[str | None] = []

    def attempt():
        try:
            barrier.wait(timeout=10)
            response = APIClient().post(SIGNIN, body, format="json")
            statuses.append(response.status_code)
            codes.append(response.json().get("code"))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(2)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # then: both passed verification on the chain, exactly one consumed the nonce
    assert sorted(statuses) == [200, 401]
    assert "auth.invalid_nonce" in codes
    assert wallet_node.called_functions() == ["is_valid_signature", "is_valid_signature"]
    assert User.objects.filter(wallet_address=ALICE.address).count() == 1
    assert ActivityLog.objects.filter(action="auth.wallet_login").count() == 1


# --- Link -------------------------------------------------------------------------------------------


def test_wallet_link_links_proven_wallet(user, user_client, wallet_node):
    # given: a link challenge from the API; its typed data carries the link statement
    data = user_client.get(CHALLENGE, {"address": ALICE.address, "purpose": "link"}).json()["data"]
    assert data["typed_data"]["message"]["statement"].startswith("Link this wallet")
    typed = data["typed_data"]
    signature = message_signature(starknet.message_hash(typed, ALICE.address), ALICE.private_key)

    response = user_client.post(LINK, proof(ALICE, data["nonce"], signature), format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "success": True,
        "data": {"user": {**response.json()["data"]["user"], "id": user.pk, "wallet_address": ALICE.address}},
    }
    user.refresh_from_db()
    assert user.wallet_address == ALICE.address
    assert ActivityLog.objects.get(action="auth.wallet_link").actor == user


def test_wallet_link_challenge_signed_with_signin_wording_is_401(user_client, wallet_node, wallet_signer):
    # A signature over the sign-in wording offered for a link challenge: the rebuilt hash differs.
    challenge_create(ALICE, "link-2", purpose=WalletChallenge.Purpose.LINK)
    signature = wallet_signer(ALICE.address, "link-2", ALICE.private_key)
    assert_error(
        user_client.post(LINK, proof(ALICE, "link-2", signature), format="json"), 401, "auth.invalid_signature"
    )


def test_wallet_link_accepts_a_signin_challenge(user, user_client, wallet_node, alice_proof):
    response = user_client.post(LINK, alice_proof, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["user"]["wallet_address"] == ALICE.address


def test_wallet_link_wallet_held_by_another_account_is_409(user_client, wallet_node, alice_proof):
    UserFactory(wallet_address=ALICE.address)
    assert_error(user_client.post(LINK, alice_proof, format="json"), 409, "auth.wallet_taken")
    # The conflict is about the state, not the proof: the nonce stays usable.
    assert not challenge_used("alice-nonce-1")


def test_wallet_link_relinking_own_wallet_is_200(user, user_client, wallet_node, alice_proof):
    user.wallet_address = ALICE.address
    user.save(update_fields=["wallet_address"])
    assert user_client.post(LINK, alice_proof, format="json").status_code == 200


def test_wallet_link_requires_authentication(api_client, wallet_node, alice_proof):
    assert_error(api_client.post(LINK, alice_proof, format="json"), 401, "auth.not_authenticated")
    assert not challenge_used("alice-nonce-1")


def test_wallet_link_bad_signature_is_401(user, user_client, wallet_node, wallet_signer):
    challenge_create(ALICE, "link-bad")
    signature = wallet_signer(ALICE.address, "link-bad", BOB.private_key)
    assert_error(
        user_client.post(LINK, proof(ALICE, "link-bad", signature), format="json"), 401, "auth.invalid_signature"
    )
    failed = ActivityLog.objects.get(action="auth.wallet_link_failed")
    assert failed.actor == user
    assert failed.metadata == {"reason": "invalid_signature", "wallet_address": ALICE.address}


def test_wallet_link_node_down_is_503(user_client, alice_proof, settings):
    settings.STARKNET_RPC_URLS = [unreachable_url()]
    assert_error(user_client.post(LINK, alice_proof, format="json"), 503, "starknet.unavailable")


def test_wallet_link_node_timeout_is_504_and_links_nothing(user, user_client, wallet_node, alice_proof, settings):
    settings.STARKNET_RPC_TIMEOUT = 0.3
    wallet_node.hang(3, method="starknet_call")

    assert_error(user_client.post(LINK, alice_proof, format="json"), 504, "starknet.timeout")

    user.refresh_from_db()
    assert user.wallet_address is None
    assert not challenge_used("alice-nonce-1")


def test_wallet_link_malformed_node_answer_is_502_and_links_nothing(user, user_client, wallet_node, alice_proof):
    wallet_node.answer_not_json(method="starknet_call")

    assert_error(user_client.post(LINK, alice_proof, format="json"), 502, "starknet.bad_gateway")

    user.refresh_from_db()
    assert user.wallet_address is None


def test_wallet_link_query_count(user, wallet_node, alice_proof, client_for, django_assert_num_queries):
    client = client_for(user)
    # SELECT user (JWT); SELECT challenge; SAVEPOINT; UPDATE challenge (consume); SELECT other holder;
    # UPDATE user; [the other sessions end: SELECT their live refresh tokens; INSERT blacklist rows;
    # UPDATE user generation]; [wallet_linked -> bounties: SAVEPOINT; SELECT pending rewards without
    # recipient FOR UPDATE; RELEASE SAVEPOINT]; INSERT activity; RELEASE SAVEPOINT
    with django_assert_num_queries(14):
        response = client.post(LINK, alice_proof, format="json")
    assert response.status_code == 200


# --- Housekeeping -----------------------------------------------------------------------------------


def test_challenge_issue_purges_challenges_expired_over_an_hour_ago(api_client):
    # given: used and unused challenges that expired long ago, one that expired recently, a live one
    now = int(time.time())
    challenge_create(ALICE, "old-unused", issued_at=now - 86400, expires_at=now - 86400 + 300)
    used = challenge_create(ALICE, "old-used", issued_at=now - 7200, expires_at=now - 7200 + 300)
    WalletChallenge.objects.filter(pk=used.pk).update(used_at=used.issued_at)
    challenge_create(ALICE, "recently-expired", issued_at=now - 900, expires_at=now - 600)
    challenge_create(ALICE, "live", issued_at=now, expires_at=now + 300)

    # when: anyone asks for a challenge (no operator, no cron)
    fresh = api_client.get(CHALLENGE, {"address": BOB.address}).json()["data"]["nonce"]

    # then
    assert set(WalletChallenge.objects.values_list("nonce", flat=True)) == {"recently-expired", "live", fresh}


def test_challenge_issue_purges_a_bounded_batch_earliest_first(api_client):
    # given: more long-expired challenges than one issue deletes
    now = int(time.time())
    WalletChallenge.objects.bulk_create(
        WalletChallenge(
            nonce=f"stale-{index}",
            address=ALICE.address,
            chain_id="SN_SEPOLIA",
            issued_at=datetime.fromtimestamp(now - 86400 - index, UTC),
            expires_at=datetime.fromtimestamp(now - 86400 - index + 300, UTC),
        )
        for index in range(CHALLENGE_PURGE_BATCH + 5)
    )

    # when
    api_client.get(CHALLENGE, {"address": ALICE.address})

    # then: one batch went, the latest-expiring stale ones remain for the next issue
    left = set(WalletChallenge.objects.filter(nonce__startswith="stale-").values_list("nonce", flat=True))
    assert left == {f"stale-{index}" for index in range(5)}
    api_client.get(CHALLENGE, {"address": ALICE.address})
    assert not WalletChallenge.objects.filter(nonce__startswith="stale-").exists()


def test_purge_wallet_challenges_deletes_only_long_expired_ones():
    # given
    now = int(time.time())
    challenge_create(ALICE, "old", issued_at=now - 3 * 86400, expires_at=now - 2 * 86400)
    challenge_create(ALICE, "recently-expired", issued_at=now - 3600, expires_at=now - 600)
    challenge_create(ALICE, "live", issued_at=now, expires_at=now + 300)
    out = io.StringIO()

    # when
    call_command("purge_wallet_challenges", stdout=out)

    # then
    assert set(WalletChallenge.objects.values_list("nonce", flat=True)) == {"recently-expired", "live"}
    assert "Deleted 1 wallet challenge(s)" in out.getvalue()


def test_wallet_link_addresses_rewards_waiting_for_a_wallet(user, user_client, wallet_node, alice_proof):
    # given: the user won a bounty before linking any wallet
    from bounties.models import Reward
    from tests.factories import RewardFactory

    waiting = RewardFactory(user=user, recipient_address=None)
    already_addressed = RewardFactory(user=user, recipient_address="0x" + "5" * 64)

    # when
    response = user_client.post(LINK, alice_proof, format="json")

    # then: the waiting reward now pays the linked wallet; one addressed before keeps its recipient
    assert response.status_code == 200, response.content
    assert Reward.objects.get(pk=waiting.pk).recipient_address == ALICE.address
    assert Reward.objects.get(pk=already_addressed.pk).recipient_address == "0x" + "5" * 64
    assert ActivityLog.objects.filter(action="reward.recipient_assigned", target_id=str(waiting.pk)).count() == 1


def test_wallet_link_ends_every_other_session_but_the_linking_one(user, wallet_node, alice_proof):
    # given: two sessions of the same account
    def sign_in() -> dict:
        answer = APIClient().post("/api/auth/login", {"email": user.email, "password": TEST_PASSWORD}, format="json")
        assert answer.status_code == 200
        return answer.json()

    linking, other = sign_in(), sign_in()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {linking['token']}")

    # when: one of them links a wallet (a new way to sign in)
    assert client.post(LINK, alice_proof, format="json").status_code == 200

    # then: the other session ends, access and refresh; the linking one goes on
    stale = APIClient()
    stale.credentials(HTTP_AUTHORIZATION=f"Bearer {other['token']}")
    assert stale.get("/api/auth/me").status_code == 401
    assert (
        APIClient().post("/api/auth/refresh", {"refresh_token": other["refresh_token"]}, format="json").status_code
        == 401
    )
    assert client.get("/api/auth/me").status_code == 200
    renewed = APIClient().post("/api/auth/refresh", {"refresh_token": linking["refresh_token"]}, format="json")
    assert renewed.status_code == 200
