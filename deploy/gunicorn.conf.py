"""gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py blocra.wsgi`. Every value can be overridden
from the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...)."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30
keepalive = 5
max_requests = 2000
max_requests_jitter = 200
accesslog = None  # blocra.access logs one line per request, with its request id
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"


# --- Metrics and JSON logs (issue 12, point 6) --------------------------------------------------------
# Kept in this one block, apart from the server settings above.
#
# /metrics adds up every worker's counts (blocra/metrics.py) in prometheus_client's multiprocess mode:
# each process writes its counts to files in PROMETHEUS_MULTIPROC_DIR, which must be set before the app
# (and with it prometheus_client) is imported, in the master with preload_app or in each worker. This
# file is read first, in the master. Unset, the server gets a fresh private directory of its own (made
# here, removed when the master exits; a master started by a binary upgrade, USR2, makes its own). A
# directory given must serve this one server alone: its files are removed when the master starts.
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

_metrics_dir_owner = os.environ.get("BLOCRA_METRICS_DIR_OWNER")
# The default directory of another master (this one was started by it, USR2) is not this master's.
_metrics_dir_inherited = _metrics_dir_owner is not None and _metrics_dir_owner != str(os.getpid())
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR") or _metrics_dir_inherited:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="blocra-metrics-")
    os.environ["BLOCRA_METRICS_DIR_OWNER"] = str(os.getpid())


def on_starting(server):
    """Counts of an earlier run are not this run's (the master, once, before any worker starts)."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in directory.glob("*.db"):
        path.unlink(missing_ok=True)


def child_exit(server, worker):
    """An exited worker's requests in progress are over; its counters stay and add up."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if os.environ.get("BLOCRA_METRICS_DIR_OWNER") == str(os.getpid()):
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


# LOG_FORMAT=json: gunicorn's own lines (start, worker boot and exit) as JSON objects too, like the
# app's (blocra/logging.py), so that every line of the output is one. gunicorn's access log stays off:
# blocra.access logs each request.
if (os.environ.get("LOG_FORMAT") or "text").strip().lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": "pythonjsonlogger.json.JsonFormatter",
                "fmt": ["levelname", "name", "message", "process"],
                "rename_fields": {"levelname": "level", "name": "logger", "process": "pid", "exc_info": "exception"},
                "timestamp": True,
            }
        },
        "handlers": {
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
        },
        "root": {"level": "INFO", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
        },
    }
