"""The deployment files (deploy/, Dockerfile) read and run as deployments use them: units, manifests
and images parsed, the entrypoint and the units' commands started for real outside systemd and
containers, with production settings in a temporary directory."""

from __future__ import annotations

import os
import re
import runpy
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.real_services import require_service

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SYSTEMD = DEPLOY / "systemd"
DOCKERFILE = ROOT / "Dockerfile"
# The image's user and group id (Dockerfile), which Kubernetes' runAsUser and fsGroup repeat.
UID = "10001"
# Where the units expect the code and its virtualenv (the install prefix the README documents).
PREFIX = "/opt/blocra"
# The virtualenv running this test: its executables stand for the installed ones.
VENV_BIN = Path(sys.executable).parent
START_TIMEOUT = 90  # seconds for migrations and gunicorn's first answer on a busy 2-core machine
STOP_TIMEOUT = 40  # gunicorn's graceful stop takes up to graceful_timeout (30 s)


def require_tool(name: str, how: str) -> str:
    """The path of a command-line tool; skips the calling test (fails it under CI=true) without it."""
    path = shutil.which(name)
    require_service(name, path is not None, how)
    assert path is not None
    return path


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """A server's whole environment with production settings (DEBUG off, a fresh secret key) and its
    files in `tmp_path`: SQLite, never the suite's DATABASE_URL or REDIS_URL. Nothing else leaks in
    from the test's environment."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "api.blocra.example",
        "STARKNET_RPC_URLS": "http://127.0.0.1:9/unused",
        "EMAIL_URL": "consolemail://",
        "BLOCRA_READ_DOT_ENV": "false",
        "LOG_LEVEL": "info",
        "DATA_DIR": str(tmp_path / "data"),
        "STATIC_ROOT": str(tmp_path / "static"),
        # One worker: these servers answer a few requests, beside a suite running on every core.
        "GUNICORN_WORKERS": "1",
    }
    env.update(overrides)
    return env


@dataclass
class Server:
    """A server process started in a session (process group) of its own, its output in `log`."""

    process: subprocess.Popen
    log: Path
    connect: Callable[[], object] = field(repr=False)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def get(self, path: str, host: str, method: str = "GET", body: bytes | None = None) -> tuple[int, bytes]:
        connection = self.connect()
        headers = {"Host": host}
        if body is not None:
            headers["Content-Type"] = "application/json"
        try:
            connection.request(method, path, body=body, headers=headers)  # type: ignore[attr-defined]
            response = connection.getresponse()  # type: ignore[attr-defined]
            return response.status, response.read()
        finally:
            connection.close()  # type: ignore[attr-defined]

    def wait_until_healthy(self, host: str) -> None:
        """Until /health answers 200, at most START_TIMEOUT seconds; fails when the process exits."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if self.get("/health", host)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)  # a process starting up: nothing to wait on but its socket
        pytest.fail(f"/health did not answer 200 within {START_TIMEOUT} s:\n{self.output()}")

    def stop(self) -> int:
        """SIGTERM to the whole process group, as systemd and docker stop do: gunicorn's graceful
        stop. Returns the exit status; what is still alive after STOP_TIMEOUT is killed."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            pytest.fail(f"the server ignored SIGTERM for {STOP_TIMEOUT} s:\n{self.output()}")


@pytest.fixture
def gunicorn_conf(monkeypatch: pytest.MonkeyPatch) -> Callable[..., dict]:
    """`load(path, **environment)`: a gunicorn configuration file's values as gunicorn reads them, under
    `environment` (every variable such a file reads starts unset)."""

    def load(path: Path, **environment: str) -> dict:
        for name in list(os.environ):
            if name.startswith("GUNICORN_") or name in ("TRUSTED_PROXIES", "FORWARDED_ALLOW_IPS", "LOG_LEVEL"):
                monkeypatch.delenv(name)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(path))

    return load


@pytest.fixture
def start_server() -> Iterator[Callable[..., Server]]:
    """start_server(argv, env=..., cwd=..., log=..., connect=...): a Server; every one still running
    when the test ends is killed with its process group."""
    started: list[Server] = []

    def start(
        argv: list[str],
        *,
        env: dict[str, str],
        cwd: Path,
        log: Path,
        connect: Callable[[], object],
    ) -> Server:
        with log.open("wb") as output:
            process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(process=process, log=log, connect=connect)
        started.append(server)
        return server

    yield start
    for server in started:
        if server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=10)


# --- systemd unit files --------------------------------------------------------------------------------


@dataclass
class Unit:
    """A unit file's assignments in order, as (section, key, value); keys may repeat."""

    path: Path
    assignments: list[tuple[str, str, str]]

    def values(self, section: str, key: str) -> list[str]:
        return [value for sec, name, value in self.assignments if sec == section and name == key]

    def value(self, section: str, key: str) -> str:
        found = self.values(section, key)
        assert len(found) == 1, f"{self.path.name}: [{section}] {key} set {len(found)} times"
        return found[0]

    def environment(self) -> dict[str, str]:
        """Environment= of [Service], space-separated assignments (no quoting is used in ours)."""
        env: dict[str, str] = {}
        for line in self.values("Service", "Environment"):
            for assignment in line.split():
                name, _, value = assignment.partition("=")
                env[name] = value
        return env


def read_unit(path: Path) -> Unit:
    section = ""
    assignments: list[tuple[str, str, str]] = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            continue
        key, separator, value = line.partition("=")
        assert separator, f"{path.name}: not an assignment: {raw!r}"
        assignments.append((section, key.strip(), value.strip()))
    return Unit(path=path, assignments=assignments)


@pytest.fixture
def install_tree(tmp_path: Path) -> Path:
    """A stand-in for the install prefix: <tmp>/opt/blocra holds the project's files (symlinked) and
    venv/ is this test's virtualenv, so the units' commands, with PREFIX replaced by this path and
    nothing else changed, run the real code with the real executables."""
    tree = tmp_path / "install" / PREFIX.lstrip("/")
    tree.mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name not in {".git", ".venv", "venv", "data", "staticfiles", "artifacts"}:
            (tree / entry.name).symlink_to(entry)
    (tree / "venv").symlink_to(VENV_BIN.parent)
    return tree


def installed_units(install_tree: Path, into: Path) -> list[Path]:
    """Copies of deploy/systemd's units in `into`, the install prefix replaced by `install_tree`."""
    into.mkdir(parents=True, exist_ok=True)
    copies = []
    for unit in sorted(SYSTEMD.iterdir()):
        if unit.suffix in {".service", ".socket", ".timer"}:
            copy = into / unit.name
            copy.write_text(unit.read_text().replace(PREFIX, str(install_tree)))
            copies.append(copy)
    return copies


def load_settings(tmp_path: Path, values: dict[str, str]) -> subprocess.CompletedProcess:
    """Start Django (django.setup()) in a fresh process whose environment is `values` alone, as a
    deployment's settings file or manifests give it: the outcome and its output."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "blocra.settings",
        "BLOCRA_READ_DOT_ENV": "false",
        "DATA_DIR": str(tmp_path / "data"),
        **values,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def filled_in(values: dict[str, str]) -> dict[str, str]:
    """`values` with the secrets an operator must supply filled in (made up, never real)."""
    return {
        **values,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STARKNET_RPC_URLS": "https://starknet-rpc.blocra.example/rpc/v0_10",
        "EMAIL_URL": "smtp+tls://mailer:made-up@mail.blocra.example:587",
    }


# --- Dockerfile and environment files --------------------------------------------------------------


@dataclass
class Instruction:
    stage: int
    keyword: str
    arguments: str


def dockerfile() -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined and comments dropped; stage -1 is the
    part before the first FROM."""
    instructions: list[Instruction] = []
    stage = -1
    pending = ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        pending = ""
        if keyword.upper() == "FROM":
            stage += 1
        instructions.append(Instruction(stage, keyword.upper(), " ".join(arguments.split())))
    return instructions


def final_stage() -> list[Instruction]:
    instructions = dockerfile()
    last = max(instruction.stage for instruction in instructions)
    return [instruction for instruction in instructions if instruction.stage == last]


def only(instructions: list[Instruction], keyword: str) -> str:
    found = [instruction.arguments for instruction in instructions if instruction.keyword == keyword]
    assert len(found) == 1, f"{keyword}: {found}"
    return found[0]


def image_env() -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in final_stage():
        if instruction.keyword == "ENV":
            env.update(dict(assignment.split("=", 1) for assignment in shlex.split(instruction.arguments)))
    return env


def env_file(path: Path, *, commented: bool = False) -> dict[str, str]:
    """KEY=value lines of an environment file; with `commented`, the `#KEY=value` examples too."""
    values = {}
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if commented and re.match(r"^#[A-Z][A-Z0-9_]*=", line):
            line = line[1:]
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values
