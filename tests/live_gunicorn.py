"""A live gunicorn (deploy/gunicorn.conf.py, sync workers) serving the project, and a steady load of
concurrent requests against it: for tests and benchmarks about how the real server behaves."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def database_url() -> str:
    """The database of the test calling it, as a DATABASE_URL for a server it starts to share."""
    from django.db import connection

    info = connection.settings_dict
    if info["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(info['NAME']).resolve()}"
    credentials = quote(info["USER"] or "") + (f":{quote(info['PASSWORD'])}" if info["PASSWORD"] else "")
    return f"postgres://{credentials}@{info['HOST'] or '127.0.0.1'}:{info['PORT'] or 5432}/{info['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def request(port: int, method: str, path: str, body: dict | None = None, timeout: float = 30) -> tuple[int, dict]:
    """One request on a new connection (sync workers close each one): (status, JSON body or {})."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        payload = json.dumps(body) if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        answer = json.loads(raw) if raw else {}
    except ValueError:
        answer = {}
    return response.status, answer if isinstance(answer, dict) else {}


def timed_get(port: int, path: str) -> tuple[int, float]:
    """GET `path`: (status, seconds until the whole answer arrived)."""
    started = time.monotonic()
    status, _ = request(port, "GET", path, timeout=30)
    return status, time.monotonic() - started


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, log: Path) -> Iterator[int]:
    """gunicorn with deploy/gunicorn.conf.py, `workers` sync workers and `env` on a free loopback port;
    yields the port once /health answers. Killed, workers and all, when the block ends."""
    port = free_port()
    server_env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": "1"}
    if not server_env.get("PROMETHEUS_MULTIPROC_DIR"):
        # Beside the log, not a directory of gunicorn's making: a killed master cannot remove its own.
        server_env["PROMETHEUS_MULTIPROC_DIR"] = str(log.parent / "metrics")
        (log.parent / "metrics").mkdir(exist_ok=True)
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "blocra.wsgi"],
            cwd=ROOT,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_ready(server, port, log)
            yield port
        finally:
            # A throw-away server: killed with its workers at once (a graceful stop takes seconds).
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _wait_until_ready(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if request(port, "GET", "/health", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)  # a subprocess starting up: nothing to wait on but the port
    raise AssertionError(f"gunicorn did not answer /health within 60 s:\n{log.read_text()[-3000:]}")


@dataclass
class SteadyLoad:
    """`clients` threads, each sending the same request again as soon as the previous one is answered,
    until `stop()`: that many requests are always under way."""

    port: int
    method: str
    path: str
    body: dict | None
    clients: int
    answers: list[tuple[int, str | None, float]] = field(default_factory=list)
    _sent_at: dict[int, float] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def start(self) -> None:
        self._threads = [threading.Thread(target=self._client, args=(index,)) for index in range(self.clients)]
        for thread in self._threads:
            thread.start()

    def oldest_in_flight(self) -> float | None:
        """When the longest-waiting request under way was sent (time.monotonic()), if any."""
        with self._lock:
            return min(self._sent_at.values(), default=None)

    def stop(self, timeout: float) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout)
        assert not any(thread.is_alive() for thread in self._threads), "a request got no answer"
        assert not self.errors, self.errors

    def _client(self, index: int) -> None:
        while not self._stop.is_set():
            sent = time.monotonic()
            with self._lock:
                self._sent_at[index] = sent
            try:
                status, body = request(self.port, self.method, self.path, self.body)
            except Exception as exc:  # reported by stop()
                self.errors.append(exc)
                return
            finally:
                with self._lock:
                    self._sent_at.pop(index, None)
            with self._lock:
                self.answers.append((status, body.get("code"), time.monotonic() - sent))
