"""The Dockerfile, .dockerignore, deploy/docker-compose.yml and deploy/blocra.env.example, read as Docker
and compose read them (no Docker engine runs here: the build itself is not run)."""

import os
import re
import runpy

import pytest
import yaml

from tests.deploy.conftest import (
    DEPLOY,
    DOCKERFILE,
    ROOT,
    UID,
    dockerfile,
    env_file,
    filled_in,
    final_stage,
    image_env,
    load_settings,
    only,
)

COMPOSE = DEPLOY / "docker-compose.yml"
ENV_EXAMPLE = DEPLOY / "blocra.env.example"
# A precise CPython 3.11 release on Debian, slim, optionally pinned by digest too.
PRECISE_PYTHON = re.compile(r"^python:3\.11\.\d+-slim-(bookworm|trixie)(@sha256:[0-9a-f]{64})?$")


def test_dockerfile_builds_from_one_precise_slim_python_in_two_stages():
    instructions = dockerfile()
    base = only([i for i in instructions if i.stage == -1], "ARG")

    name, _, default = base.partition("=")
    assert name == "PYTHON_IMAGE"
    assert PRECISE_PYTHON.match(default), default
    froms = [i.arguments for i in instructions if i.keyword == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS builder", "${PYTHON_IMAGE}"]


def test_dockerfile_installs_the_runtime_lock_with_hashes_in_the_builder():
    builder = [i for i in dockerfile() if i.stage == 0]
    installs = [i.arguments for i in builder if i.keyword == "RUN" and "pip install" in i.arguments]

    assert len(installs) == 1
    assert "--require-hashes" in installs[0]
    assert "-r /tmp/requirements.lock" in installs[0]
    assert "COPY requirements.lock /tmp/requirements.lock" in [f"COPY {i.arguments}" for i in builder]
    runtime = final_stage()
    assert "--from=builder /opt/venv /opt/venv" in [i.arguments for i in runtime if i.keyword == "COPY"]
    # Nothing is compiled or installed with apt in the image that ships.
    assert not any("apt-get" in i.arguments or "pip install" in i.arguments for i in runtime if i.keyword == "RUN")


def test_dockerfile_runs_as_a_fixed_unprivileged_user():
    runtime = final_stage()

    assert only(runtime, "USER") == f"{UID}:{UID}"
    created = " ".join(i.arguments for i in runtime if i.keyword == "RUN")
    assert f"groupadd --system --gid {UID} blocra" in created
    assert f"useradd --system --uid {UID} --gid blocra" in created
    # The data volume belongs to that user; the code does not.
    assert "install -d -o blocra -g blocra -m 0750 /data" in created


def test_dockerfile_keeps_sqlite_data_on_the_data_volume():
    env = image_env()

    assert only(final_stage(), "VOLUME") == '["/data"]'
    assert env["DATA_DIR"] == "/data"
    assert env["BLOCRA_READ_DOT_ENV"] == "false"


def test_dockerfile_exposes_the_port_gunicorn_binds():
    env = image_env()

    assert env["GUNICORN_BIND"] == "0.0.0.0:8000"
    assert only(final_stage(), "EXPOSE") == "8000"


def test_dockerfile_healthcheck_runs_the_healthcheck_script_with_python():
    healthcheck = only(final_stage(), "HEALTHCHECK")

    options, _, command = healthcheck.partition(" CMD ")
    assert command == '["python", "/app/deploy/healthcheck.py"]'
    assert "--interval=" in options and "--timeout=" in options and "--start-period=" in options
    assert only(final_stage(), "WORKDIR") == "/app"
    assert (ROOT / "deploy" / "healthcheck.py").is_file()


def test_dockerfile_entrypoint_is_the_executable_entrypoint_script():
    entrypoint = only(final_stage(), "ENTRYPOINT")

    assert entrypoint == '["/app/deploy/docker-entrypoint.sh"]'
    script = ROOT / "deploy" / "docker-entrypoint.sh"
    assert os.access(script, os.X_OK)
    assert script.read_text().startswith("#!/bin/sh\n")
    assert only(final_stage(), "STOPSIGNAL") == "SIGTERM"


def test_dockerfile_collects_static_files_at_build_time_and_bakes_in_no_secret():
    env = image_env()
    collect = [i.arguments for i in final_stage() if i.keyword == "RUN" and "collectstatic" in i.arguments]

    assert len(collect) == 1
    assert env["COLLECTSTATIC_ON_START"] == "false"
    assert env["STATIC_ROOT"] == "/app/staticfiles"
    # The throw-away SECRET_KEY of the collectstatic step lives in that RUN only, never in ENV.
    assert not {"SECRET_KEY", "JWT_SIGNING_KEY", "EMAIL_URL", "STARKNET_RPC_URLS", "DATABASE_URL"} & env.keys()


@pytest.mark.parametrize(
    "pattern",
    [
        ".git",
        ".venv",
        "data",
        "staticfiles",
        "artifacts",
        "**/node_modules",
        ".env",
        "deploy/blocra.env",
        "deploy/.env",
    ],
)
def test_dockerignore_keeps_local_state_and_secrets_out(pattern):
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]

    assert pattern in patterns


def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def test_compose_builds_blocra_from_the_repository_with_data_on_a_volume():
    blocra = compose()["services"]["blocra"]

    assert (COMPOSE.parent / blocra["build"]["context"]).resolve() == ROOT
    assert (ROOT / blocra["build"]["dockerfile"]) == DOCKERFILE
    assert "profiles" not in blocra  # always on
    assert "blocra-data:/data" in blocra["volumes"]
    assert "blocra-data" in compose()["volumes"]
    assert blocra["env_file"] == ["blocra.env"]
    assert blocra["healthcheck"]["test"] == ["CMD", "python", "/app/deploy/healthcheck.py"]
    graceful_timeout = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["graceful_timeout"]
    assert int(blocra["stop_grace_period"].removesuffix("s")) > graceful_timeout


def test_compose_postgres_profile_adds_healthy_postgres_and_redis():
    services = compose()["services"]
    depends = services["blocra"]["depends_on"]

    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["postgres"]["profiles"] == ["postgres"]
    assert services["redis"]["profiles"] == ["postgres", "redis"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"]
        assert depends[name] == {"condition": "service_healthy", "required": False}
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"][1]
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_compose_ws_service_runs_the_asgi_server_from_the_same_image_after_the_api():
    services = compose()["services"]
    ws, blocra = services["ws"], services["blocra"]
    graceful_timeout = runpy.run_path(str(DEPLOY / "gunicorn_ws.conf.py"))["graceful_timeout"]

    assert ws["image"] == blocra["image"]
    assert "build" not in ws and "profiles" not in ws
    assert ws["environment"]["BLOCRA_SERVER"] == "ws"  # deploy/docker-entrypoint.sh
    port = ws["environment"]["GUNICORN_WS_BIND"].rsplit(":", 1)[1]
    assert ws["ports"] == [f"127.0.0.1:{port}:{port}"]
    # the API's settings and data, the same read-only root
    for key in ("env_file", "volumes", "read_only", "tmpfs", "restart"):
        assert ws[key] == blocra[key], key
    # deploy/healthcheck.py asks GUNICORN_WS_BIND when BLOCRA_SERVER=ws
    assert ws["healthcheck"]["test"] == blocra["healthcheck"]["test"]
    assert int(ws["stop_grace_period"].removesuffix("s")) > graceful_timeout
    # the API's container migrates first; Redis, when its profile runs, carries the API's events
    assert ws["depends_on"]["blocra"] == {"condition": "service_healthy"}
    assert ws["depends_on"]["redis"] == {"condition": "service_healthy", "required": False}


def test_env_example_names_the_compose_services_in_its_database_and_redis_urls():
    # The commented compose lines of the example reach the profile's services by name.
    postgres = compose()["services"]["postgres"]["environment"]
    examples = [
        line[1:] for line in ENV_EXAMPLE.read_text().splitlines() if line.startswith("#") and "@postgres:" in line
    ]
    redis_examples = [
        line[1:] for line in ENV_EXAMPLE.read_text().splitlines() if line.startswith("#REDIS_URL=redis://redis:")
    ]

    assert examples == [
        f"DATABASE_URL=postgres://{postgres['POSTGRES_USER']}:<password>@postgres:5432/{postgres['POSTGRES_DB']}"
    ]
    assert redis_examples == ["REDIS_URL=redis://redis:6379/0"]


def test_env_example_names_only_documented_settings_and_holds_no_secret():
    documented = env_file(ROOT / ".env.example")
    example = env_file(ENV_EXAMPLE, commented=True)

    assert set(example) <= set(documented), set(example) - set(documented)
    for secret in ("SECRET_KEY", "STARKNET_RPC_URLS", "EMAIL_URL"):
        assert env_file(ENV_EXAMPLE)[secret] == ""


def test_env_example_as_shipped_refuses_to_start_and_starts_once_filled_in(tmp_path):
    example = env_file(ENV_EXAMPLE)

    refused = load_settings(tmp_path, example)
    started = load_settings(tmp_path, filled_in(example))

    assert refused.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in refused.stderr
    assert started.returncode == 0, started.stderr
