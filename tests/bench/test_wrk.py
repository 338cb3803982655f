"""bench/wrk.py reads wrk's output (outputs of real runs, kept in wrk_outputs/), and bench/requests.lua
sends the request lines it is given: `make bench`'s client, checked on its own (no timings)."""

import http.server
import json
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.wrk import wrk_parse, wrk_run
from tests.real_services import require_service

OUTPUTS = Path(__file__).parent / "wrk_outputs"


def test_wrk_parse_reads_rate_latencies_and_status_errors():
    # given: a run against a server answering 404 to everything
    result = wrk_parse((OUTPUTS / "all_404.txt").read_text())

    # then
    assert result.requests == 1518
    assert result.seconds == pytest.approx(1.02)
    assert result.rate == pytest.approx(1495.29)
    assert result.p50_ms == pytest.approx(2.69)
    assert result.p99_ms == pytest.approx(32.70)
    assert result.errors_status == 1518
    assert result.errors_socket == {}
    assert result.failed == 1518
    assert result.lines_sent is None


def test_wrk_parse_reads_socket_errors_and_timeouts():
    result = wrk_parse((OUTPUTS / "status_and_timeouts.txt").read_text())

    assert result.requests == 522
    assert result.errors_status == 174
    assert result.errors_socket == {"connect": 0, "read": 0, "write": 0, "timeout": 2}
    assert result.failed == 176
    assert result.p99_ms == pytest.approx(50.31)


def test_wrk_parse_reads_microseconds_and_the_lua_scripts_line():
    result = wrk_parse((OUTPUTS / "lua_lines_wrapped.txt").read_text())

    assert result.p50_ms == pytest.approx(0.089)
    assert (result.lines_sent, result.lines_available, result.lines_wrapped) == (183, 3, True)


def test_wrk_parse_refuses_output_without_numbers():
    with pytest.raises(ValueError, match="requests in"):
        wrk_parse("unable to connect to 127.0.0.1:9 Connection refused\n")


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers 201 to a request carrying `Authorization: Bearer good`, 401 to the others, and records
    what it was sent."""

    protocol_version = "HTTP/1.1"
    seen: Counter = Counter()

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        self.seen[(self.command, self.path, self.headers.get("Authorization"), body)] += 1
        status = 201 if self.headers.get("Authorization") == "Bearer good" else 401
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _answer

    def log_message(self, format, *args):
        pass


@pytest.fixture
def recorder() -> Iterator[tuple[int, Counter]]:
    require_service("wrk", shutil.which("wrk") is not None, "apt-get install wrk")
    _Recorder.seen = Counter()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Recorder.seen
    server.shutdown()
    server.server_close()


def test_wrk_run_sends_each_line_with_its_token_and_body_and_counts_refusals(recorder, tmp_path):
    # given: two lines a server accepts and one it refuses, for two wrk threads
    port, seen = recorder
    body = json.dumps({"email": "a@example.com", "password": "x"})
    lines = tmp_path / "requests.lines"
    lines.write_text(f"POST\t/join/1\tgood\t\nPOST\t/login\tgood\t{body}\nGET\t/me\tbad\t\n")

    # when
    result, output = wrk_run(f"http://127.0.0.1:{port}/", seconds=1, connections=2, threads=2, lines=lines)

    # then: every line was sent as written, and wrk counted exactly the 401s
    assert set(seen) == {
        ("POST", "/join/1", "Bearer good", ""),
        ("POST", "/login", "Bearer good", body),
        ("GET", "/me", "Bearer bad", ""),
    }
    # (wrk counts the answers that arrived before it stopped; the server may have answered a few more)
    refused = seen["GET", "/me", "Bearer bad", ""]
    assert 0 < result.errors_status <= refused
    assert refused - result.errors_status <= 2
    assert result.requests <= sum(seen.values())
    # three lines shared by two threads, sent far more than three times: the script says it went round
    assert result.lines_available == 3
    assert result.lines_wrapped
    assert "request lines: sent" in output
