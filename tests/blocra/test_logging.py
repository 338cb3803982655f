"""Log output as a process writes it: LOG_FORMAT=json is one JSON object per line with the request id,
and a traceback as a field; text stays one readable line. The access log's fields over real HTTP, from
several gunicorn workers, are in tests/blocra/test_metrics_gunicorn.py."""

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Logs a line inside a request's context, and an exception with its traceback.
PROBE = """
import django, logging
django.setup()
from blocra.request_context import RequestContext, request_context_bound
log = logging.getLogger("blocra.probe")
with request_context_bound(RequestContext(request_id="probe-request-1")):
    log.warning("hello %s", "world", extra={"bounty_id": 7})
try:
    {}["missing"]
except KeyError:
    log.exception("it failed")
"""


def run_probe(tmp_path: Path, log_format: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOG_LEVEL")}
    env.update(DJANGO_SETTINGS_MODULE="blocra.settings", DATA_DIR=str(tmp_path), LOG_FORMAT=log_format, DEBUG="true")
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


def test_logging_json_is_one_object_per_line_with_request_id_and_exception(tmp_path):
    lines = run_probe(tmp_path, "json")

    records = [json.loads(line) for line in lines]  # every line is JSON
    assert len(records) == 2
    hello, failure = records
    assert hello["message"] == "hello world"
    assert hello["level"] == "WARNING"
    assert hello["logger"] == "blocra.probe"
    assert hello["request_id"] == "probe-request-1"
    assert hello["bounty_id"] == 7
    assert isinstance(hello["pid"], int)
    stamp = datetime.fromisoformat(hello["timestamp"])
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0
    assert "T" in hello["timestamp"]
    assert "exception" not in hello
    assert failure["message"] == "it failed"
    assert failure["level"] == "ERROR"
    assert failure["request_id"] == "-"
    assert failure["exception"].startswith("Traceback (most recent call last):")
    assert "KeyError: 'missing'" in failure["exception"]


def test_logging_text_stays_one_readable_line(tmp_path):
    lines = run_probe(tmp_path, "text")
    assert "WARNING blocra.probe request_id=probe-request-1 hello world" in lines[0]
    assert not lines[0].startswith("{")
