"""`make audit` asks about every locked release, fails on a known vulnerability of any of them, lets
through only the advisories the Makefile accepts (by any of their ids), and fails when the service
cannot answer. pip-audit talks to a local server speaking OSV's query API, never to the network."""

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.dependencies.test_locks import DEV_LOCK, ROOT, read_lock

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make runs the audit")

# The advisory the Makefile accepts, as the services report it: under an id of their own, with the
# GitHub id among its aliases.
ECDSA_MINERVA = {
    "id": "PYSEC-2026-1325",
    "aliases": ["CVE-2024-23342", "GHSA-wj6h-64fc-37mp"],
    "summary": "Minerva timing attack on P-256 signing",
    "affected": [{"package": {"name": "ecdsa", "ecosystem": "PyPI"}, "ranges": []}],
}


def advisory(package: str, advisory_id: str, fixed: str) -> dict[str, Any]:
    return {
        "id": advisory_id,
        "aliases": [],
        "summary": f"a planted advisory against {package}",
        "affected": [
            {
                "package": {"name": package, "ecosystem": "PyPI"},
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": fixed}]}],
            }
        ],
    }


@dataclass
class OsvServer:
    """OSV's `POST /v1/query`: answers `advisories[package]` to any version of it, or `status`."""

    url: str = ""
    advisories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    status: int = 200
    asked: set[str] = field(default_factory=set)


@pytest.fixture
def osv() -> Iterator[OsvServer]:
    server = OsvServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            name = query["package"]["name"]
            server.asked.add(name)
            vulns = server.advisories.get(name)
            body = json.dumps({"vulns": vulns} if vulns else {}).encode()
            self.send_response(server.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1/query"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def make_audit(osv: OsvServer, cache: Path) -> subprocess.CompletedProcess[str]:
    """The Makefile's `audit` target with this interpreter's tools, against the local OSV server."""
    venv = Path(sys.prefix)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("MAKE", "MFLAGS"))}
    return subprocess.run(
        [
            "make",
            "--silent",
            f"--old-file={venv}/bin/.installed",  # never install: the tools are there
            "audit",
            f"VENV={venv}",
            f"AUDIT_ARGS=-s osv --osv-url {osv.url} --cache-dir {cache} --timeout 10",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_audit_passes_when_only_accepted_advisories_match_and_asks_about_every_locked_release(osv, tmp_path):
    # given
    osv.advisories["ecdsa"] = [ECDSA_MINERVA]

    # when
    result = make_audit(osv, tmp_path)

    # then
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 ignored" in result.stderr
    locked, _ = read_lock(ROOT / DEV_LOCK)
    assert osv.asked == set(locked)


def test_audit_fails_on_a_known_vulnerability_of_a_locked_release(osv, tmp_path):
    # given
    osv.advisories["ecdsa"] = [ECDSA_MINERVA]
    osv.advisories["django"] = [advisory("django", "GHSA-plnt-0000-0000", fixed="5.2.999")]

    # when
    result = make_audit(osv, tmp_path)

    # then
    assert result.returncode != 0
    assert "GHSA-plnt-0000-0000" in result.stdout
    assert "5.2.999" in result.stdout
    assert "Found 1 known vulnerability, ignored 1" in result.stderr


def test_audit_fails_when_the_service_cannot_answer(osv, tmp_path):
    # given
    osv.status = 503

    # when
    result = make_audit(osv, tmp_path)

    # then
    assert result.returncode != 0
    assert "No known vulnerabilities found" not in result.stderr
