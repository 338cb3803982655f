"""Personas and helpers of the contracts tests: owner, stranger, admin, and the anonymous caller."""

import pytest

from tests.conftest import bearer_client
from tests.factories import AdminFactory, UserFactory
from tests.starknet_node import TEST_ALICE, TEST_BOB, TEST_OLD_TOKEN, TEST_TOKEN


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


def assert_error(response, status: int, code: str) -> dict:
    """The one error shape with this status and code; returns the body."""
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["code"] == code
    assert body["message"]
    return body


# --- Starknet -----------------------------------------------------------------------------------------
# The token chain itself (fixture `chain`) is shared with the client's tests: tests/conftest.py.
ALICE, BOB, OLD_TOKEN, TOKEN = TEST_ALICE, TEST_BOB, TEST_OLD_TOKEN, TEST_TOKEN


def hex64(value: int) -> str:
    return f"0x{value:064x}"


def rpc_requests(node, method: str | None = None) -> int:
    """How many JSON-RPC requests reached the node (of `method`, when given)."""
    return len(node.methods) if method is None else node.methods.count(method)
