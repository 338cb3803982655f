"""Vectors made by starknet.js (tests/vectors/generate_vectors.mjs) against the backend's real code path.

starknet.js is what browser wallets use; agreeing with it shows the backend's SNIP-12 hash and its
signature check are right, not merely consistent with starknet-py.
"""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from starknet_py.hash.utils import private_to_stark_key

from accounts.models import User
from accounts.services.wallet import signin_typed_data
from blocra import starknet
from tests.real_services import require_service
from tests.starknet_wallets import challenge_create

VECTORS = json.loads((Path(__file__).parent.parent / "vectors" / "starknet_js_vectors.json").read_text())
SIGNIN_VECTORS = VECTORS["signin"]
ALL_HASHES = SIGNIN_VECTORS + VECTORS["hash_only"]


def test_vectors_come_from_starknet_js():
    assert VECTORS["library"] == "starknet@10.8.0"
    assert len(SIGNIN_VECTORS) >= 3
    assert {vector["typed_data"]["domain"]["chainId"] for vector in SIGNIN_VECTORS} == {"SN_SEPOLIA", "SN_MAIN"}


@pytest.mark.parametrize("vector", ALL_HASHES, ids=[vector["name"] for vector in ALL_HASHES])
def test_message_hash_equals_starknet_js(vector):
    assert starknet.message_hash(vector["typed_data"], vector["account_address"]) == int(vector["message_hash"], 16)


@pytest.mark.parametrize("vector", SIGNIN_VECTORS, ids=[vector["name"] for vector in SIGNIN_VECTORS])
def test_public_key_equals_starknet_js(vector):
    assert private_to_stark_key(int(vector["private_key"], 16)) == int(vector["public_key"], 16)


def _configure_like(vector, settings):
    message = vector["typed_data"]["message"]
    settings.STARKNET_CHAIN_ID = vector["typed_data"]["domain"]["chainId"]
    settings.STARKNET_SIGNIN_DOMAIN = message["domain"]
    settings.STARKNET_SIGNIN_URI = message["uri"]


@pytest.mark.parametrize("vector", SIGNIN_VECTORS, ids=[vector["name"] for vector in SIGNIN_VECTORS])
def test_backend_builds_the_same_signin_typed_data(vector, settings):
    _configure_like(vector, settings)
    message = vector["typed_data"]["message"]
    rebuilt = signin_typed_data(
        address=message["address"],
        nonce=message["nonce"],
        issued_at=message["issuedAt"],
        expires_at=message["expiresAt"],
    )
    assert rebuilt == vector["typed_data"]


@pytest.mark.django_db
@pytest.mark.parametrize("form", ["r-s", "argent"])
@pytest.mark.parametrize("vector", SIGNIN_VECTORS, ids=[vector["name"] for vector in SIGNIN_VECTORS])
def test_starknet_js_signature_signs_in_through_the_api(vector, form, settings, make_starknet_node, api_client):
    # given: the backend configured like the vector, its account deployed on a node of that chain,
    # and the challenge row the vector signed (inserted directly with the vector's nonce and times)
    _configure_like(vector, settings)
    node = make_starknet_node(chain_id=settings.STARKNET_CHAIN_ID)
    settings.STARKNET_RPC_URLS = [node.url]
    address = vector["account_address"]
    node.chain.deploy_account(int(address, 16), int(vector["public_key"], 16))
    message = vector["typed_data"]["message"]
    challenge_create(
        address,
        message["nonce"],
        issued_at=message["issuedAt"],
        expires_at=message["expiresAt"],
        chain_id=settings.STARKNET_CHAIN_ID,
    )
    signature = [vector["r"], vector["s"]]
    if form == "argent":
        signature = ["0x1", "0x0", vector["public_key"], *signature]

    # when
    response = api_client.post(
        "/api/auth/wallet",
        {"wallet_address": address, "nonce": message["nonce"], "signature": signature},
        format="json",
    )

    # then
    assert response.status_code == 200, response.content
    assert User.objects.filter(wallet_address=starknet.normalize_address(address)).exists()
    assert node.calls("starknet_call")[0]["request"]["calldata"][0] == vector["message_hash"]


VECTOR_DIR = Path(__file__).parent.parent / "vectors"


def test_starknet_js_client_works_against_the_local_node(starknet_node):
    # Needs Node and `npm ci` in tests/vectors (not part of the Python set-up): skipped without them
    # outside CI; .ci/run installs them, so in CI their absence fails.
    require_service(
        "starknet.js",
        shutil.which("node") is not None and (VECTOR_DIR / "node_modules" / "starknet").is_dir(),
        "cd tests/vectors && npm ci",
    )
    for vector in SIGNIN_VECTORS:
        starknet_node.chain.deploy_account(int(vector["account_address"], 16), int(vector["public_key"], 16))

    result = subprocess.run(
        [
            "node",
            str(VECTOR_DIR / "check_fake_node.mjs"),
            starknet_node.url,
            str(VECTOR_DIR / "starknet_js_vectors.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["spec_version"] == "0.10.2"
    assert report["chain_id"] == "0x534e5f5345504f4c4941"
    assert report["signatures"] and all(item["good"] and not item["forged"] for item in report["signatures"])
    assert "starknet_call" in starknet_node.methods
