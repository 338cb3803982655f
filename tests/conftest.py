"""Shared fixtures: API clients, personas, and the real services the suite talks to."""

import uuid

import pytest
from asgiref.sync import SyncToAsync
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import override_settings
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from blocra.clock import clock_replaced
from tests.clock import FakeClock
from tests.factories import AdminFactory, UserFactory
from tests.real_services import worker_redis_url

pytest_plugins = ["tests.schema_conformance"]

# Property tests are reproducible: the same examples on every run and machine (no example database),
# and no per-example deadline (database and HTTP round trips vary in time). Each test sets its count.
hypothesis_settings.register_profile("blocra", derandomize=True, database=None, deadline=None)
hypothesis_settings.load_profile("blocra")


@pytest.fixture
def fake_clock():
    """The application's clock, moved by hand: `fake_clock.advance(seconds)` instead of sleeping."""
    with clock_replaced(FakeClock()) as replaced:
        yield replaced


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


def bearer_client(user) -> APIClient:
    """An APIClient sending a fresh access token for `user`."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(user).access_token}")
    return client


@pytest.fixture
def client_for():
    return bearer_client


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def admin_user(db):
    return AdminFactory()


@pytest.fixture
def user_client(user) -> APIClient:
    return bearer_client(user)


@pytest.fixture
def admin_client_api(admin_user) -> APIClient:
    return bearer_client(admin_user)


@pytest.fixture(scope="session", autouse=True)
def _cache_per_worker(tmp_path_factory):
    """Each test worker gets a cache of its own: a Redis database (REDIS_URL), else a SQLite file of
    its own. Tests clear the cache, which must not wipe what a test in another worker just stored. The
    Redis channel layer moves to the worker's database too."""
    default = settings.CACHES["default"]
    if default["BACKEND"].endswith("RedisCache"):
        location = worker_redis_url(default["LOCATION"])
    else:
        location = str(tmp_path_factory.mktemp("cache") / "cache.db")
    layers = settings.CHANNEL_LAYERS
    layer = layers["default"]
    if layer["BACKEND"].startswith("channels_redis"):
        # The channel layer (blocra.realtime) on this worker's database, and with a prefix of this run
        # and worker's own: Redis's publish/subscribe channels are shared by all its databases, and
        # every worker's users have the same ids.
        hosts = [{**host, "address": location} for host in layer["CONFIG"]["hosts"]]
        prefix = f"{layer['CONFIG']['prefix']}:{uuid.uuid4().hex[:12]}"
        layers = {**layers, "default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": hosts, "prefix": prefix}}}
    with override_settings(
        CACHES={**settings.CACHES, "default": {**default, "LOCATION": location}}, CHANNEL_LAYERS=layers
    ):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached answers must not leak between tests (the cache is not flushed
    with the database)."""
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _close_async_tests_connections(request):
    """After a coroutine test (the WebSocket tests), close the database connections its consumers and
    `in_thread` calls opened in asgiref's one shared thread: left open, PostgreSQL refuses to drop the
    test database at the end of the run."""
    yield
    if request.node.get_closest_marker("asyncio") is not None:
        SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=30)


# --- Starknet ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _starknet_bulkhead(tmp_path_factory):
    """Each test gets chain-call slots and circuit breaker state of its own (a directory made on first
    use), and a cap of 32 chain calls (above the concurrency tests' 16 handlers) unless it sets one."""
    directory = tmp_path_factory.getbasetemp() / "starknet-state" / uuid.uuid4().hex
    with override_settings(STARKNET_STATE_DIR=directory, STARKNET_MAX_CONCURRENT_CALLS=32):
        yield


@pytest.fixture
def make_starknet_node(settings):
    """Factory of local Starknet JSON-RPC nodes (tests/starknet_node.py), all closed after the test.
    `make_starknet_node(chain_id=...)` does not touch settings: list the URLs you want yourself."""
    from tests.starknet_node import StarknetNode

    nodes = []

    def make(chain_id: str | None = None) -> StarknetNode:
        node = StarknetNode(chain_id=chain_id or settings.STARKNET_CHAIN_ID)
        nodes.append(node)
        return node

    yield make
    for node in nodes:
        node.close()


@pytest.fixture
def starknet_node(settings, make_starknet_node):
    """A fresh local Starknet node for this test, the only URL in STARKNET_RPC_URLS."""
    node = make_starknet_node()
    settings.STARKNET_RPC_URLS = [node.url]
    settings.STARKNET_RPC_TIMEOUT = 5.0
    settings.STARKNET_RPC_CONNECT_TIMEOUT = 2.0
    return node


@pytest.fixture
def chain(starknet_node, db):
    """The local node's chain with two tokens and Alice holding STRK (for fees), TEST_TOKEN and
    TEST_OLD_TOKEN (tests/starknet_node.py); the node's method log starts empty."""
    from tests.starknet_node import STRK, TEST_ALICE, TEST_OLD_TOKEN, TEST_TOKEN

    chain = starknet_node.chain
    chain.deploy_erc20(TEST_TOKEN, name="Bounty Reward Token", symbol="BRT", decimals=6, string_encoding="bytearray")
    chain.deploy_erc20(TEST_OLD_TOKEN, name="Old Token", symbol="OLD", decimals=18, camel_only=True)
    chain.mint(STRK, TEST_ALICE, 10 * 10**18)
    chain.mint(TEST_TOKEN, TEST_ALICE, 500 * 10**6)
    chain.mint(TEST_OLD_TOKEN, TEST_ALICE, 3 * 2**128 + 7)
    starknet_node.clear_log()
    return chain


@pytest.fixture(scope="session")
def wallet_signer():
    """`sign(address, nonce, private_key, chain_id=..., hash_address=...) -> (r, s)`, memoised for the
    whole session (tests/starknet_wallets.py): each distinct signature is computed once."""
    from tests.starknet_wallets import sign

    return sign


@pytest.fixture
def wallet_node(starknet_node):
    """The local node with the fixed test wallets of tests/starknet_wallets.py deployed."""
    from tests.starknet_wallets import deploy_wallets

    deploy_wallets(starknet_node)
    return starknet_node
