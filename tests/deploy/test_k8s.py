"""deploy/k8s: the base (SQLite, one replica) and the postgres overlay, rendered by kustomize as
`kubectl apply -k` would (kubectl kustomize, offline), then read: probes, volumes, strategy, replicas,
security, and Secret examples that hold nothing."""

import runpy
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.deploy.conftest import (
    DEPLOY,
    ROOT,
    UID,
    env_file,
    filled_in,
    final_stage,
    image_env,
    load_settings,
    only,
    production_env,
    require_tool,
)

K8S = DEPLOY / "k8s"
BASE = K8S / "base"
OVERLAY = K8S / "overlays" / "postgres"
# Read by the image's entrypoint, not by Django's settings.
ENTRYPOINT_SWITCHES = {"MIGRATE_ON_START", "COLLECTSTATIC_ON_START"}


def render(directory: Path) -> dict[tuple[str, str], dict]:
    """The manifests kustomize builds from `directory`, by (kind, name)."""
    kubectl = require_tool("kubectl", "kubectl kustomize renders the manifests offline; the machine image has kubectl")
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    return {(doc["kind"], doc["metadata"]["name"]): doc for doc in yaml.safe_load_all(result.stdout)}


def pod_spec(manifests: dict) -> dict:
    return manifests[("Deployment", "blocra")]["spec"]["template"]["spec"]


def server(manifests: dict) -> dict:
    (container,) = [c for c in pod_spec(manifests)["containers"] if c["name"] == "blocra"]
    return container


def volumes(manifests: dict) -> dict[str, dict]:
    return {volume["name"]: volume for volume in pod_spec(manifests)["volumes"]}


def mounts(container: dict) -> dict[str, str]:
    return {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}


def secret_example(directory: Path) -> dict:
    return yaml.safe_load((directory / "secret.example.yaml").read_text())


def test_every_manifest_parses_and_secret_examples_are_never_applied():
    for path in K8S.rglob("*.yaml"):
        assert list(yaml.safe_load_all(path.read_text())), path
    for directory in (BASE, OVERLAY):
        kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
        assert "secret.example.yaml" not in kustomization["resources"]
        assert "secretGenerator" not in kustomization


@pytest.mark.parametrize("directory", [BASE, OVERLAY], ids=["base", "postgres"])
def test_probes_check_health_with_a_host_the_configmap_allows(directory):
    manifests = render(directory)
    container = server(manifests)
    allowed = manifests[("ConfigMap", "blocra")]["data"]["ALLOWED_HOSTS"].split(",")

    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] == "/health"
        assert get["port"] == "http"
        assert next(header["value"] for header in get["httpHeaders"] if header["name"] == "Host") in allowed
    # Liveness gives up later than readiness: an outage takes pods out of service before restarting any.
    liveness, readiness = container["livenessProbe"], container["readinessProbe"]
    assert (
        liveness["periodSeconds"] * liveness["failureThreshold"]
        > readiness["periodSeconds"] * readiness["failureThreshold"]
    )
    (port,) = container["ports"]
    assert (port["name"], port["containerPort"]) == ("http", int(only(final_stage(), "EXPOSE")))


@pytest.mark.parametrize("directory", [BASE, OVERLAY], ids=["base", "postgres"])
def test_pod_runs_as_the_image_user_on_a_read_only_root_with_writable_volumes(directory):
    manifests = render(directory)
    spec = pod_spec(manifests)
    graceful_timeout = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["graceful_timeout"]

    assert spec["securityContext"]["runAsNonRoot"] is True
    assert str(spec["securityContext"]["runAsUser"]) == UID
    assert str(spec["securityContext"]["fsGroup"]) == UID
    assert spec["terminationGracePeriodSeconds"] > graceful_timeout
    for container in spec["containers"] + spec.get("initContainers", []):
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
        assert container["resources"]["limits"]["memory"]
        # Every place the server writes is a volume: DATA_DIR and /tmp (PROMETHEUS_MULTIPROC_DIR too).
        assert {"/data", "/tmp"} <= mounts(container).keys()
        assert container["envFrom"] == [{"configMapRef": {"name": "blocra"}}, {"secretRef": {"name": "blocra"}}]
    assert image_env()["DATA_DIR"] == "/data"
    assert image_env()["PROMETHEUS_MULTIPROC_DIR"].startswith("/tmp/")
    assert "emptyDir" in volumes(manifests)["tmp"]


def test_base_keeps_sqlite_on_a_claim_with_one_replica_recreated():
    manifests = render(BASE)
    deployment = manifests[("Deployment", "blocra")]["spec"]
    container = server(manifests)

    assert deployment["replicas"] == 1
    assert deployment["strategy"] == {"type": "Recreate"}
    claim = volumes(manifests)[mounts(container)["/data"]]["persistentVolumeClaim"]["claimName"]
    assert manifests[("PersistentVolumeClaim", claim)]["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert "initContainers" not in pod_spec(manifests)  # the entrypoint migrates: one pod, one writer
    assert "MIGRATE_ON_START" not in manifests[("ConfigMap", "blocra")]["data"]


def test_service_sends_to_the_pods_http_port():
    manifests = render(BASE)
    service = manifests[("Service", "blocra")]["spec"]

    assert service["ports"][0]["targetPort"] == "http"
    pod_labels = manifests[("Deployment", "blocra")]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= pod_labels.items()


def test_postgres_overlay_rolls_several_replicas_without_a_database_claim():
    manifests = render(OVERLAY)
    deployment = manifests[("Deployment", "blocra")]["spec"]
    container = server(manifests)
    config = manifests[("ConfigMap", "blocra")]["data"]

    assert deployment["replicas"] >= 2
    assert deployment["strategy"]["type"] == "RollingUpdate"
    assert deployment["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert ("PersistentVolumeClaim", "blocra-data") not in manifests
    assert volumes(manifests)[mounts(container)["/data"]] == {"name": "data", "emptyDir": {"sizeLimit": "256Mi"}}
    # Uploads on a volume every replica reaches.
    media = volumes(manifests)[mounts(container)[config["MEDIA_ROOT"]]]["persistentVolumeClaim"]["claimName"]
    assert manifests[("PersistentVolumeClaim", media)]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert manifests[("PodDisruptionBudget", "blocra")]["spec"]["selector"]["matchLabels"].items() <= (
        manifests[("Deployment", "blocra")]["spec"]["template"]["metadata"]["labels"].items()
    )


def test_postgres_overlay_migrates_in_an_init_container_not_in_every_server():
    manifests = render(OVERLAY)
    (init,) = pod_spec(manifests)["initContainers"]

    assert init["image"] == server(manifests)["image"]
    assert init["args"][:2] == ["sh", "-c"]
    script = init["args"][2]
    assert '[ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]' in script
    assert script.rstrip().endswith("exec python manage.py migrate --noinput")
    assert manifests[("ConfigMap", "blocra")]["data"]["MIGRATE_ON_START"] == "false"


def test_postgres_overlay_migrate_refuses_to_run_without_database_and_redis(tmp_path):
    # The init container's script, run as the container would, with production settings: without
    # DATABASE_URL it stops before migrating a SQLite file of its own.
    (init,) = pod_spec(render(OVERLAY))["initContainers"]
    env = production_env(tmp_path, REDIS_URL="redis://redis.blocra.example:6379/0")

    result = subprocess.run(init["args"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)

    assert result.returncode == 1
    assert "DATABASE_URL and REDIS_URL must be set" in result.stderr
    assert not (tmp_path / "data").exists()


def test_secret_examples_hold_only_empty_values_and_the_overlay_adds_database_and_redis():
    base, overlay = secret_example(BASE), secret_example(OVERLAY)

    for example in (base, overlay):
        assert example["kind"] == "Secret" and example["metadata"]["name"] == "blocra"
        assert "data" not in example  # nothing base64-encoded to hide a value in
        assert all(value == "" for value in example["stringData"].values()), example["stringData"]
    assert set(overlay["stringData"]) == set(base["stringData"]) | {"DATABASE_URL", "REDIS_URL"}


@pytest.mark.parametrize("directory", [BASE, OVERLAY], ids=["base", "postgres"])
def test_configmap_and_secret_name_only_documented_settings(directory):
    manifests = render(directory)
    documented = set(env_file(ROOT / ".env.example")) | ENTRYPOINT_SWITCHES

    names = set(manifests[("ConfigMap", "blocra")]["data"]) | set(secret_example(directory)["stringData"])

    assert names <= documented, names - documented


def test_configmap_with_the_secret_example_refuses_to_start_until_filled_in(tmp_path):
    values = {**render(BASE)[("ConfigMap", "blocra")]["data"], **secret_example(BASE)["stringData"]}

    refused = load_settings(tmp_path, values)
    started = load_settings(tmp_path, filled_in(values))

    assert refused.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in refused.stderr
    assert started.returncode == 0, started.stderr


# --- The WebSockets' ASGI server ----------------------------------------------------------------------


def container_named(spec: dict, name: str) -> dict:
    (container,) = [c for c in spec["containers"] if c["name"] == name]
    return container


def env_of(container: dict) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("env", [])}


def assert_runs_the_asgi_server(container: dict, api: dict, allowed_hosts: list[str]) -> None:
    """The ws container: the API's image, settings and hardening, the entrypoint's ASGI server on its
    port, probed on /health with a Host the settings allow."""
    assert container["image"] == api["image"]
    assert container["envFrom"] == api["envFrom"]
    assert container["securityContext"] == api["securityContext"]
    env = env_of(container)
    assert env["BLOCRA_SERVER"] == "ws"  # deploy/docker-entrypoint.sh
    (port,) = container["ports"]
    assert (port["name"], str(port["containerPort"])) == ("ws", env["GUNICORN_WS_BIND"].rsplit(":", 1)[1])
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        get = container[probe]["httpGet"]
        assert (get["path"], get["port"]) == ("/health", "ws")
        assert next(header["value"] for header in get["httpHeaders"] if header["name"] == "Host") in allowed_hosts
    assert container["resources"]["limits"]["memory"]
    assert {"/data", "/tmp"} <= mounts(container).keys()


def test_base_runs_the_asgi_server_beside_the_api_in_its_pod_on_the_same_sqlite_claim():
    manifests = render(BASE)
    spec = pod_spec(manifests)
    ws, api = container_named(spec, "ws"), server(manifests)
    allowed = manifests[("ConfigMap", "blocra")]["data"]["ALLOWED_HOSTS"].split(",")

    assert_runs_the_asgi_server(ws, api, allowed)
    # the one pod that may mount the SQLite claim: both containers read the same database file
    assert mounts(ws)["/data"] == mounts(api)["/data"]
    assert "persistentVolumeClaim" in volumes(manifests)[mounts(ws)["/data"]]
    service = manifests[("Service", "blocra-ws")]["spec"]
    assert service["ports"][0]["targetPort"] == "ws"
    pod_labels = manifests[("Deployment", "blocra")]["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= pod_labels.items()


def test_postgres_overlay_runs_the_asgi_server_in_a_deployment_of_its_own():
    manifests = render(OVERLAY)
    deployment = manifests[("Deployment", "blocra-ws")]["spec"]
    spec = deployment["template"]["spec"]
    allowed = manifests[("ConfigMap", "blocra")]["data"]["ALLOWED_HOSTS"].split(",")
    graceful_timeout = runpy.run_path(str(DEPLOY / "gunicorn_ws.conf.py"))["graceful_timeout"]

    # the API's pods no longer carry it
    assert [c["name"] for c in pod_spec(manifests)["containers"]] == ["blocra"]
    assert_runs_the_asgi_server(container_named(spec, "ws"), server(manifests), allowed)
    assert deployment["replicas"] >= 2
    assert deployment["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert spec["securityContext"] == pod_spec(manifests)["securityContext"]
    assert spec["terminationGracePeriodSeconds"] > graceful_timeout
    ws_volumes = {volume["name"]: volume for volume in spec["volumes"]}
    assert ws_volumes["data"] == {"name": "data", "emptyDir": {"sizeLimit": "256Mi"}}  # nothing to keep
    # the Service and the disruption budget pick the WebSocket pods, and never the API's
    ws_labels = deployment["template"]["metadata"]["labels"].items()
    api_labels = manifests[("Deployment", "blocra")]["spec"]["template"]["metadata"]["labels"].items()
    for selector in (
        manifests[("Service", "blocra-ws")]["spec"]["selector"],
        manifests[("PodDisruptionBudget", "blocra-ws")]["spec"]["selector"]["matchLabels"],
        deployment["selector"]["matchLabels"],
    ):
        assert selector.items() <= ws_labels
        assert not selector.items() <= api_labels
    # Redis carries the API pods' events to these: the overlay's Secret holds REDIS_URL, which the API
    # pods' init container requires
    assert "REDIS_URL" in secret_example(OVERLAY)["stringData"]
