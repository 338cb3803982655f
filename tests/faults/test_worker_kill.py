"""A gunicorn worker killed with SIGKILL in the middle of a stream of writes (bounty creates and joins
from several client threads, gthread workers as in production): every write the server acknowledged
is there afterwards, none is half-written (a bounty without its activity row or the reverse, a
participant counter that disagrees with the participant rows), and the master replaces the worker while
the service goes on."""

import http.client
import itertools
import os
import signal
import threading
import uuid
from dataclasses import dataclass, field

import pytest
from django.db.models import Count, F, Q

from accounts.models import ActivityLog
from bounties.models import Bounty, BountyParticipant
from tests.factories import UserFactory
from tests.faults.server import WAIT, Server, access_token, live_server, server_env, wait_until

pytestmark = pytest.mark.django_db(transaction=True)  # the server writes the test's database

WORKERS = 2
THREADS = 2
CLIENTS = 6  # more requests under way than the workers' threads: every worker is always busy
KILLS = 3
WRITES_BETWEEN_KILLS = 8
TITLE = "Fault stream"


@dataclass
class WriteStream:
    """CLIENTS threads, each as its own user: create a bounty, then join the newest bounty of another
    client not joined yet; again until stopped. Records what the server acknowledged (2xx) and every
    other answer; a request the kill cut off (no answer) is neither."""

    server: Server
    tokens: dict[int, str]
    created: dict[str, int] = field(default_factory=dict)  # bounty id -> creator's user id
    joined: set[tuple[str, int]] = field(default_factory=set)  # (bounty id, user id)
    request_ids: dict[str, str] = field(default_factory=dict)  # acknowledged X-Request-ID -> bounty id
    refused: list[tuple[int, str | None]] = field(default_factory=list)
    cut_off: int = 0
    errors: list[BaseException] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._client, args=(user_id,)) for user_id in self.tokens]
        for thread in self._threads:
            thread.start()

    def acknowledged(self) -> int:
        with self._lock:
            return len(self.created) + len(self.joined)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=WAIT)
        assert not any(thread.is_alive() for thread in self._threads), "a client hung"
        assert not self.errors, self.errors

    def _client(self, user_id: int) -> None:
        tried: set[str] = set()
        try:
            for n in itertools.count():
                if self._stop.is_set():
                    return
                self._create(user_id, n)
                with self._lock:
                    others = [b for b, creator in self.created.items() if creator != user_id and b not in tried]
                if others:
                    tried.add(others[-1])
                    self._join(user_id, others[-1])
        except Exception as exc:  # reported by stop()
            self.errors.append(exc)

    def _send(self, path: str, document: dict, user_id: int) -> tuple[str, object]:
        request_id = uuid.uuid4().hex
        try:
            answer = self.server.post_json(path, document, token=self.tokens[user_id], **{"X-Request-ID": request_id})
        except (ConnectionError, http.client.HTTPException):
            # The worker died with the request: not acknowledged, so it may or may not have been written.
            with self._lock:
                self.cut_off += 1
            return request_id, None
        if answer.status != 201:
            with self._lock:
                self.refused.append((answer.status, answer.code))
            return request_id, None
        return request_id, answer.json()

    def _create(self, user_id: int, n: int) -> None:
        document = {
            "title": f"{TITLE} {user_id}-{n}",
            "description": "Written while workers are killed.",
            "reward_amount": "10.5",
            "reward_token": "STRK",
            "difficulty": "beginner",
            "category": "development",
        }
        request_id, body = self._send("/api/bounties", document, user_id)
        if isinstance(body, dict):
            with self._lock:
                self.created[body["id"]] = user_id
                self.request_ids[request_id] = body["id"]

    def _join(self, user_id: int, bounty_id: str) -> None:
        request_id, body = self._send(f"/api/bounties/{bounty_id}/join", {}, user_id)
        if body is not None:
            with self._lock:
                self.joined.add((bounty_id, user_id))
                self.request_ids[request_id] = bounty_id


def test_worker_killed_during_writes_loses_no_acknowledged_write_and_leaves_none_half_written(tmp_path):
    # given: a live gunicorn and CLIENTS users writing to it without pause
    users = UserFactory.create_batch(CLIENTS)
    env = server_env(tmp_path)
    with live_server(env, tmp_path / "gunicorn.log", workers=WORKERS, threads=THREADS) as server:
        stream = WriteStream(server, {user.pk: access_token(user) for user in users})
        stream.start()
        killed: list[int] = []
        try:
            for _ in range(KILLS):
                # when: a worker is killed once more writes were acknowledged, while requests are under way
                target = stream.acknowledged() + WRITES_BETWEEN_KILLS
                wait_until(lambda t=target: stream.acknowledged() >= t, f"{target} acknowledged writes")
                victim = min(server.workers())
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
                # then: the master replaces it
                wait_until(
                    lambda v=victim: v not in server.workers() and len(server.workers()) == WORKERS,
                    f"worker {victim} replaced\n{server.log_text()}",
                )
            # and service goes on after the last kill
            target = stream.acknowledged() + WRITES_BETWEEN_KILLS
            wait_until(lambda: stream.acknowledged() >= target, f"{target} acknowledged writes after the kills")
        finally:
            stream.stop()
        assert not set(killed) & server.workers()

    # then: every answer was an acknowledgement (a cut-off request gets none, never an error status)
    assert stream.refused == []
    # every acknowledged write is there: the bounties with their creators, the places taken
    stored = dict(Bounty.objects.filter(title__startswith=TITLE).values_list("pk", "created_by_id"))
    assert {str(pk): creator for pk, creator in stored.items() if str(pk) in stream.created} == stream.created
    assert len({str(pk) for pk in stored} & set(stream.created)) == len(stream.created)
    active = set(
        BountyParticipant.objects.filter(status=BountyParticipant.Status.ACTIVE).values_list("bounty_id", "user_id")
    )
    assert {(str(b), u) for b, u in active} >= stream.joined
    # and the acknowledged requests' activity rows, each naming its bounty
    logged = dict(ActivityLog.objects.filter(request_id__in=stream.request_ids).values_list("request_id", "target_id"))
    assert logged == stream.request_ids
    assert_nothing_half_written()


def assert_nothing_half_written() -> None:
    """Whatever was written, acknowledged or cut off, was written whole: each bounty has exactly its one
    creation row in the activity log and each place its one join row, no such row names something
    missing, and each bounty's participant counter counts its active participants."""
    bounties = {str(pk) for pk in Bounty.objects.values_list("pk", flat=True)}
    created = list(ActivityLog.objects.filter(action="bounty.created").values_list("target_id", flat=True))
    assert sorted(created) == sorted(bounties)
    places = sorted((str(b), u) for b, u in BountyParticipant.objects.values_list("bounty_id", "user_id"))
    joins = sorted(ActivityLog.objects.filter(action="bounty.joined").values_list("target_id", "actor_id"))
    assert joins == places
    mismatched = (
        Bounty.objects.annotate(
            active=Count("participants", filter=Q(participants__status=BountyParticipant.Status.ACTIVE))
        )
        .exclude(participant_count=F("active"))
        .values_list("pk", "participant_count", "active")
    )
    assert list(mismatched) == []
