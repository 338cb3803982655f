"""A live gunicorn (deploy/gunicorn.conf.py) serving the project, and a steady load of concurrent
requests against it: for tests and benchmarks about how the real server behaves."""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def database_url() -> str:
    """The database of the test calling it, as a DATABASE_URL for a server it starts to share."""
    from django.db import connection

    info = connection.settings_dict
    if info["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(info['NAME']).resolve()}"
    scheme, port = {"postgresql": ("postgres", 5432), "mysql": ("mysql", 3306)}[connection.vendor]
    credentials = quote(info["USER"] or "") + (f":{quote(info['PASSWORD'])}" if info["PASSWORD"] else "")
    return f"{scheme}://{credentials}@{info['HOST'] or '127.0.0.1'}:{info['PORT'] or port}/{info['NAME']}"


# Variables of the suite's own environment that would configure the server under test behind its back.
_SERVER_VARIABLES = (
    "STARKNET_",
    "GUNICORN_",
    "REDIS_",
    "METRICS_",
    "PROMETHEUS_",
    "BLOCRA_METRICS_",
    "DATABASE_",
    "CACHE_",
)


def production_env(tmp_path: Path, *, share_redis: bool = False, **overrides: str) -> dict[str, str]:
    """The environment of a production-settings server (DEBUG off) on the calling test's database, with
    its data, cache file and static root under `tmp_path`, no Starknet node (`STARKNET_RPC_URLS` in
    `overrides` names one), and the suite's Redis cache when `share_redis` and the suite uses one."""
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if not k.startswith(_SERVER_VARIABLES)}
    # An existing (empty) static root: WhiteNoise warns on stderr, not in JSON, about a missing one.
    static = tmp_path / "static"
    static.mkdir(exist_ok=True)
    env.update(
        DJANGO_SETTINGS_MODULE="blocra.settings",
        BLOCRA_READ_DOT_ENV="false",
        DEBUG="false",
        DATA_DIR=str(tmp_path),
        STATIC_ROOT=str(static),
        DATABASE_URL=database_url(),
        LOG_LEVEL="warning",
        STARKNET_RPC_URLS="http://127.0.0.1:9/unconfigured",
    )
    cache = settings.CACHES["default"]
    if share_redis and cache["BACKEND"].endswith("RedisCache"):
        env["REDIS_URL"] = cache["LOCATION"]
    env.update(overrides)
    return env


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


def load_healthcheck() -> ModuleType:
    """deploy/healthcheck.py as a module (it is a script, not a package member): the image's health
    check, whose connection to gunicorn (a loopback port or `unix:PATH`) the tests reuse."""
    spec = importlib.util.spec_from_file_location("deploy_healthcheck", ROOT / "deploy" / "healthcheck.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def gunicorn(env: dict[str, str], *, workers: int, log: Path) -> Iterator[int]:
    """gunicorn with deploy/gunicorn.conf.py, `workers` sync workers and `env` on a free loopback port;
    yields the port once /health answers. Killed, workers and all, when the block ends."""
    port = free_port()
    settings = {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": "1"}
    with gunicorn_server({**env, **settings}, bind=f"{HOST}:{port}", log=log):
        yield port


@contextmanager
def asgi_server(env: dict[str, str], *, bind: str, log: Path) -> Iterator[subprocess.Popen]:
    """The ASGI server (deploy/gunicorn_ws.conf.py, blocra.asgi) as `gunicorn_server` runs the API's:
    configured by `env` (GUNICORN_WS_WORKERS, ...), on `bind`, yielded once /health answers there."""
    with gunicorn_server(env, bind=bind, log=log, asgi=True) as server:
        yield server


@contextmanager
def gunicorn_server(env: dict[str, str], *, bind: str, log: Path, asgi: bool = False) -> Iterator[subprocess.Popen]:
    """gunicorn with deploy/gunicorn.conf.py as configured by `env` (GUNICORN_WORKERS, ...), listening on
    `bind` (`HOST:PORT` or `unix:PATH`); yields the master's process once /health answers there. Killed,
    workers and all, when the block ends. With `asgi`, the ASGI server instead (`asgi_server`)."""
    if bind.startswith("unix:"):
        path = bind.removeprefix("unix:")

        def connect() -> http.client.HTTPConnection:
            return load_healthcheck().UnixHTTPConnection(path, 5)
    else:
        address, port = bind.rsplit(":", 1)

        def connect() -> http.client.HTTPConnection:
            return http.client.HTTPConnection(address, int(port), timeout=5)

    if asgi:
        server_env = {**env, "GUNICORN_WS_BIND": bind}
        command = ["-c", "deploy/gunicorn_ws.conf.py", "blocra.asgi:application"]
    else:
        server_env = {**env, "GUNICORN_BIND": bind}
        command = ["-c", "deploy/gunicorn.conf.py", "blocra.wsgi"]
    if not server_env.get("PROMETHEUS_MULTIPROC_DIR"):
        # Beside the log, not a directory of gunicorn's making: a killed master cannot remove its own.
        # One per server: a master empties its directory when it starts.
        metrics = log.parent / ("ws-metrics" if asgi else "metrics")
        server_env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics)
        metrics.mkdir(exist_ok=True)
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", *command],
            cwd=ROOT,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            # Asked with the first of ALLOWED_HOSTS, as a client of the real site would.
            site = (env.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
            _wait_until_ready(server, connect, site, log)
            yield server
        finally:
            # A throw-away server: killed with its workers at once (a graceful stop takes seconds).
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _wait_until_ready(
    server: subprocess.Popen, connect: Callable[[], http.client.HTTPConnection], site: str, log: Path
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        connection = connect()
        try:
            connection.request("GET", "/health", headers={"Host": site})
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
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
