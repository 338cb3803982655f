"""deploy/docker-entrypoint.sh and deploy/healthcheck.py, run outside a container as the image runs
them: this test's virtualenv first on PATH (the image's /opt/venv/bin), production settings, SQLite
and static files in a temporary directory, gunicorn on a loopback port."""

import subprocess
import sys

import pytest

from tests.deploy.conftest import DEPLOY, ROOT, production_env
from tests.live_gunicorn import HOST, free_port, load_healthcheck

ENTRYPOINT = DEPLOY / "docker-entrypoint.sh"
HEALTHCHECK = DEPLOY / "healthcheck.py"
PUBLIC_HOST = "api.blocra.example"


def run(argv: list[str], env: dict[str, str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def started_entrypoint(start_server, env: dict[str, str], *, bind: str, cwd):
    """The entrypoint started from `cwd` as Docker starts it, once the image's health check would pass
    on `bind`: the server (tests/deploy/conftest.start_server)."""
    healthcheck = load_healthcheck()
    server = start_server(
        [str(ENTRYPOINT)],
        env=env,
        cwd=cwd,
        log=cwd / "entrypoint.log",
        connect=lambda: healthcheck.connection_for(bind),
    )
    server.wait_until_healthy(PUBLIC_HOST)
    return server


def test_entrypoint_migrates_collects_and_serves_health(tmp_path, start_server):
    # given: started from elsewhere, as Docker does (the script finds the project itself)
    bind = f"{HOST}:{free_port()}"
    env = production_env(tmp_path, GUNICORN_BIND=bind, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))

    # when
    server = started_entrypoint(start_server, env, bind=bind, cwd=tmp_path)

    # then: the SQLite database is migrated, static files collected, the metrics directory made, and
    # the image's health check passes with the public name in ALLOWED_HOSTS only
    assert (tmp_path / "data" / "blocra.db").is_file()
    assert (tmp_path / "static" / "admin" / "css" / "base.css").is_file()
    assert (tmp_path / "metrics").is_dir()
    check = run([sys.executable, str(HEALTHCHECK)], env=env, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    # gunicorn replaced the shell (exec): its master is the process Docker signals, and stops gracefully
    assert f"Listening at: http://{bind} ({server.process.pid})" in server.output()
    assert server.stop() == 0, server.output()


def test_entrypoint_runs_given_command_without_migrating(tmp_path):
    env = production_env(tmp_path, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"))
    show = "import os; print(os.getcwd()); print(os.environ.get('PROMETHEUS_MULTIPROC_DIR'))"

    result = run([str(ENTRYPOINT), "python", "-c", show], env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(ROOT), "None"]
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "metrics").exists()


def test_entrypoint_skips_collectstatic_when_told(tmp_path):
    # The image collects at build time and says so with COLLECTSTATIC_ON_START=false. A gunicorn that
    # only prints its arguments ends the run where the server would start.
    env = production_env(tmp_path, COLLECTSTATIC_ON_START="false", MIGRATE_ON_START="false")
    env["PATH"] = f"{tmp_path / 'bin'}:{env['PATH']}"
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "gunicorn"
    fake.write_text('#!/bin/sh\necho "gunicorn $*"\n')
    fake.chmod(0o755)

    result = run([str(ENTRYPOINT)], env=env, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "MIGRATE_ON_START=false" in result.stdout
    assert result.stdout.splitlines()[-1] == "gunicorn -c deploy/gunicorn.conf.py blocra.wsgi"
    assert not (tmp_path / "static").exists()
    assert not (tmp_path / "data" / "blocra.db").exists()


def test_entrypoint_refuses_a_switch_that_is_not_true_or_false(tmp_path):
    env = production_env(tmp_path, MIGRATE_ON_START="yes")

    result = run([str(ENTRYPOINT)], env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "MIGRATE_ON_START must be true or false, not 'yes'" in result.stderr


def test_entrypoint_runs_the_asgi_server_without_migrating_and_its_healthcheck_passes(tmp_path, start_server):
    # given: the API's container migrated the shared database (its entrypoint's migration step)
    bind = f"{HOST}:{free_port()}"
    env = production_env(tmp_path, BLOCRA_SERVER="ws", GUNICORN_WS_BIND=bind, GUNICORN_WS_WORKERS="1")
    migrated = run([sys.executable, "manage.py", "migrate", "--noinput"], env=env, cwd=ROOT)
    assert migrated.returncode == 0, migrated.stderr
    env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "metrics")

    # when
    server = started_entrypoint(start_server, env, bind=bind, cwd=tmp_path)

    # then: the ASGI server replaced the shell, neither migrating nor collecting, and the image's health
    # check asks it (GUNICORN_WS_BIND), not the API's address
    output = server.output()
    assert f"Listening at: http://{bind} ({server.process.pid})" in output
    assert "Using worker: blocra.asgi_worker.SocketWorker" in output
    assert "Operations to perform" not in output  # migrate's first line
    assert not (tmp_path / "static").exists()
    assert (tmp_path / "metrics").is_dir()
    check = run([sys.executable, str(HEALTHCHECK)], env={**env, "GUNICORN_BIND": "127.0.0.1:1"}, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert server.stop() == 0, server.output()


def test_entrypoint_refuses_an_unknown_server(tmp_path):
    env = production_env(tmp_path, BLOCRA_SERVER="asgi")

    result = run([str(ENTRYPOINT)], env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "BLOCRA_SERVER must be api or ws, not 'asgi'" in result.stderr
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "127.0.0.1:8000"),
        ({"GUNICORN_BIND": "0.0.0.0:8000", "GUNICORN_WS_BIND": "0.0.0.0:8001"}, "0.0.0.0:8000"),
        ({"BLOCRA_SERVER": "ws", "GUNICORN_BIND": "0.0.0.0:8000", "GUNICORN_WS_BIND": "0.0.0.0:8001"}, "0.0.0.0:8001"),
        ({"BLOCRA_SERVER": "ws", "GUNICORN_BIND": "0.0.0.0:8000"}, "127.0.0.1:8001"),
    ],
)
def test_healthcheck_asks_the_server_of_its_container(environ, expected):
    assert load_healthcheck().server_bind(environ) == expected


def test_healthcheck_fails_when_nothing_answers(tmp_path):
    env = production_env(tmp_path, GUNICORN_BIND=f"{HOST}:{free_port()}")

    result = run([sys.executable, str(HEALTHCHECK)], env=env, cwd=tmp_path)

    assert result.returncode == 1
    assert "/health did not answer" in result.stderr


@pytest.mark.parametrize(
    ("allowed_hosts", "expected"),
    [
        ("api.blocra.example,localhost", "api.blocra.example"),
        (" .blocra.example ", "blocra.example"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_healthcheck_host_header_is_the_first_allowed_host(allowed_hosts, expected):
    assert load_healthcheck().host_header(allowed_hosts) == expected


@pytest.mark.parametrize(
    ("bind", "host", "port"),
    [
        ("0.0.0.0:8000", "127.0.0.1", 8000),
        ("[::]:8000", "::1", 8000),
        ("10.1.2.3:9000, 127.0.0.1:9001", "10.1.2.3", 9000),
        ("", "127.0.0.1", 8000),
    ],
)
def test_healthcheck_reaches_a_tcp_bind_on_loopback_or_its_address(bind, host, port):
    connection = load_healthcheck().connection_for(bind)

    assert (connection.host, connection.port) == (host, port)


def test_healthcheck_reaches_a_unix_bind_over_its_socket():
    connection = load_healthcheck().connection_for("unix:/run/blocra/gunicorn.sock")

    assert connection.socket_path == "/run/blocra/gunicorn.sock"


def test_healthcheck_refuses_a_bind_without_a_port():
    with pytest.raises(ValueError, match="neither HOST:PORT nor unix:PATH"):
        load_healthcheck().connection_for("localhost")
