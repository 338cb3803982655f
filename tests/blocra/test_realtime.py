"""Sending events after commit (blocra.realtime): only what commits is sent, in order, and a channel layer
that cannot be reached costs a warning, never the change or its answer."""

import asyncio
import logging
import re
import socket as sockets
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from blocra.realtime import bounty_group, client_event, publish_now, publish_on_commit, user_group
from tests.conftest import bearer_client
from tests.factories import BountyFactory, UserFactory
from tests.sockets import NOTHING, in_thread

GROUP = "test.group"


class Listener:
    """A channel of the real layer in GROUP, read all along in the test's event loop (a receive cancelled
    by a timeout would drop the channel on the Redis layer): what was sent to the group."""

    def __init__(self) -> None:
        self.layer = get_channel_layer()
        self.texts: list[str] = []

    async def join(self) -> "Listener":
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(GROUP, self.channel)
        self.reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        while True:
            message = await self.layer.receive(self.channel)
            self.texts.append(message["message"]["text"])

    async def received(self) -> list[str]:
        """What arrived until now and within NOTHING seconds more."""
        await asyncio.sleep(NOTHING)
        return list(self.texts)

    def close(self) -> None:
        self.reader.cancel()


def event(text: str):
    return client_event(GROUP, {"type": "test", "text": text})


def _changes() -> None:
    publish_on_commit([event("outside a transaction: at once")])
    with transaction.atomic():
        publish_on_commit([event("committed 1"), event("committed 2")])
        try:
            with transaction.atomic():
                publish_on_commit([event("in a savepoint rolled back")])
                raise RuntimeError
        except RuntimeError:
            pass
    try:
        with transaction.atomic():
            publish_on_commit([event("rolled back")])
            raise RuntimeError
    except RuntimeError:
        pass


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_only_committed_events_are_sent_in_order():
    listener = await Listener().join()

    await in_thread(_changes)

    assert await listener.received() == ["outside a transaction: at once", "committed 1", "committed 2"]
    listener.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_nothing_is_sent_before_the_commit():
    listener = await Listener().join()
    seen_before_commit = []

    def change() -> None:
        with transaction.atomic():
            publish_on_commit([event("later")])
            seen_before_commit.extend(async_to_sync(listener.received)())

    await in_thread(change)

    assert (seen_before_commit, await listener.received()) == ([], ["later"])
    listener.close()


def _closed_port() -> int:
    with sockets.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def unreachable_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": f"redis://127.0.0.1:{_closed_port()}/0", "socket_connect_timeout": 1}]},
        }
    }


def test_unreachable_layer_is_logged_not_raised(unreachable_layer, caplog):
    with caplog.at_level(logging.WARNING, logger="blocra.realtime"):
        publish_now([event("lost")])

    (record,) = [r for r in caplog.records if r.name == "blocra.realtime"]
    assert record.getMessage() == "realtime.publish_failed"
    assert record.events == 1
    assert "Connection" in record.error


@pytest.mark.django_db(transaction=True)
def test_change_is_answered_and_kept_when_the_layer_is_unreachable(unreachable_layer, caplog):
    owner, hunter = UserFactory(), UserFactory()
    bounty = BountyFactory(created_by=owner)

    with caplog.at_level(logging.WARNING, logger="blocra.realtime"):
        response = bearer_client(hunter).post(f"/api/bounties/{bounty.pk}/join")

    assert response.status_code == 201
    assert owner.notifications.filter(kind="bounty.participant_joined").count() == 1  # the inbox has it
    assert [r.getMessage() for r in caplog.records if r.name == "blocra.realtime"] == ["realtime.publish_failed"]


def test_group_names_are_what_the_layer_accepts():
    layer_name = re.compile(r"^[a-zA-Z\d\-_.]{1,99}$")  # channels' own rule for group names

    assert layer_name.match(user_group(12345678))
    assert layer_name.match(bounty_group("8a2ae1a6-8a0f-4bd8-9a67-9d9b3c3c4e11"))


def test_sends_of_a_process_share_one_redis_connection(settings):
    """A WSGI worker's sends run on one event loop of the process, so the Redis layer reuses one
    connection instead of opening one per send."""
    import redis

    from tests.real_services import redis_url

    url, name = redis_url(), f"blocra-test-{uuid.uuid4().hex[:12]}"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            # Named, so that the layer's connections are told apart from everyone else's.
            "CONFIG": {"hosts": [{"address": url, "client_name": name}], "prefix": name},
        }
    }
    server = redis.Redis.from_url(url)

    for index in range(20):
        publish_now([event(f"send {index}")])

    assert len([c for c in server.client_list() if c["name"] == name]) == 1
    server.close()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_process_without_sockets_sends_nothing_to_the_in_memory_layer(monkeypatch, settings):
    """A WSGI worker (no ASGI application loaded) holds no socket the in-memory layer could reach."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    listener = await Listener().join()

    monkeypatch.setattr("blocra.realtime._sockets_in_process", False)
    await in_thread(publish_now, [event("from a WSGI worker")])
    monkeypatch.setattr("blocra.realtime._sockets_in_process", True)  # blocra.asgi loaded (make run)
    await in_thread(publish_now, [event("from a view of the ASGI server")])

    assert await listener.received() == ["from a view of the ASGI server"]
    listener.close()
