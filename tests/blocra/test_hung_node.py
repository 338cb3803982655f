"""A hung Starknet node cannot stall the API: a live gunicorn (sync workers, deploy/gunicorn.conf.py)
keeps answering /health and the bounty list while three chain requests per worker are always
under way against a node that never answers."""

import importlib.util
import time
from pathlib import Path

import pytest

from tests.factories import BountyFactory
from tests.live_gunicorn import SteadyLoad, gunicorn, production_env, timed_get
from tests.real_services import require_service
from tests.starknet_wallets import ALICE, challenge_create

pytestmark = pytest.mark.django_db(transaction=True)  # the server reads what the test commits

WORKERS = 2
RPC_TIMEOUT = 3  # seconds; the chain request holding a worker outlasts every probe


def server_env(tmp_path: Path, node_url: str) -> dict[str, str]:
    return production_env(
        tmp_path,
        share_redis=True,
        LOG_LEVEL="error",
        STARKNET_RPC_URLS=node_url,
        STARKNET_RPC_TIMEOUT=str(RPC_TIMEOUT),
        STARKNET_RPC_CONNECT_TIMEOUT="1",
        # Rate limits would answer the load with 429s before it reaches the chain.
        API_RATE_LIMIT="",
        WALLET_SIGNIN_RATE_LIMIT="",
    )


def test_hung_node_leaves_health_and_bounty_list_fast_under_chain_load(tmp_path, make_starknet_node):
    require_service("gunicorn", importlib.util.find_spec("gunicorn") is not None, "pip install gunicorn")
    # given: a node that accepts requests and never answers, a bounty to list and a sign-in challenge
    node = make_starknet_node()
    node.hang(60)
    BountyFactory()
    challenge_create(ALICE, "hung-node")
    signin = {"wallet_address": ALICE.address, "nonce": "hung-node", "signature": ["0x1", "0x2"]}

    with gunicorn(server_env(tmp_path, node.url), workers=WORKERS, log=tmp_path / "gunicorn.log") as port:
        # when: three wallet sign-ins per worker are always under way, each asking the hung node
        load = SteadyLoad(port, "POST", "/api/auth/wallet", signin, clients=3 * WORKERS)
        load.start()
        try:
            deadline = time.monotonic() + 10
            while not node.methods and time.monotonic() < deadline:
                time.sleep(0.01)  # until a chain call has reached the node (a worker is held)
            assert node.methods, "no sign-in reached the node"
            probes_started = time.monotonic()
            probes = [(path, *timed_get(port, path)) for _ in range(3) for path in ("/health", "/api/bounties")]
            oldest_in_flight = load.oldest_in_flight()
        finally:
            load.stop(timeout=RPC_TIMEOUT + 10)

    # then: every probe answered 200 without waiting for a held worker: one freed by its chain request
    # timing out would have kept the probe RPC_TIMEOUT seconds. (Not a speed measure: bench/ measures.)
    for path, status, seconds in probes:
        assert status == 200, (path, status)
        assert seconds < RPC_TIMEOUT, (path, seconds)
    # while a chain request was waiting on the node from before the first probe to after the last
    assert oldest_in_flight is not None and oldest_in_flight <= probes_started
    # and the chain requests were refused at once or timed out, never anything else
    outcomes = {(status, code) for status, code, _ in load.answers}
    assert outcomes <= {(503, "starknet.busy"), (504, "starknet.timeout"), (503, "starknet.unavailable")}
    assert (503, "starknet.busy") in outcomes
