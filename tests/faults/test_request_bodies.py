"""Oversized and deeply nested bodies sent to a live gunicorn: 413 above DATA_UPLOAD_MAX_MEMORY_SIZE
whether the length is declared, understated, overstated or absent (chunked), answered without reading
the body past the limit; 400 for JSON nested deeper than the parser's bound. Never a 500, on the API's
parsers and on the admin site's login form."""

import http.client
import json
import socket
from collections.abc import Iterator

import pytest

from adminpanel.models import Feedback
from blocra.parsers import JSON_MAX_DEPTH
from tests.factories import UserFactory
from tests.faults.server import WAIT, Server, access_token, live_server, server_env
from tests.live_gunicorn import HOST

pytestmark = pytest.mark.django_db(transaction=True)  # the server writes the test's database

LIMIT = 64 * 1024  # DATA_UPLOAD_MAX_MEMORY_SIZE of the server under test
FEEDBACK = "/api/feedback/submit"
# The API's JSON bodies (DRF's parser and the bounties' Decimal one, signed in or not) and the admin login.
JSON_PATHS = [FEEDBACK, "/api/auth/login", "/api/admin/login", "/api/contracts/analyze", "/api/bounties"]
CSRF_COOKIE = "csrftoken=" + "a" * 32  # the admin form reads the body only for a request with a CSRF cookie


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Server]:
    """One server for the module: these tests only send it requests."""
    tmp_path = tmp_path_factory.mktemp("bodies")
    with django_db_blocker.unblock():
        env = server_env(tmp_path, DATA_UPLOAD_MAX_MEMORY_SIZE=str(LIMIT), RATELIMIT_ENABLE="false")
    with live_server(env, tmp_path / "gunicorn.log", workers=1, threads=2) as live:
        yield live


def exchange(server: Server, head: str, *parts: bytes, half_close: bool = False) -> tuple[int, dict, bytes]:
    """Send a request's head and then `parts` of its body as raw bytes (however they disagree with the
    head), optionally closing our side; read the answer: (status, headers, body)."""
    with socket.create_connection((HOST, server.port), timeout=WAIT) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        for part in parts:
            sock.sendall(part)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def head(method: str, path: str, *lines: str) -> str:
    return "\n".join([f"{method} {path} HTTP/1.1", f"Host: {HOST}", *lines, ""])


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def assert_too_large(status: int, headers: dict, body: bytes, *, api: bool = True) -> None:
    assert status == 413, (status, body[:300])
    if api:
        assert json.loads(body) == {
            "success": False,
            "message": "The request body is too large.",
            "code": "request.too_large",
        }
    else:
        assert headers["content-type"].startswith("text/plain")


def feedback_body(size: int) -> bytes:
    """A valid feedback document of exactly `size` bytes (padded with JSON's insignificant whitespace)."""
    document = json.dumps({"name": "Ada", "feedback": "Sent in chunks."}).encode()
    return document + b" " * (size - len(document))


# --- Oversized -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [FEEDBACK, "/api/auth/login", "/api/admin/login"])
def test_declared_length_over_the_limit_is_413_before_any_of_the_body_is_sent(server, path):
    # when: the head declares a body of 100 times the limit, and not one byte of it follows
    answer = exchange(server, head("POST", path, "Content-Type: application/json", f"Content-Length: {100 * LIMIT}"))
    # then: answered at once, so the server read none of it
    assert_too_large(*answer)


def test_declared_length_over_the_limit_on_the_admin_login_form_is_413(server):
    lines = ["Content-Type: application/x-www-form-urlencoded", f"Cookie: {CSRF_COOKIE}"]
    answer = exchange(server, head("POST", "/admin/login/", *lines, f"Content-Length: {100 * LIMIT}"))
    assert_too_large(*answer, api=False)


@pytest.mark.parametrize(
    ("path", "content_type", "api"),
    [
        (FEEDBACK, "application/json", True),
        ("/api/auth/login", "application/json", True),
        ("/admin/login/", "application/x-www-form-urlencoded", False),
    ],
)
def test_chunked_body_over_the_limit_is_413_without_waiting_for_its_end(server, path, content_type, api):
    # when: chunks past the limit, and the body never ends (no last chunk). gunicorn decodes chunks in
    # blocks of 1 KiB, so it may take up to that much past the limit's last byte before answering.
    lines = [f"Content-Type: {content_type}", "Transfer-Encoding: chunked", f"Cookie: {CSRF_COOKIE}"]
    parts = [chunk(b"x" * (LIMIT // 2)), chunk(b"x" * (LIMIT // 2)), chunk(b"x" * 4096)]
    answer = exchange(server, head("POST", path, *lines), *parts)
    # then: refused without waiting for the rest
    assert_too_large(*answer, api=api)


def test_chunked_body_within_the_limit_is_read_whole(server):
    # given: a document of exactly the limit, in three chunks
    body = feedback_body(LIMIT)
    parts = [chunk(body[:1000]), chunk(body[1000:40000]), chunk(body[40000:]), b"0\r\n\r\n"]
    lines = ["Content-Type: application/json", "Transfer-Encoding: chunked"]

    status, _, raw = exchange(server, head("POST", FEEDBACK, *lines), *parts)

    # then: Django got the whole document (not an empty body)
    assert status == 201, raw
    assert Feedback.objects.get().feedback == "Sent in chunks."


def test_understated_length_is_read_as_declared_and_the_rest_never_parsed(server):
    # when: 10 bytes declared, a whole document (longer than the limit) sent
    body = feedback_body(LIMIT + 1)
    status, _, raw = exchange(
        server, head("POST", FEEDBACK, "Content-Type: application/json", "Content-Length: 10"), body
    )
    # then: the 10 bytes are the body: malformed JSON, nothing stored
    assert status == 400
    assert json.loads(raw)["code"] == "request.malformed"
    assert not Feedback.objects.exists()


def test_overstated_length_of_a_body_that_ends_early_is_answered_with_what_came(server):
    # when: 1000 bytes declared, a 40-byte document sent, and the client stops sending
    body = json.dumps({"name": "Ada", "feedback": "short"}).encode()
    status, _, raw = exchange(
        server,
        head("POST", FEEDBACK, "Content-Type: application/json", "Content-Length: 1000"),
        body,
        half_close=True,
    )
    # then: the server reads what came and answers it (gunicorn ends the body at the end of input),
    # never waiting for the rest nor failing with a 500
    assert status == 201, raw[:300]
    assert Feedback.objects.get().feedback == "short"


# --- Deeply nested ------------------------------------------------------------------------------------


def nested(depth: int) -> str:
    """A document of `depth` levels: an object holding `depth - 1` levels of arrays."""
    return '{"name": "Ada", "feedback": "deep", "extra": ' + "[" * (depth - 1) + "]" * (depth - 1) + "}"


@pytest.mark.parametrize("path", JSON_PATHS)
@pytest.mark.parametrize("depth", [JSON_MAX_DEPTH + 1, 20_000], ids=["just-too-deep", "recursion-limit"])
def test_json_nested_too_deep_is_400_on_every_parser(server, path, depth):
    token = access_token(UserFactory())
    answer = server.call(
        "POST",
        path,
        nested(depth).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert answer.status == 400, answer.raw[:300]
    assert answer.code == "request.malformed"


def test_json_nested_to_the_bound_is_accepted(server):
    answer = server.call("POST", FEEDBACK, nested(JSON_MAX_DEPTH).encode(), {"Content-Type": "application/json"})
    assert answer.status == 201, answer.raw[:300]
