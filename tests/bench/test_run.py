"""bench/run.py's verdicts on a run: what it flags (no timings)."""

from bench.run import _run_problems, log_errors
from bench.wrk import WrkResult


def _result(**fields) -> WrkResult:
    return WrkResult(**{"requests": 100, "seconds": 8.0, "rate": 12.5, "p50_ms": 1.0, "p99_ms": 2.0, **fields})


def test_run_problems_flags_error_answers_socket_errors_and_silence():
    assert _run_problems(_result(), one_off=True) == []
    assert _run_problems(_result(errors_status=3), one_off=False) == ["3 of 100 answers were 4xx/5xx"]
    assert _run_problems(_result(errors_socket={"connect": 0, "read": 0, "write": 0, "timeout": 2}), one_off=False) == [
        "socket errors {'timeout': 2}"
    ]
    assert _run_problems(_result(requests=0), one_off=False) == ["no answer at all"]


def test_run_problems_flags_reused_lines_only_for_one_off_requests():
    wrapped = _result(lines_sent=900, lines_available=800, lines_wrapped=True)

    assert _run_problems(wrapped, one_off=False) == []
    assert _run_problems(wrapped, one_off=True) == ["ran out of request lines (800): some were sent twice"]


def test_log_errors_finds_tracebacks_and_error_lines(tmp_path):
    log = tmp_path / "app.log"
    log.write_text(
        "2026-12-02 10:00:00,000 INFO blocra.access request_id=a GET /health 200 1.0ms user=-\n"
        "[2026-12-02 10:00:01 +0000] [7] [ERROR] Exception in worker process\n"
        "Traceback (most recent call last):\n"
        '{"level": "error", "logger": "django.request", "message": "Internal Server Error: /api/"}\n'
        "2026-12-02 10:00:02,000 INFO blocra.access request_id=b GET /api/errors 200 1.0ms user=-\n"
    )

    assert len(log_errors(log)) == 3
