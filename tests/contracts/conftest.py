"""Personas and helpers of the contracts tests: owner, stranger, admin, and the anonymous caller."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache

from tests.conftest import bearer_client
from tests.factories import AdminFactory, UserFactory


@pytest.fixture
def owner(db):
    return UserFactory()


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture
def admin(db):
    return AdminFactory()


@pytest.fixture
def owner_client(owner):
    return bearer_client(owner)


@pytest.fixture
def stranger_client(stranger):
    return bearer_client(stranger)


@pytest.fixture
def admin_api(admin):
    return bearer_client(admin)


@pytest.fixture
def database_cache() -> bool:
    """True when the default cache is the database (no REDIS_URL): its reads and writes are SQL
    queries that query-count tests must include; Redis adds none."""
    return isinstance(caches["default"], DatabaseCache)


def assert_error(response, status: int, code: str) -> dict:
    """The one error shape with this status and code; returns the body."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["message"]
    return body


# --- Starknet -----------------------------------------------------------------------------------------
ALICE = 0xA11CE
BOB = 0xB0B
TOKEN = 0x7070  # ByteArray name and symbol, 6 decimals
OLD_TOKEN = 0x7171  # short-string name, camelCase views only


def hex64(value: int) -> str:
    return f"0x{value:064x}"


@pytest.fixture
def chain(starknet_node):
    """The local node's chain with two tokens and Alice holding STRK (for fees), TOKEN and OLD_TOKEN;
    the node's method log starts empty."""
    from tests.starknet_node import STRK

    chain = starknet_node.chain
    chain.deploy_erc20(TOKEN, name="Bounty Reward Token", symbol="BRT", decimals=6, string_encoding="bytearray")
    chain.deploy_erc20(OLD_TOKEN, name="Old Token", symbol="OLD", decimals=18, camel_only=True)
    chain.mint(STRK, ALICE, 10 * 10**18)
    chain.mint(TOKEN, ALICE, 500 * 10**6)
    chain.mint(OLD_TOKEN, ALICE, 3 * 2**128 + 7)
    starknet_node.clear_log()
    return chain


def rpc_requests(node, method: str | None = None) -> int:
    """How many JSON-RPC requests reached the node (of `method`, when given)."""
    return len(node.methods) if method is None else node.methods.count(method)
