"""The container's health check (Dockerfile HEALTHCHECK, docker-compose.yml): GET /health from the
gunicorn of this container; exit status 0 when it answers 200, else 1 with the reason on stderr.

Where: the first address of GUNICORN_BIND (0.0.0.0 and :: are reached on loopback; unix:PATH over the
socket; default 127.0.0.1:8000 as in deploy/gunicorn.conf.py), or of GUNICORN_WS_BIND (default
127.0.0.1:8001, deploy/gunicorn_ws.conf.py) in the ASGI server's container (BLOCRA_SERVER=ws, which
serves /health too). Host: the first ALLOWED_HOSTS name, so
that Django's host check passes whatever public name the deployment serves. Standard library only:
the slim image has no curl, and importing Django would cost more than the check itself.
"""

import http.client
import os
import socket
import sys
from collections.abc import Mapping

TIMEOUT_SECONDS = 4.0
DEFAULT_BIND = "127.0.0.1:8000"
DEFAULT_WS_BIND = "127.0.0.1:8001"
# gunicorn listening on every address is reached through loopback (nothing binds here).
WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket (GUNICORN_BIND=unix:/run/blocra/gunicorn.sock)."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


def connection_for(bind: str) -> http.client.HTTPConnection:
    """A connection to the first address of a gunicorn bind value; ValueError when it names none."""
    first = bind.replace(",", " ").split()[0] if bind.strip() else DEFAULT_BIND
    if first.startswith("unix:"):
        return UnixHTTPConnection(first[len("unix:") :], TIMEOUT_SECONDS)
    host, separator, port = first.rpartition(":")
    if not separator or not port.isdigit():
        raise ValueError(f"GUNICORN_BIND {first!r} is neither HOST:PORT nor unix:PATH")
    host = host.removeprefix("[").removesuffix("]")
    return http.client.HTTPConnection(WILDCARDS.get(host, host), int(port), timeout=TIMEOUT_SECONDS)


def host_header(allowed_hosts: str) -> str:
    """The first ALLOWED_HOSTS entry as a host name: '.example.org' matches 'example.org' itself, and
    '*' or nothing (DEBUG) accepts 'localhost'."""
    names = [name.strip() for name in allowed_hosts.split(",") if name.strip()]
    if not names or names[0] == "*":
        return "localhost"
    return names[0].lstrip(".")


def server_bind(environ: Mapping[str, str]) -> str:
    """The bind of this container's server: the ASGI server's with BLOCRA_SERVER=ws, else the API's."""
    if environ.get("BLOCRA_SERVER") == "ws":
        return environ.get("GUNICORN_WS_BIND") or DEFAULT_WS_BIND
    return environ.get("GUNICORN_BIND", DEFAULT_BIND)


def main() -> int:
    try:
        connection = connection_for(server_bind(os.environ))
        connection.request("GET", "/health", headers={"Host": host_header(os.environ.get("ALLOWED_HOSTS", ""))})
        status = connection.getresponse().status
    except (OSError, ValueError, http.client.HTTPException) as error:
        print(f"healthcheck: /health did not answer: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"healthcheck: /health answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
