"""The database locked or gone while a live gunicorn serves: a clean JSON 503 `server.database_unavailable`
with Retry-After, nothing half-written, /health saying the database is down when it is, and the next
request after recovery served. SQLite: another connection holding the write lock past the busy timeout.
PostgreSQL and MariaDB: the server's connection killed in the middle of a write, and the database server
unreachable (a proxy between them cut)."""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection, connections

from accounts.models import ActivityLog
from bounties.models import Bounty
from tests.factories import UserFactory
from tests.faults.server import WAIT, Answer, access_token, live_server, server_env, wait_until
from tests.faults.tcp_proxy import tcp_proxy
from tests.live_gunicorn import database_url

pytestmark = pytest.mark.django_db(transaction=True)  # the server reads and writes the test's database

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock (DATABASE_URL is set)")
server_only = pytest.mark.skipif(
    connection.vendor == "sqlite", reason="needs a database server: PostgreSQL or MariaDB (set DATABASE_URL)"
)
BUSY_TIMEOUT = 1  # seconds the server waits for SQLite's write lock (production: 20)


def bounty(title: str) -> dict:
    return {
        "title": title,
        "description": "Written while the database is in trouble.",
        "reward_amount": "10",
        "reward_token": "STRK",
        "difficulty": "beginner",
        "category": "development",
    }


def assert_database_unavailable(answer: Answer) -> None:
    assert answer.status == 503, (answer.status, answer.raw[:500])
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "success": False,
        "message": "The database is unavailable right now; try again shortly.",
        "code": "server.database_unavailable",
    }
    assert int(answer.headers["retry-after"]) >= 1


def assert_written_whole_or_not_at_all(title: str, *, written: bool) -> None:
    """The bounty titled `title` and its activity row exist together, or neither does."""
    ids = [str(pk) for pk in Bounty.objects.filter(title=title).values_list("pk", flat=True)]
    assert len(ids) == (1 if written else 0)
    logged = list(
        ActivityLog.objects.filter(action="bounty.created", target_id__in=ids).values_list("target_id", flat=True)
    )
    assert logged == ids


@sqlite_only
def test_sqlite_write_lock_held_past_the_busy_timeout_is_503_then_the_next_write_succeeds(tmp_path):
    user = UserFactory()
    token = access_token(user)
    env = server_env(tmp_path, DATABASE_URL=f"{database_url()}?timeout={BUSY_TIMEOUT}")
    with live_server(env, tmp_path / "gunicorn.log", workers=1) as server:
        # given: another process's connection holds SQLite's write lock
        holder = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")

            # when: a write waits for it past the busy timeout
            refused = server.post_json("/api/bounties", bounty("Locked out"), token=token)

            # then: a clean 503; reads go on (WAL), so the database is not reported down
            assert_database_unavailable(refused)
            health = server.call("GET", "/health")
            assert (health.status, health.json()["checks"]["database"]) == (200, "ok")
        finally:
            holder.execute("ROLLBACK")
            holder.close()

        # and once the lock is released the next write succeeds
        assert server.post_json("/api/bounties", bounty("After the lock"), token=token).status == 201
    assert_written_whole_or_not_at_all("Locked out", written=False)
    assert_written_whole_or_not_at_all("After the lock", written=True)


# --- A database server: the connection killed mid-write, the server unreachable --------------------


@contextmanager
def activity_log_locked() -> Iterator[object]:
    """Another session blocks inserts into the activity log (reads go on): a bounty create inserts its
    bounty row, then waits on its activity row, in the middle of its transaction. Yields that session."""
    holder = connections.create_connection("default")
    try:
        if holder.vendor == "postgresql":
            holder.set_autocommit(False)
            with holder.cursor() as cursor:
                cursor.execute('LOCK TABLE "accounts_activitylog" IN SHARE MODE')
        else:
            with holder.cursor() as cursor:
                cursor.execute("LOCK TABLES `accounts_activitylog` READ")
        yield holder
    finally:
        if holder.vendor == "postgresql":
            holder.rollback()
        else:
            with holder.cursor() as cursor:
                cursor.execute("UNLOCK TABLES")
        holder.close()


def blocked_activity_insert(holder) -> int | None:
    """The id of the server's session waiting to insert an activity row, if one is."""
    with holder.cursor() as cursor:
        if holder.vendor == "postgresql":
            # The holder is inside its transaction, which would see the activity it first read ever after.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' "
                "AND query LIKE 'INSERT INTO \"accounts_activitylog\"%%'"
            )
        else:
            cursor.execute(
                "SELECT id FROM information_schema.processlist WHERE db = DATABASE() "
                "AND info LIKE 'INSERT INTO `accounts_activitylog`%%'"
            )
        row = cursor.fetchone()
    return row[0] if row else None


def kill_session(holder, session: int) -> None:
    with holder.cursor() as cursor:
        if holder.vendor == "postgresql":
            cursor.execute("SELECT pg_terminate_backend(%s)", [session])
        else:
            cursor.execute(f"KILL CONNECTION {int(session)}")


@server_only
def test_database_connection_killed_in_the_middle_of_a_write_is_503_and_rolled_back(tmp_path):
    user = UserFactory()
    token = access_token(user)
    with live_server(server_env(tmp_path), tmp_path / "gunicorn.log", workers=1, threads=2) as server:
        answers: list[Answer] = []
        with activity_log_locked() as holder:
            # given: a create under way, its bounty row inserted, waiting to insert its activity row
            request = threading.Thread(
                target=lambda: answers.append(server.post_json("/api/bounties", bounty("Cut off"), token=token))
            )
            request.start()
            wait_until(lambda: blocked_activity_insert(holder) is not None, "the create blocked on the activity log")

            # when: the database ends that session (an administrator, a failover, a crash of the backend)
            kill_session(holder, blocked_activity_insert(holder))
            request.join(timeout=WAIT)

        # then: a clean 503, and neither the bounty nor its activity row was kept
        assert_database_unavailable(answers[0])
        assert_written_whole_or_not_at_all("Cut off", written=False)
        # and the next write on the same worker succeeds (the broken connection was replaced)
        assert server.post_json("/api/bounties", bounty("Reconnected"), token=token).status == 201
    assert_written_whole_or_not_at_all("Reconnected", written=True)


def through(url: str, port: int) -> str:
    """`url` (a database URL) with its host and port replaced by the local proxy's."""
    parts = urlsplit(url)
    credentials = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{credentials}127.0.0.1:{port}"))


@server_only
def test_database_server_unreachable_is_503_and_health_says_so_then_service_resumes(tmp_path):
    user = UserFactory()
    token = access_token(user)
    settings = connection.settings_dict
    default_port = 5432 if connection.vendor == "postgresql" else 3306
    with tcp_proxy((settings["HOST"] or "127.0.0.1", int(settings["PORT"] or default_port))) as proxy:
        env = server_env(tmp_path, DATABASE_URL=through(database_url(), proxy.port))
        with live_server(env, tmp_path / "gunicorn.log", workers=1, threads=2) as server:
            # given: the server serving with persistent connections to the database
            assert server.post_json("/api/bounties", bounty("Before"), token=token).status == 201

            # when: the database server becomes unreachable
            proxy.cut()

            # then: reads and writes are a clean 503, and /health says the database is down
            assert_database_unavailable(server.post_json("/api/bounties", bounty("Unreachable"), token=token))
            assert_database_unavailable(
                server.call("GET", "/api/bounties", headers={"Authorization": f"Bearer {token}"})
            )
            health = server.call("GET", "/health")
            assert health.status == 503
            assert health.json()["checks"]["database"] == "error"

            # when: it is reachable again, the next requests are served
            proxy.restore()
            assert server.call("GET", "/health").status == 200
            assert server.post_json("/api/bounties", bounty("After"), token=token).status == 201

    assert_written_whole_or_not_at_all("Unreachable", written=False)
    assert_written_whole_or_not_at_all("After", written=True)
    assert_written_whole_or_not_at_all("Before", written=True)


def test_helpers_route_a_url_through_the_proxy():
    assert through("postgres://u:p%40ss@db.example:5432/test_x", 4242) == "postgres://u:p%40ss@127.0.0.1:4242/test_x"
    assert through("mysql://root@127.0.0.1:3306/x", 1) == "mysql://root@127.0.0.1:1/x"
