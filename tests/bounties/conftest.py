"""Personas and helpers of the bounties tests: owner, participant, stranger, admin, anonymous."""

import threading

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from rest_framework.test import APIClient

from bounties.services import participant_join, submission_create
from tests.bounties.payouts import SENDER, pay, payout, pending_reward, units
from tests.conftest import bearer_client
from tests.factories import AdminFactory, BountyFactory, UserFactory
from tests.starknet_node import STRK

PERSONAS = ("owner", "participant", "stranger", "admin", "anonymous")


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def participant(db):
    return UserFactory(username="participant")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def admin(db):
    return AdminFactory(username="admin")


@pytest.fixture
def bounty(owner):
    return BountyFactory(created_by=owner, max_participants=10)


@pytest.fixture
def joined(bounty, participant):
    """`participant` has joined `bounty` through the real service (the counter is maintained)."""
    return participant_join(bounty_id=bounty.pk, user=participant)


@pytest.fixture
def submission(joined, bounty, participant):
    return submission_create(bounty_id=bounty.pk, user=participant, content="https://github.com/example/pr/1")


@pytest.fixture
def clients(owner, participant, stranger, admin):
    """An API client per persona; `anonymous` sends no credentials."""
    return {
        "owner": bearer_client(owner),
        "participant": bearer_client(participant),
        "stranger": bearer_client(stranger),
        "admin": bearer_client(admin),
        "anonymous": APIClient(),
    }


# --- a live HTTP server for the concurrency tests ---------------------------------------------------

# Requests the server handles at once: each holds a database connection while it waits for a row
# lock, and PostgreSQL's connection limit is shared with everything else on the host. Clients still
# fire all their requests at the same moment; the rest wait, connected, for a free handler.
CONCURRENT_HANDLERS = 16


class _BoundedThreadedWSGIServer(ThreadedWSGIServer):
    request_queue_size = 256

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._handlers = threading.BoundedSemaphore(CONCURRENT_HANDLERS)

    def process_request_thread(self, request, client_address):
        with self._handlers:
            super().process_request_thread(request, client_address)


class _BoundedLiveServerThread(LiveServerThread):
    server_class = _BoundedThreadedWSGIServer


@pytest.fixture
def concurrent_server(transactional_db):
    """A threaded WSGI server on 127.0.0.1 serving the whole project; one DB connection per request."""
    thread = _BoundedLiveServerThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield ("127.0.0.1", thread.port)
    thread.terminate()


@pytest.fixture
def funded_chain(starknet_node):
    """The local node's chain, with STRK in the payout sender's account."""
    starknet_node.chain.mint(STRK, SENDER, units("1000000"))
    return starknet_node.chain


@pytest.fixture
def processing_payouts(clients, funded_chain, owner, participant):
    """Two rewards whose payouts were recorded while pre-confirmed: (reward, tx hash) each."""
    recorded = []
    for _ in range(2):
        reward = pending_reward(owner=owner, winner=participant)
        tx_hash = pay(funded_chain, units("150.5"), finality="PRE_CONFIRMED")
        assert payout(clients["owner"], reward, tx_hash).json()["status"] == "processing"
        recorded.append((reward, tx_hash))
    return recorded
