"""What the fault tests share: a live gunicorn (deploy/gunicorn.conf.py) on the test's database, raw HTTP
to it, its worker processes, and waiting for a condition with a generous deadline."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rest_framework_simplejwt.tokens import RefreshToken

from tests.live_gunicorn import HOST, free_port, gunicorn_server, production_env

# Waits on a busy 2-core machine: long enough never to decide a test, only to end a hung one.
WAIT = 90.0


def server_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The environment of a production-settings server (DEBUG off) on this test's database, with its
    data, cache file and metrics under `tmp_path`; the suite's Redis only when `overrides` name it."""
    return production_env(tmp_path, **{"API_RATE_LIMIT": "", **overrides})


@contextmanager
def live_server(env: dict[str, str], log: Path, *, workers: int, threads: int = 1) -> Iterator[Server]:
    """gunicorn with `workers` workers: sync ones with one thread, gthread (the production class) with more."""
    port = free_port()
    settings = {
        "GUNICORN_WORKER_CLASS": "gthread" if threads > 1 else "sync",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
    }
    with gunicorn_server({**env, **settings}, bind=f"{HOST}:{port}", log=log) as master:
        yield Server(port=port, master_pid=master.pid, log=log)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    raw: bytes

    def json(self) -> dict:
        return json.loads(self.raw)

    @property
    def code(self) -> str | None:
        try:
            body = self.json()
        except ValueError:
            return None
        return body.get("code") if isinstance(body, dict) else None


@dataclass
class Server:
    port: int
    master_pid: int
    log: Path

    def call(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=WAIT)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            raw = response.read()
            return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, raw)
        finally:
            connection.close()

    def post_json(self, path: str, document: object, *, token: str | None = None, **headers: str) -> Answer:
        sent = {"Content-Type": "application/json", **headers}
        if token:
            sent["Authorization"] = f"Bearer {token}"
        return self.call("POST", path, json.dumps(document).encode(), sent)

    def workers(self) -> set[int]:
        """The master's living worker processes (a killed one no longer counts once it is a zombie)."""
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces, so split after its closing parenthesis.
            state, ppid = stat.rsplit(")", 1)[1].split()[:2]
            if int(ppid) == self.master_pid and state != "Z":
                found.add(int(entry.name))
        return found

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


def access_token(user) -> str:
    return str(RefreshToken.for_user(user).access_token)


def wait_until(condition: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)  # another process's progress: nothing to wait on but polling
