"""deploy/systemd: the units pass systemd's own checks, share one user, settings and sandbox, schedule the
maintenance commands, and the server unit's commands serve /health on a socket systemd would hand them,
under memory-deny-write-execute as the unit asks.

systemd does not run here (no init system in a container), so the units are checked as files with
systemd-analyze (verify, security --offline) on copies in which the install prefix /opt/blocra is
replaced by a temporary tree holding the project and this test's virtualenv: paths only, nothing else
in the units changes. Their commands then run as systemd would start them: ExecStartPre, then ExecStart
under systemd-socket-activate (the socket of blocra.socket), with the unit's Environment=."""

import json
import runpy
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.core.management import get_commands
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import unix_connect
from websockets.typing import Subprotocol

from tests.deploy.conftest import (
    PREFIX,
    ROOT,
    SYSTEMD,
    Unit,
    installed_units,
    production_env,
    read_unit,
    require_tool,
)
from tests.live_gunicorn import load_healthcheck

HOW = "Debian's systemd package; `make systemd` installs it"
SERVICES = ["blocra.service", "blocra-maintenance.service", "blocra-prune.service"]
# The ASGI server's unit: the WebSockets beside the API, with the API's user, settings and sandbox.
WS_SERVICE = "blocra-ws.service"
MDWE = Path(__file__).with_name("mdwe.py")
MDWE_UNSUPPORTED = 125
# systemd-analyze security's exposure of each service today (0 is best, 100 worst; 12 means 1.2, "OK").
# Dropping any hardening setting raises it above this and fails the test.
EXPOSURE_THRESHOLD = 12
# Settings every service shares with the server: who it runs as, with which settings and files.
SHARED_KEYS = [
    "User",
    "Group",
    "WorkingDirectory",
    "EnvironmentFile",
    "StateDirectory",
    "StateDirectoryMode",
    "UMask",
]
HARDENING = {
    "NoNewPrivileges": "yes",
    "CapabilityBoundingSet": "",
    "AmbientCapabilities": "",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "ProtectKernelTunables": "yes",
    "ProtectKernelModules": "yes",
    "ProtectKernelLogs": "yes",
    "ProtectControlGroups": "yes",
    "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6",
    "RestrictNamespaces": "yes",
    "RestrictSUIDSGID": "yes",
    "LockPersonality": "yes",
    "MemoryDenyWriteExecute": "yes",
    "SystemCallArchitectures": "native",
}


def unit(name: str) -> Unit:
    return read_unit(SYSTEMD / name)


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False, **kwargs)


def test_units_systemd_analyze_verify_accepts_every_unit(install_tree, tmp_path):
    # given: systemd-analyze, and the units with the install prefix moved to a tree that exists here
    analyze = require_tool("systemd-analyze", HOW)
    units = installed_units(install_tree, tmp_path / "units")
    assert {path.name for path in units} >= {
        *SERVICES,
        WS_SERVICE,
        "blocra.socket",
        "blocra-ws.socket",
        "blocra-maintenance.timer",
        "blocra-prune.timer",
    }

    # when
    result = run([analyze, "verify", "--man=no", *map(str, units)])

    # then: no error, and no warning either (an unknown or misspelt setting is only a warning)
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "" and result.stderr.strip() == "", result.stderr + result.stdout


def test_units_systemd_analyze_verify_refuses_a_missing_executable(install_tree, tmp_path):
    # The check above sees what it claims: a command the tree lacks is an error.
    analyze = require_tool("systemd-analyze", HOW)
    units = installed_units(install_tree, tmp_path / "units")
    server = tmp_path / "units" / "blocra.service"
    server.write_text(server.read_text().replace("venv/bin/gunicorn", "venv/bin/no-such-gunicorn"))

    result = run([analyze, "verify", "--man=no", *map(str, units)])

    assert result.returncode != 0
    assert "no-such-gunicorn" in result.stderr


@pytest.mark.parametrize("service", [*SERVICES, WS_SERVICE])
def test_service_hardening_exposure_stays_at_most_the_threshold(install_tree, tmp_path, service):
    analyze = require_tool("systemd-analyze", HOW)
    installed_units(install_tree, tmp_path / "units")

    result = run(
        [analyze, "security", "--offline=yes", "--man=no", f"--threshold={EXPOSURE_THRESHOLD}", service],
        cwd=tmp_path / "units",
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr


@pytest.mark.parametrize("service", [*SERVICES, WS_SERVICE])
def test_service_runs_as_blocra_with_the_issue_hardening(service):
    current = unit(service)

    assert current.value("Service", "User") == "blocra"
    assert current.value("Service", "Group") == "blocra"
    assert current.value("Service", "WorkingDirectory") == PREFIX
    assert current.value("Service", "EnvironmentFile") == "/etc/blocra/blocra.env"
    # The data directory is the state directory systemd makes writable under ProtectSystem=strict.
    assert current.value("Service", "StateDirectory") == "blocra"
    assert current.environment()["DATA_DIR"] == "/var/lib/blocra"
    for key, expected in HARDENING.items():
        assert current.value("Service", key) == expected, key
    assert "@system-service" in current.values("Service", "SystemCallFilter")
    assert "~@privileged @resources" in current.values("Service", "SystemCallFilter")


def test_services_share_user_settings_and_sandbox():
    # The oneshots write the same files as the server: same owner, mode and sandbox, or they drift.
    server, *others = [unit(name) for name in SERVICES]
    hardening_keys = set(HARDENING) | {"SystemCallFilter", "SystemCallErrorNumber", "ProtectClock"}
    for other in others:
        for key in SHARED_KEYS:
            assert other.values("Service", key) == server.values("Service", key), (other.path.name, key)
        for key in hardening_keys:
            assert other.values("Service", key) == server.values("Service", key), (other.path.name, key)
        assert other.environment() == {
            name: value for name, value in server.environment().items() if name != "PROMETHEUS_MULTIPROC_DIR"
        }
        assert other.values("Service", "UnsetEnvironment") == ["PROMETHEUS_MULTIPROC_DIR"]


def test_ws_service_shares_the_api_user_settings_and_sandbox_with_its_own_metrics_directory():
    server, ws = unit("blocra.service"), unit(WS_SERVICE)
    # Every other [Service] setting (user, files, limits, restarts, the whole sandbox) is the API's.
    own = {"Environment", "RuntimeDirectory", "ExecStartPre", "ExecStart", "TimeoutStartSec"}
    keys = {key for section, key, _ in server.assignments + ws.assignments if section == "Service"} - own

    assert set(SHARED_KEYS) | set(HARDENING) <= keys
    for key in keys:
        assert ws.values("Service", key) == server.values("Service", key), key
    ws_env, server_env = ws.environment(), server.environment()
    # Each server's metrics samples apart (both empty theirs at start), each in its runtime directory.
    assert (
        ws_env.pop("PROMETHEUS_MULTIPROC_DIR") == "/run/blocra/ws-metrics" != server_env.pop("PROMETHEUS_MULTIPROC_DIR")
    )
    assert ws.value("Service", "RuntimeDirectory") == "blocra/ws-metrics"
    assert ws_env == server_env


def test_ws_service_runs_the_asgi_server_after_the_api_migrated_and_never_migrates():
    ws = unit(WS_SERVICE)
    graceful_timeout = runpy.run_path(str(ROOT / "deploy" / "gunicorn_ws.conf.py"))["graceful_timeout"]

    assert ws.value("Service", "ExecStart") == (
        f"{PREFIX}/venv/bin/gunicorn -c deploy/gunicorn_ws.conf.py blocra.asgi:application"
    )
    # Two servers migrating one SQLite file at once would race: the API's ExecStartPre does it, first.
    assert ws.values("Service", "ExecStartPre") == []
    assert "blocra.service" in ws.value("Unit", "After").split()
    assert ws.value("Unit", "Requires") == "blocra-ws.socket"
    assert ws.value("Service", "Type") == "notify"
    assert ws.value("Service", "KillSignal") == "SIGTERM"
    assert int(ws.value("Service", "TimeoutStopSec")) > graceful_timeout
    assert ws.value("Service", "Restart") == "on-failure"


def test_server_unit_stops_within_gunicorn_graceful_timeout_and_restarts_on_failure():
    server = unit("blocra.service")
    graceful_timeout = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))["graceful_timeout"]

    assert server.value("Service", "Type") == "notify"  # gunicorn calls sd_notify once listening
    assert server.value("Service", "KillSignal") == "SIGTERM"  # gunicorn's graceful stop
    assert server.value("Service", "KillMode") == "mixed"
    assert int(server.value("Service", "TimeoutStopSec")) > graceful_timeout
    assert server.value("Service", "ExecReload") == "/bin/kill -s HUP $MAINPID"
    assert server.value("Service", "Restart") == "on-failure"
    assert int(server.value("Unit", "StartLimitBurst")) >= 1
    assert server.value("Unit", "Requires") == "blocra.socket"
    assert server.value("Service", "ExecStartPre") == f"{PREFIX}/venv/bin/python manage.py migrate --noinput"
    assert server.value("Service", "ExecStart") == f"{PREFIX}/venv/bin/gunicorn -c deploy/gunicorn.conf.py blocra.wsgi"


@pytest.mark.parametrize(
    ("name", "path"), [("blocra.socket", "/run/blocra/gunicorn.sock"), ("blocra-ws.socket", "/run/blocra/ws.sock")]
)
def test_socket_unit_lets_only_the_proxy_group_connect(name, path):
    socket_unit = unit(name)

    assert socket_unit.value("Socket", "ListenStream") == path
    assert socket_unit.value("Socket", "SocketGroup") == "www-data"
    assert socket_unit.value("Socket", "SocketMode") == "0660"


@pytest.mark.parametrize(
    ("timer", "calendar", "commands"),
    [
        ("blocra-maintenance.timer", "minutely", ["expire_bounties", "verify_payouts"]),
        ("blocra-prune.timer", "daily", ["prune_activity", "prune_notifications", "flush_expired_tokens"]),
    ],
)
def test_timer_runs_its_maintenance_commands(timer, calendar, commands):
    timer_unit = unit(timer)
    service = unit(timer.replace(".timer", ".service"))

    assert timer_unit.value("Timer", "OnCalendar") == calendar
    assert timer_unit.value("Timer", "Persistent") == "true"
    assert timer_unit.value("Timer", "RandomizedDelaySec")
    assert service.value("Service", "Type") == "oneshot"
    assert service.values("Service", "ExecStart") == [
        f"{PREFIX}/venv/bin/python manage.py {command}" for command in commands
    ]
    available = get_commands()
    assert all(command in available for command in commands)


def test_sysusers_file_creates_the_user_the_units_run_as(tmp_path):
    sysusers = require_tool("systemd-sysusers", HOW)
    (tmp_path / "etc").mkdir()

    result = run(
        [sysusers, f"--root={tmp_path}", "-"],
        input=(SYSTEMD / "blocra.sysusers").read_text(),
        env={"PATH": "/usr/bin:/bin"},
    )

    assert result.returncode == 0, result.stderr
    passwd = {line.split(":")[0]: line.split(":") for line in (tmp_path / "etc" / "passwd").read_text().splitlines()}
    assert passwd["blocra"][5:] == ["/var/lib/blocra", "/usr/sbin/nologin"]
    assert "blocra" in (tmp_path / "etc" / "group").read_text()


def require_mdwe() -> None:
    result = run([sys.executable, str(MDWE), "true"])
    if result.returncode == MDWE_UNSUPPORTED:
        pytest.skip(f"this kernel has no memory-deny-write-execute prctl (Linux 6.3+): {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr


def test_native_code_runs_without_writable_executable_memory(tmp_path):
    # MemoryDenyWriteExecute=yes holds only if no library the server loads needs W+X memory.
    require_mdwe()
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="blocra.settings", PYTHONPATH=str(ROOT))

    result = run(
        [sys.executable, str(MDWE), sys.executable, str(Path(__file__).with_name("native_code_probe.py"))],
        env=env,
        cwd=ROOT,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "writable+executable memory refused" in result.stdout
    assert result.stdout.strip().endswith("all native code ran")


@pytest.fixture
def run_dir():
    """A short temporary directory for /run/blocra: a Unix socket's path holds 108 bytes at most."""
    path = Path(tempfile.mkdtemp(prefix="blocra-run-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def serve_unit_on_its_socket(service: str, socket: str, *, install_tree, tmp_path, run_dir, start_server, **env):
    """`service`'s ExecStart under systemd-socket-activate on `socket`'s socket and under MDWE, as the
    units ask, with the unit's paths moved to temporary ones, its Environment=, production settings for
    /etc/blocra/blocra.env and `env`, after blocra.service's migration (ExecStartPre): (server, socket path)."""
    activate = require_tool("systemd-socket-activate", HOW)
    require_mdwe()
    api_unit, server_unit, socket_unit = unit("blocra.service"), unit(service), unit(socket)
    moved = {PREFIX: str(install_tree), "/var/lib/blocra": str(tmp_path / "state"), "/run/blocra": str(run_dir)}

    def local(text: str) -> str:
        for path, replacement in moved.items():
            text = text.replace(path, replacement)
        return text

    settings = production_env(tmp_path, **env)
    settings.update({name: local(value) for name, value in server_unit.environment().items()})
    Path(settings["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True)  # RuntimeDirectory=, made by systemd
    assert settings["DATA_DIR"] == str(tmp_path / "state")
    cwd = Path(local(server_unit.value("Service", "WorkingDirectory")))
    socket_path = local(socket_unit.value("Socket", "ListenStream"))
    migrate = run(local(api_unit.value("Service", "ExecStartPre")).split(), env=settings, cwd=cwd)
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr

    command = [sys.executable, str(MDWE), activate, f"--listen={socket_path}"]
    command += [f"--setenv={name}={value}" for name, value in settings.items()]
    command += local(server_unit.value("Service", "ExecStart")).split()
    healthcheck = load_healthcheck()
    server = start_server(
        command,
        env=settings,
        cwd=cwd,
        log=tmp_path / "server.log",
        connect=lambda: healthcheck.UnixHTTPConnection(socket_path, 10),
    )
    return server, socket_path


def test_server_unit_commands_serve_health_on_the_socket_systemd_hands_them(
    install_tree, tmp_path, run_dir, start_server
):
    # given, when: ExecStartPre, then ExecStart on the socket, as systemd runs them
    server, socket_path = serve_unit_on_its_socket(
        "blocra.service",
        "blocra.socket",
        install_tree=install_tree,
        tmp_path=tmp_path,
        run_dir=run_dir,
        start_server=start_server,
        GUNICORN_BIND="127.0.0.1:1",  # ignored: the socket is handed over
    )

    # then: /health answers through the socket, an Argon2 registration works under MDWE, and SIGTERM
    # stops it cleanly
    server.wait_until_healthy("api.blocra.example")
    body = b'{"email": "unit@blocra.example", "password": "a long enough passphrase 42"}'
    status, answer = server.get("/api/auth/register", "api.blocra.example", method="POST", body=body)
    assert status == 201, answer
    assert (tmp_path / "state" / "blocra.db").is_file()
    assert f"Listening at: unix:{socket_path} " in server.output()  # the handed socket, not GUNICORN_BIND
    assert server.stop() == 0, server.output()


def test_ws_unit_command_serves_websockets_on_the_socket_systemd_hands_it(
    install_tree, tmp_path, run_dir, start_server
):
    # given, when: the API unit's migration applied (blocra.service runs it, before this unit), then the
    # ASGI server's ExecStart on blocra-ws.socket's socket
    server, socket_path = serve_unit_on_its_socket(
        WS_SERVICE,
        "blocra-ws.socket",
        install_tree=install_tree,
        tmp_path=tmp_path,
        run_dir=run_dir,
        start_server=start_server,
        GUNICORN_WS_BIND="127.0.0.1:1",  # ignored: the socket is handed over
    )

    # then: a WebSocket through the handed socket reaches a consumer, which reads the database (no such
    # bounty: told so and closed 4404), and SIGTERM stops the server cleanly
    server.wait_until_healthy("api.blocra.example")
    with unix_connect(
        socket_path, f"ws://api.blocra.example/ws/bounties/{uuid.uuid4()}", subprotocols=[Subprotocol("blocra.v1")]
    ) as socket:
        assert socket.subprotocol == "blocra.v1"
        assert json.loads(socket.recv(timeout=30))["code"] == "bounties.not_found"
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=30)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4404
    assert f"Listening at: unix:{socket_path} " in server.output()
    assert "Using worker: blocra.asgi_worker.SocketWorker" in server.output()
    assert server.stop() == 0, server.output()
