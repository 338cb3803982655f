"""deploy/gunicorn.conf.py: its defaults, what the environment changes, the proxies it trusts (derived from
TRUSTED_PROXIES, as the app's), and a live gunicorn that ignores a client's forwarded scheme."""

import functools
import http.client
import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.live_gunicorn import HOST, ROOT, free_port, gunicorn_server
from tests.real_services import require_service

CONF = ROOT / "deploy" / "gunicorn.conf.py"


@pytest.fixture
def load_conf(gunicorn_conf):
    """The configuration file's values as gunicorn reads them, under the given environment (every
    variable it reads starts unset)."""
    return functools.partial(gunicorn_conf, CONF)


def test_gunicorn_conf_defaults(load_conf):
    conf = load_conf()
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] == conf["default_workers"](os.cpu_count() or 1)
    assert conf["threads"] == conf["DEFAULT_THREADS"]
    assert conf["preload_app"] is True
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (0, 0)
    assert conf["timeout"] == 30
    assert conf["graceful_timeout"] == 30
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert conf["secure_scheme_headers"] == {}
    assert conf["forwarder_headers"] == ""
    assert conf["accesslog"] is None
    assert conf["loglevel"] == "info"


def test_gunicorn_conf_default_workers_one_per_core_at_least_two(load_conf):
    default_workers = load_conf()["default_workers"]
    assert [default_workers(cores) for cores in (1, 2, 4, 16)] == [2, 2, 4, 16]


def test_gunicorn_conf_reads_the_environment(load_conf):
    conf = load_conf(
        GUNICORN_BIND="unix:/run/blocra/gunicorn.sock",
        GUNICORN_WORKERS="3",
        GUNICORN_THREADS="8",
        GUNICORN_WORKER_CLASS="sync",
        GUNICORN_PRELOAD="false",
        GUNICORN_MAX_REQUESTS="5000",
        GUNICORN_TIMEOUT="60",
        GUNICORN_GRACEFUL_TIMEOUT="20",
        LOG_LEVEL="trace",
    )
    assert conf["bind"] == ["unix:/run/blocra/gunicorn.sock"]
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 8, "sync")
    assert load_conf(GUNICORN_WORKER_CLASS="sync")["threads"] == 1
    assert conf["preload_app"] is False
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (5000, 500)
    assert (conf["timeout"], conf["graceful_timeout"]) == (60, 20)
    assert conf["loglevel"] == "debug"


@pytest.mark.parametrize(
    ("name", "value"), [("GUNICORN_WORKERS", "two"), ("GUNICORN_PRELOAD", "perhaps"), ("GUNICORN_TIMEOUT", "30s")]
)
def test_gunicorn_conf_refuses_a_malformed_value(load_conf, name, value):
    with pytest.raises(RuntimeError, match=name):
        load_conf(**{name: value})


def test_gunicorn_conf_takes_its_proxies_from_trusted_proxies(load_conf):
    # gunicorn matches single addresses: a network of one is kept, wider ones and "unix" are not.
    conf = load_conf(TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.7, unix, ::1/128, 198.51.100.9/32")
    assert conf["forwarded_allow_ips"] == "192.0.2.7,::1,198.51.100.9"
    assert load_conf(TRUSTED_PROXIES="")["forwarded_allow_ips"] == ""


def test_gunicorn_conf_refuses_forwarded_allow_ips(load_conf):
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        load_conf(FORWARDED_ALLOW_IPS="*")


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without the variables the gunicorn settings and the bulkhead read."""
    names = ("GUNICORN_", "STARKNET_MAX_CONCURRENT_CALLS", "TRUSTED_PROXIES", "REDIS_URL", "DATABASE_URL")
    return {**{k: v for k, v in os.environ.items() if not k.startswith(names)}, **extra}


def python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.mark.parametrize("environment", [{}, {"GUNICORN_WORKER_CLASS": "sync"}])
def test_settings_bulkhead_default_is_half_the_gunicorn_pool(tmp_path, load_conf, environment):
    # given: the defaults of both, on this machine
    conf = load_conf(**environment)
    out = python(
        "import django; django.setup(); from django.conf import settings; print(settings.STARKNET_MAX_CONCURRENT_CALLS)",
        clean_environment(DJANGO_SETTINGS_MODULE="blocra.settings", DATA_DIR=str(tmp_path), **environment),
    )
    # then: the chain-call cap is half of the requests gunicorn serves at once
    assert int(out) == max(1, conf["workers"] * conf["threads"] // 2)


def get(port: int, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response
    finally:
        connection.close()


def test_live_gunicorn_ignores_forwarded_proto_from_a_peer_that_is_no_proxy(tmp_path):
    require_service("gunicorn", importlib.util.find_spec("gunicorn") is not None, "pip install gunicorn")
    # given: production settings where only ::1 is a proxy, and a client on 127.0.0.1
    port = free_port()
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="blocra.settings",
        DATA_DIR=str(tmp_path),
        TRUSTED_PROXIES="::1/128",
        GUNICORN_WORKERS="1",
        LOG_LEVEL="warning",
    )
    with gunicorn_server(env, bind=f"{HOST}:{port}", log=tmp_path / "gunicorn.log"):
        # when: the client claims to have come over https, in every header gunicorn knows
        forged = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Protocol": "ssl"}
        response = get(port, "/health", forged)
    # then: neither gunicorn nor Django takes the request for a secure one (no HSTS on plain http)
    assert response.status == 200
    assert response.getheader("Strict-Transport-Security") is None


def test_gunicorn_conf_child_exit_imports_nothing_in_the_signal_handler(load_conf, monkeypatch, tmp_path):
    # given: a master that has started (on_starting ran) with counts left by a worker
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    conf = load_conf()
    conf["on_starting"](None)
    gauge_file = tmp_path / "gauge_liveall_4242.db"
    gauge_file.write_bytes(b"")

    # when: the worker's exit is reaped, in the master's SIGCHLD handler
    conf["child_exit"](None, type("Worker", (), {"pid": 4242})())

    # then: the module it needs was loaded at start, not in the handler, and the worker is marked dead
    assert conf["child_exit"].__globals__["_multiprocess"] is sys.modules["prometheus_client.multiprocess"]
    assert not gauge_file.exists()


def test_live_gunicorn_refuses_an_overlong_request_line_in_the_api_error_shape(tmp_path):
    require_service("gunicorn", importlib.util.find_spec("gunicorn") is not None, "pip install gunicorn")
    # given: the production configuration
    port = free_port()
    env = clean_environment(
        DJANGO_SETTINGS_MODULE="blocra.settings", DATA_DIR=str(tmp_path), GUNICORN_WORKERS="1", LOG_LEVEL="warning"
    )
    with gunicorn_server(env, bind=f"{HOST}:{port}", log=tmp_path / "gunicorn.log"):
        # when: a request line past gunicorn's limit (4094 bytes), which gunicorn answers itself
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            connection.request("GET", "/api/bounties?search=" + "x" * 5000)
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
    # then: the API's JSON error, not gunicorn's HTML page
    assert response.status == 400
    assert response.getheader("Content-Type") == "application/json"
    assert json.loads(body) == {
        "success": False,
        "message": "The request line or headers could not be parsed, or are too long.",
        "code": "request.malformed",
    }
