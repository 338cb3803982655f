"""/metrics under a live gunicorn with two sync workers (deploy/gunicorn.conf.py), over real HTTP: the
request counter adds up what every worker served, with and without preload_app, and keeps a worker's
counts after it exits; LOG_FORMAT=json makes every line of the server's output a JSON object."""

import http.client
import importlib.util
import json
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.parser import text_string_to_metric_families

from tests.live_gunicorn import HOST, gunicorn, production_env
from tests.real_services import require_service

pytestmark = pytest.mark.django_db(transaction=True)  # the server reads the test's database

WORKERS = 2
BURST = 16  # requests per burst, 8 at a time: both workers get some within a few bursts


def server_env(tmp_path: Path, multiproc_dir: Path, *, preload: bool) -> dict[str, str]:
    env = production_env(
        tmp_path,
        share_redis=True,
        LOG_LEVEL="info",
        LOG_FORMAT="json",
        PROMETHEUS_MULTIPROC_DIR=str(multiproc_dir),
        API_RATE_LIMIT="",
    )
    if preload:
        env["GUNICORN_CMD_ARGS"] = "--preload"
    return env


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def burst(port: int) -> int:
    """BURST requests for GET /api, 8 at a time; the number answered 200."""
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: get(port, "/api")[0], range(BURST)))
    assert statuses == [200] * BURST
    return BURST


def api_requests_counted(port: int) -> float:
    status, body = get(port, "/metrics")
    assert status == 200, body
    for family in text_string_to_metric_families(body):
        if family.name == "blocra_http_requests":
            return sum(
                s.value
                for s in family.samples
                if s.name == "blocra_http_requests_total"
                and s.labels == {"route": "api", "method": "GET", "status": "200"}
            )
    return 0.0


def log_records(log: Path) -> list[dict]:
    """Every line the server wrote, each parsed as JSON (a line that is not fails the test)."""
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def api_workers(log: Path) -> set[int]:
    return {r["pid"] for r in log_records(log) if r.get("logger") == "blocra.access" and r.get("path") == "/api"}


def stale_counts(directory: Path) -> None:
    """A file left by an earlier run of the server: 1000 requests it must not report."""
    store = MmapedDict(str(directory / "counter_999999.db"))
    key = mmap_key(
        "blocra_http_requests",
        "blocra_http_requests_total",
        ["route", "method", "status"],
        ["api", "GET", "200"],
        "stale",
    )
    store.write_value(key, 1000.0, 0.0)
    store.close()


def wait_until_gone(pid: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)  # the master reaps its exited worker: nothing to wait on but the process table
    raise AssertionError(f"worker {pid} did not exit")


@pytest.mark.parametrize("preload", [False, True], ids=["import-in-workers", "preload-app"])
def test_metrics_request_counter_adds_up_every_gunicorn_worker(tmp_path, preload):
    require_service("gunicorn", importlib.util.find_spec("gunicorn") is not None, "pip install gunicorn")
    multiproc_dir = tmp_path / "metrics"
    multiproc_dir.mkdir()
    stale_counts(multiproc_dir)
    log = tmp_path / "gunicorn.log"

    with gunicorn(server_env(tmp_path, multiproc_dir, preload=preload), workers=WORKERS, log=log) as port:
        # given: requests until both workers have served some (a bounded number of bursts)
        sent = 0
        for _ in range(20):
            sent += burst(port)
            if len(api_workers(log)) == WORKERS:
                break
        workers = api_workers(log)
        assert len(workers) == WORKERS, "one worker served every request"

        # when / then: any worker's scrape reports every request once; scrapes themselves not counted
        assert api_requests_counted(port) == sent
        assert api_requests_counted(port) == sent

        # and a worker that exits leaves its counts behind, merged into the archive by the next scrape
        exited = min(workers)
        os.kill(exited, signal.SIGTERM)
        wait_until_gone(exited)
        assert api_requests_counted(port) == sent
        assert not list(multiproc_dir.glob(f"*_{exited}.db"))
        assert (multiproc_dir / "counter_archive.db").exists()
        sent += burst(port)
        assert api_requests_counted(port) == sent

        # and an outsider forwarded by the proxy on loopback is refused, in the API's error shape
        status, body = get(port, "/metrics", {"X-Forwarded-For": "203.0.113.7"})
        assert status == 403
        assert json.loads(body)["code"] == "auth.forbidden"

    # every line of the output is JSON: gunicorn's own lines and the access log of each request
    records = log_records(log)
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["message"] for r in records)
    access = [r for r in records if r["logger"] == "blocra.access"]
    served = [r for r in access if r["path"] == "/api"]
    assert len(served) == sent
    first = served[0]
    assert first["method"] == "GET"
    assert first["status"] == 200
    assert isinstance(first["duration_ms"], int | float)
    assert first["client_ip"] == "127.0.0.1"
    assert first["user_id"] is None
    assert first["level"] == "INFO"
    assert len(first["request_id"]) == 32
    assert first["pid"] in workers
    # scrapes are left out of the access log at INFO; the refused one is in it
    assert [r["status"] for r in access if r["path"] == "/metrics"] == [403]
