"""nginx with deploy/nginx/blocra.conf in front of gunicorn with deploy/gunicorn.conf.py and the ASGI
server with deploy/gunicorn_ws.conf.py (the WebSockets under /ws/), all live.

The site file runs as committed, with only the strings `SUBSTITUTIONS` names replaced (ports by loopback
ports, paths by this test's files); nginx runs as this test's own process (`daemon off`, no /etc/nginx,
pid and temporary files in a temporary directory) under a main configuration of the test's own that
only includes the site. Both servers run in production mode (DEBUG off), each on a Unix socket, with a
migrated SQLite database holding one bounty and collected static files. Debian's nginx: `make nginx`
installs it; without it the tests skip with the reason (fail under CI=true)."""

import getpass
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from accounts.profile_pictures import upload_body_too_large
from tests.live_gunicorn import HOST, ROOT, asgi_server, gunicorn_server
from tests.real_services import require_service

# All of it shares one nginx and one gunicorn: keep its tests on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("live_nginx")

NGINX = os.environ.get("NGINX_PATH") or "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx" / "blocra.conf"
SERVER_NAME = "api.blocra.example"
# DATA_UPLOAD_MAX_MEMORY_SIZE's default, which the site's client_max_body_size matches.
BODY_LIMIT = 2_621_440
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "strict-origin-when-cross-origin",
}
HSTS = "max-age=31536000; includeSubDomains"
# The ASGI server's ceiling on anonymous sockets per client address, small for the test.
ANONYMOUS_SOCKETS = 3


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


@dataclass
class Stack:
    directory: Path
    https_port: int
    http_port: int
    static_root: Path
    media_root: Path
    access_log: Path
    gunicorn_log: Path
    asgi_log: Path
    certificate: Path
    nginx: subprocess.Popen
    # A bounty of the stack's database, for the WebSocket tests.
    bounty_id: str


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        values = self.all(name)
        assert len(values) <= 1, f"{name} sent {len(values)} times: {values}"
        return values[0] if values else None

    def all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def json(self) -> dict:
        return json.loads(self.body)


def substitutions(directory: Path, *, http_port: int, https_port: int, socket_path: Path) -> dict[str, str]:
    """What the test replaces in the site file, and with what: nothing else."""
    return {
        "listen 80;": f"listen {HOST}:{http_port};",
        "listen [::]:80;": f"listen [::1]:{free_port('::1')};",
        "listen 443 ssl http2;": f"listen {HOST}:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": f"listen [::1]:{free_port('::1')} ssl http2;",
        f"/etc/letsencrypt/live/{SERVER_NAME}/fullchain.pem": str(directory / "certificate.pem"),
        f"/etc/letsencrypt/live/{SERVER_NAME}/privkey.pem": str(directory / "key.pem"),
        "/opt/blocra/staticfiles/": f"{directory / 'static'}/",
        "/var/lib/blocra/media/": f"{directory / 'data' / 'media'}/",
        "/run/blocra/gunicorn.sock": str(socket_path),
        "/run/blocra/ws.sock": str(directory / "ws.sock"),
        "/var/log/nginx/blocra.access.log": str(directory / "access.log"),
        "/var/log/nginx/blocra.error.log": str(directory / "error.log"),
        "/var/www/letsencrypt": str(directory / "acme"),
    }


def adapted_site(replacements: dict[str, str]) -> str:
    text = SITE.read_text()
    for old, new in replacements.items():
        assert old in text, f"{old!r} is no longer in {SITE.name}: update the test's substitutions"
        text = text.replace(old, new)
    directives = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    leftover = re.findall(r"(?:/etc|/var|/run|/opt|/srv)/\S*", directives)
    assert not leftover, f"paths of a real machine left in the adapted site file: {leftover}"
    return text


def main_conf(directory: Path) -> str:
    """The test's own main configuration: process settings and the adapted site, nothing more."""
    # As root, nginx's workers would switch to `nobody`, who cannot read the test's files.
    user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
    return f"""{user}
daemon off;
worker_processes 1;
pid {directory}/nginx.pid;
error_log {directory}/nginx.log info;
events {{ worker_connections 64; }}
http {{
    types {{ text/css css; application/javascript js; text/plain txt; text/html html; image/png png; }}
    default_type application/octet-stream;
    client_body_temp_path {directory}/client_body_temp;
    proxy_temp_path {directory}/proxy_temp;
    fastcgi_temp_path {directory}/fastcgi_temp;
    uwsgi_temp_path {directory}/uwsgi_temp;
    scgi_temp_path {directory}/scgi_temp;
    include {directory}/blocra.conf;
}}
"""


def self_signed_certificate(directory: Path) -> None:
    """certificate.pem and key.pem for SERVER_NAME and 127.0.0.1, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVER_NAME)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(SERVER_NAME), x509.IPAddress(ip_address(HOST))]), critical=False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    (directory / "certificate.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (directory / "key.pem").chmod(0o600)


def production_env(directory: Path) -> dict[str, str]:
    inherited = ("GUNICORN_", "DATABASE_URL", "REDIS_URL", "TRUSTED_PROXIES", "STATIC", "MEDIA", "DATA_DIR")
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(inherited)},
        "DJANGO_SETTINGS_MODULE": "blocra.settings",
        "BLOCRA_READ_DOT_ENV": "false",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": SERVER_NAME,
        "STARKNET_RPC_URLS": "http://127.0.0.1:9/unused",
        "EMAIL_URL": "consolemail://",
        "DATA_DIR": str(directory / "data"),
        "STATIC_ROOT": str(directory / "static"),
        "STATICFILES_MANIFEST": "true",
        "LOG_LEVEL": "info",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_WS_WORKERS": "1",
        "WS_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS": str(ANONYMOUS_SOCKETS),
    }


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done.stdout


def wait_for_port(nginx: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if nginx.poll() is not None:
            raise AssertionError(f"nginx exited with {nginx.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)  # nginx starting up: nothing to wait on but the port
    raise AssertionError(f"nginx did not listen on {port} within 30 s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """Stop a process of ours and its process group (nginx's workers), gracefully first."""
    try:
        os.killpg(process.pid, signal.SIGQUIT)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    require_service("nginx", os.access(NGINX, os.X_OK), f"{NGINX} is missing: make nginx")
    # A short directory: a Unix socket's path must fit in 107 bytes.
    directory = Path(tempfile.mkdtemp(prefix="blocra-nginx-"))
    try:
        env = production_env(directory)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        (directory / "data" / "media").mkdir(parents=True, exist_ok=True)
        self_signed_certificate(directory)
        https_port, http_port = free_port(HOST), free_port(HOST)
        socket_path = directory / "gunicorn.sock"
        replacements = substitutions(directory, http_port=http_port, https_port=https_port, socket_path=socket_path)
        (directory / "blocra.conf").write_text(adapted_site(replacements))
        (directory / "nginx.conf").write_text(main_conf(directory))
        created = manage(
            env, "shell", "-v", "0", "-c", "from tests.factories import BountyFactory; print(BountyFactory().pk)"
        )
        bounty_id = created.strip().splitlines()[-1]
        gunicorn_log, asgi_log = directory / "gunicorn.log", directory / "asgi.log"
        with (
            gunicorn_server(env, bind=f"unix:{socket_path}", log=gunicorn_log),
            asgi_server(env, bind=f"unix:{directory / 'ws.sock'}", log=asgi_log),
        ):
            startup_log = directory / "nginx-startup.log"
            with startup_log.open("wb") as output:
                nginx = subprocess.Popen(
                    [NGINX, "-p", str(directory), "-c", str(directory / "nginx.conf"), "-e", str(startup_log)],
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            try:
                wait_for_port(nginx, https_port, startup_log)
                yield Stack(
                    directory=directory,
                    https_port=https_port,
                    http_port=http_port,
                    static_root=directory / "static",
                    media_root=directory / "data" / "media",
                    access_log=directory / "access.log",
                    gunicorn_log=gunicorn_log,
                    asgi_log=asgi_log,
                    certificate=directory / "certificate.pem",
                    nginx=nginx,
                    bounty_id=bounty_id,
                )
            finally:
                stop(nginx)
        # Nothing of ours is left running: nginx's master and workers are gone with their group.
        with pytest.raises(ProcessLookupError):
            os.killpg(nginx.pid, 0)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def https(
    stack: Stack, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> Answer:
    """A request over TLS to nginx, checking its certificate (the test's own CA) for 127.0.0.1."""
    context = ssl.create_default_context(cafile=str(stack.certificate))
    connection = http.client.HTTPSConnection(HOST, stack.https_port, timeout=30, context=context)
    try:
        connection.request(method, path, body=body, headers={"Host": SERVER_NAME, **(headers or {})})
        response = connection.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        connection.close()


def logged(path: Path, text: str) -> bool:
    """Whether `text` reaches the log at `path` within a few seconds: nginx writes its access log line
    after the answer has left, so a client may read the answer first."""
    deadline = time.monotonic() + 5
    while text not in path.read_text():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)  # another process writing a file: nothing to wait on but the file
    return True


def test_nginx_proxies_health_to_gunicorn_over_https(stack):
    answer = https(stack, "GET", "/health")
    assert answer.status == 200
    assert answer.json()["status"] == "ok"
    assert answer.header("content-type") == "application/json"
    # nginx said https (X-Forwarded-Proto) from a trusted peer (the Unix socket): the app sends HSTS
    assert answer.header("strict-transport-security") == HSTS
    for name, value in SECURITY_HEADERS.items():
        assert answer.header(name) == value


def test_nginx_passes_the_clients_request_id_and_the_app_echoes_it(stack):
    answer = https(stack, "GET", "/api/bounties", headers={"X-Request-ID": "nginx-test.42"})
    assert answer.status == 200
    assert isinstance(json.loads(answer.body), list)
    assert answer.header("x-request-id") == "nginx-test.42"
    assert logged(stack.access_log, "request_id=nginx-test.42")
    assert logged(stack.gunicorn_log, "request_id=nginx-test.42")


@pytest.mark.parametrize("sent", [None, "bad id with spaces"])
def test_nginx_gives_its_own_request_id_to_requests_without_a_usable_one(stack, sent):
    answer = https(stack, "GET", "/api/", headers={"X-Request-ID": sent} if sent else {})
    request_id = answer.header("x-request-id")
    # nginx's $request_id: 32 hex digits, the same in its log and in the app's
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert logged(stack.access_log, f"request_id={request_id}")
    assert logged(stack.gunicorn_log, f"request_id={request_id}")


def test_nginx_serves_static_files_itself_with_long_caching_for_hashed_names(stack):
    # given: a file put into STATIC_ROOT after gunicorn started, which WhiteNoise (indexing STATIC_ROOT
    # at start) does not know: only nginx can serve it
    (stack.static_root / "only-nginx.txt").write_text("served by nginx\n")
    answer = https(stack, "GET", "/static/only-nginx.txt")
    assert answer.status == 200
    assert answer.body == b"served by nginx\n"
    assert answer.header("cache-control") == "public, max-age=3600"
    assert answer.header("strict-transport-security") == HSTS
    for name, value in SECURITY_HEADERS.items():
        assert answer.header(name) == value
    assert re.fullmatch(r"[0-9a-f]{32}", answer.header("x-request-id"))
    # and: collectstatic's hashed name of the admin's stylesheet, immutable, gzipped for who accepts it
    manifest = json.loads((stack.static_root / "staticfiles.json").read_text())["paths"]
    hashed = manifest["admin/css/base.css"]
    answer = https(stack, "GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert answer.status == 200
    assert answer.header("cache-control") == "public, max-age=31536000, immutable"
    assert answer.header("content-type") == "text/css"
    assert answer.header("content-encoding") == "gzip"
    assert answer.header("vary") == "Accept-Encoding"
    assert gzip.decompress(answer.body) == (stack.static_root / hashed).read_bytes()
    assert f"GET /static/{hashed}" not in stack.gunicorn_log.read_text()


def test_nginx_serves_uploads_as_images_or_downloads(stack):
    pictures = stack.media_root / "profile_pictures"
    pictures.mkdir(exist_ok=True)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    (pictures / "a.png").write_bytes(png)
    (pictures / "page.html").write_text("<script>alert(1)</script>")

    image = https(stack, "GET", "/media/profile_pictures/a.png")
    assert (image.status, image.body) == (200, png)
    assert image.header("content-type") == "image/png"
    assert image.header("content-disposition") is None
    assert image.header("x-content-type-options") == "nosniff"
    assert "sandbox" in image.header("content-security-policy")

    page = https(stack, "GET", "/media/profile_pictures/page.html")
    assert page.status == 200
    assert page.header("content-type") == "application/octet-stream"
    assert page.header("content-disposition") == "attachment"
    assert https(stack, "POST", "/media/profile_pictures/a.png", b"x").status == 403


def test_nginx_refuses_a_body_over_the_apps_limit_with_a_json_413(stack):
    # given: JSON bodies one byte either side of the limit
    def body(size: int) -> bytes:
        prefix, suffix = b'{"name": "Ada", "feedback": "', b'"}'
        return prefix + b"x" * (size - len(prefix) - len(suffix)) + suffix

    headers = {"Content-Type": "application/json", "X-Request-ID": "too-large-1"}
    # when: the largest body the app accepts is sent, it reaches the app (which finds the feedback too long)
    at_limit = https(stack, "POST", "/api/feedback/submit", body(BODY_LIMIT), headers)
    assert at_limit.status == 400
    assert at_limit.json()["code"] == "request.validation_failed"
    # and one byte more is refused by nginx, in the API's error shape
    over = https(stack, "POST", "/api/feedback/submit", body(BODY_LIMIT + 1), headers)
    assert over.status == 413
    assert over.header("content-type") == "application/json"
    assert over.json() == {"success": False, "message": "The request body is too large.", "code": "request.too_large"}
    assert over.header("x-request-id") == "too-large-1"
    assert "POST /api/feedback/submit 413" not in stack.gunicorn_log.read_text()


def test_nginx_body_limit_is_the_largest_body_the_app_accepts(rf, settings):
    # The site's client_max_body_size is DATA_UPLOAD_MAX_MEMORY_SIZE (JSON bodies), which also holds the
    # largest profile picture upload the app takes.
    kib = re.search(r"^\s*client_max_body_size (\d+)k;", SITE.read_text(), re.MULTILINE)
    assert kib is not None
    limit = int(kib.group(1)) * 1024
    assert limit == settings.DATA_UPLOAD_MAX_MEMORY_SIZE == BODY_LIMIT
    assert upload_body_too_large(rf.post("/api/auth/upload-profile-image", CONTENT_LENGTH=str(limit + 1)))


def test_nginx_redirects_http_to_https(stack):
    connection = http.client.HTTPConnection(HOST, stack.http_port, timeout=10)
    try:
        connection.request("GET", "/api/bounties?page=2", headers={"Host": "evil.example"})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 301
    # to the configured name, whatever Host the client sent
    assert response.getheader("Location") == f"https://{SERVER_NAME}/api/bounties?page=2"


def test_nginx_upgrades_a_websocket_to_the_asgi_server(stack):
    # given: a WebSocket client over TLS to nginx, offering the protocol's subprotocol
    context = ssl.create_default_context(cafile=str(stack.certificate))
    url = f"wss://{HOST}:{stack.https_port}/ws/bounties/{stack.bounty_id}"

    # when
    with connect(url, ssl=context, subprotocols=[Subprotocol("blocra.v1")], open_timeout=30) as socket:
        # then: the handshake is upgraded through nginx and the ASGI server's consumer answers from the
        # database, and a message goes both ways
        assert socket.subprotocol == "blocra.v1"
        ready = json.loads(socket.recv(timeout=30))
        socket.send(json.dumps({"type": "ping"}))
        pong = json.loads(socket.recv(timeout=30))
    assert ready["type"] == "ready"
    assert ready["bounty"]["id"] == stack.bounty_id
    assert pong == {"type": "pong"}
    assert logged(stack.access_log, f'"GET /ws/bounties/{stack.bounty_id} HTTP/1.1" 101')
    # the ASGI server, not the API's gunicorn, took it
    assert "/ws/" not in stack.gunicorn_log.read_text()


def test_nginx_passes_the_clients_address_to_the_asgi_server(stack):
    # given: the ASGI server's ceiling on anonymous sockets per address (ANONYMOUS_SOCKETS), counted on
    # the address nginx forwards (X-Forwarded-For from a trusted Unix-socket peer), not on nginx's own;
    # one client holds that many
    with ExitStack() as held:
        for _ in range(ANONYMOUS_SOCKETS):
            opened = held.enter_context(bounty_socket(stack, source=CLIENT))
            assert json.loads(opened.recv(timeout=30))["type"] == "ready"

        # when: one more from the same address, and one from another address
        with bounty_socket(stack, source=CLIENT) as same:
            refusal = json.loads(same.recv(timeout=30))
        with bounty_socket(stack, source=OTHER_CLIENT) as other_address:
            other = json.loads(other_address.recv(timeout=30))

    # then: the same address is refused, the other one served
    assert refusal["code"] == "ws.too_many_connections"
    assert other["type"] == "ready"


# Loopback addresses of their own (all of 127.0.0.0/8 is the loopback interface), so that no other
# test's sockets count against them.
CLIENT = "127.0.0.3"
OTHER_CLIENT = "127.0.0.4"


def bounty_socket(stack: Stack, *, source: str) -> ClientConnection:
    """A WebSocket through nginx to the stack's bounty, from the loopback address `source`."""
    context = ssl.create_default_context(cafile=str(stack.certificate))
    return connect(
        f"wss://{HOST}:{stack.https_port}/ws/bounties/{stack.bounty_id}",
        ssl=context,
        subprotocols=[Subprotocol("blocra.v1")],
        open_timeout=30,
        sock=socket.create_connection((HOST, stack.https_port), timeout=30, source_address=(source, 0)),
    )


# --- The per-address ceiling (limit_req) --------------------------------------------------------------

# A loopback address of its own (all of 127.0.0.0/8 is the loopback interface): the flood fills this
# address's allowance, not 127.0.0.1's, which the other tests of this module use.
FLOODER = "127.0.0.2"


def test_nginx_refuses_a_flood_from_one_address_with_a_json_429(stack):
    # given: the site's ceiling, 20 requests a second with bursts of 100; 400 requests from one address
    # over 8 keep-alive connections at once
    context = ssl.create_default_context(cafile=str(stack.certificate))
    answers: list[tuple[str, Answer]] = []

    def client(number: int) -> None:
        connection = http.client.HTTPSConnection(
            HOST, stack.https_port, timeout=30, context=context, source_address=(FLOODER, 0)
        )
        try:
            for request in range(50):
                request_id = f"flood-{number}-{request}"
                connection.request("GET", "/api/", headers={"Host": SERVER_NAME, "X-Request-ID": request_id})
                response = connection.getresponse()
                answers.append((request_id, Answer(response.status, response.getheaders(), response.read())))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then: the burst and what the rate refills are served, the rest refused by nginx itself
    served = [request_id for request_id, answer in answers if answer.status == 200]
    refused = [(request_id, answer) for request_id, answer in answers if answer.status == 429]
    assert len(served) + len(refused) == 400
    assert len(served) >= 100
    assert len(refused) >= 100
    for request_id, answer in refused:
        assert answer.header("content-type") == "application/json"
        assert answer.json() == {
            "success": False,
            "message": "Too many requests; slow down.",
            "code": "request.rate_limited",
        }
        assert answer.header("retry-after") == "1"
        assert answer.header("x-request-id") == request_id
        assert answer.header("strict-transport-security") == HSTS
    assert logged(stack.access_log, f"request_id={served[-1]}")
    gunicorn_log = stack.gunicorn_log.read_text()
    assert not [request_id for request_id, _ in refused if f"request_id={request_id}" in gunicorn_log]
    # and: another address is not held back
    assert https(stack, "GET", "/health").status == 200
