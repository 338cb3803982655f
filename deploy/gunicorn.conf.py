"""gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py blocra.wsgi`.

Values an operator may change come from the environment (the README's gunicorn table); the defaults
follow the measurements in the README's "### gunicorn" section. Hooks that other parts of the project
need go in their own commented block at the end of this file.
"""

import ipaddress
import os


def _whole_number(name: str, default: int) -> int:
    """An integer from the environment; unset or empty means the default."""
    text = (os.environ.get(name) or "").strip()
    try:
        return int(text) if text else default
    except ValueError:
        raise RuntimeError(f"{name} must be a whole number, not {text!r}.") from None


def _yes_no(name: str, default: bool) -> bool:
    text = (os.environ.get(name) or "").strip().lower()
    if not text:
        return default
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise RuntimeError(f"{name} must be true or false, not {text!r}.")


def default_workers(cores: int) -> int:
    """Worker processes when GUNICORN_WORKERS is unset: one per core, at least two (one worker
    restarting or stuck must not leave nobody to answer). blocra/settings.py sizes the Starknet
    bulkhead with the same numbers."""
    return max(2, cores)


DEFAULT_THREADS = 4


def forwarded_allow_ips_from(trusted_proxies: str) -> str:
    """TRUSTED_PROXIES (the app's list, blocra.client_ip) as gunicorn's forwarded_allow_ips: gunicorn
    matches single addresses only, so a network of one address becomes that address and wider networks
    and `unix` are left out (gunicorn trusts every Unix-socket peer anyway, see below)."""
    addresses = []
    for entry in (part.strip() for part in trusted_proxies.split(",")):
        if not entry or entry.lower() == "unix":
            continue
        network = ipaddress.ip_network(entry)
        if network.num_addresses == 1:
            addresses.append(str(network.network_address))
    return ",".join(addresses)


# --- Where it listens --------------------------------------------------------------------------------
# A loopback port by default; behind nginx on the same machine a Unix socket
# (GUNICORN_BIND=unix:/run/blocra/gunicorn.sock, deploy/nginx/blocra.conf).
bind = [os.environ.get("GUNICORN_BIND") or "127.0.0.1:8000"]

# --- Workers -----------------------------------------------------------------------------------------
# gthread: each worker process serves GUNICORN_THREADS requests at once, so a request waiting on a
# Starknet node or on SQLite's write lock does not hold a whole process, and the workers' timeout
# (below) watches the process rather than each request. Measured against sync in the README.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or "gthread"
workers = _whole_number("GUNICORN_WORKERS", default_workers(os.cpu_count() or 1))
# (gunicorn turns sync workers with more than one thread into gthread ones: sync means one thread.)
threads = _whole_number("GUNICORN_THREADS", DEFAULT_THREADS if worker_class == "gthread" else 1)
# The application is imported once, in the master, before the workers are forked: a worker is ready
# as soon as it exists and shares the imported code's memory with the others. The price: SIGHUP
# restarts the workers from the master's copy of the code, so new code needs a full restart (or
# GUNICORN_PRELOAD=false, where each worker imports the application itself).
preload_app = _yes_no("GUNICORN_PRELOAD", True)
# No recycling by default: a worker's memory measured flat over long runs (README), and with
# preload_app a recycled worker is a fork of the master, cheap but not free (its memory is copied
# again as it writes). GUNICORN_MAX_REQUESTS turns it on, with 10% jitter so workers do not restart
# together.
max_requests = _whole_number("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max_requests // 10

# --- Time limits -------------------------------------------------------------------------------------
# A worker silent for this long is killed and replaced (with gthread the process, not a slow request).
timeout = _whole_number("GUNICORN_TIMEOUT", 30)
# On SIGTERM or SIGHUP, requests under way get this long to finish before their worker is killed;
# a service manager should wait a little longer than this before it kills the master.
graceful_timeout = _whole_number("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections (nginx opens one per request; direct clients may reuse theirs).
keepalive = 5
# The heartbeat file of each worker on a memory filesystem: on a disk (or a container's overlay) its
# updates can stall a worker long enough to be taken for hung.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - a directory, not a file

# --- Forwarded headers -------------------------------------------------------------------------------
# The application alone decides what a proxy's headers mean, from TRUSTED_PROXIES: it reads
# X-Forwarded-For (blocra.client_ip) and X-Forwarded-Proto (blocra.middleware.ForwardedHeadersMiddleware,
# SECURE_PROXY_SSL_HEADER) only when the direct peer is a trusted proxy. gunicorn therefore turns no
# header into the request's scheme or path itself (it would believe every Unix-socket peer, and it cannot
# hold networks), and its list of proxies is derived from the same TRUSTED_PROXIES value.
if os.environ.get("FORWARDED_ALLOW_IPS"):
    raise RuntimeError(
        "FORWARDED_ALLOW_IPS is no longer read: gunicorn takes the proxies from TRUSTED_PROXIES, as the app does."
    )
forwarded_allow_ips = forwarded_allow_ips_from(os.environ.get("TRUSTED_PROXIES", "127.0.0.1/32,::1/128,unix"))
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""

# --- Logging -----------------------------------------------------------------------------------------
accesslog = None  # blocra.access logs one line per request, with its request id
errorlog = "-"
# The app's LOG_LEVEL names, in gunicorn's words.
_log_level = (os.environ.get("LOG_LEVEL") or "info").lower()
loglevel = {"warn": "warning", "trace": "debug"}.get(_log_level, _log_level)
proc_name = "blocra"


# --- Requests gunicorn refuses itself ------------------------------------------------------------------
# A request gunicorn cannot parse (a request line or headers past its limits, a malformed line or
# header) is answered by gunicorn before Django sees it, with an HTML page. The API's clients read JSON:
# the same status in the API's one error shape, with a fixed message (never the request echoed back).
import json  # noqa: E402

import gunicorn.util  # noqa: E402

_REFUSALS = {
    400: ("request.malformed", "The request line or headers could not be parsed, or are too long."),
    403: ("request.forbidden", "The request is forbidden."),
    431: ("request.headers_too_large", "The request headers are too large."),
    501: ("request.unsupported_transfer_coding", "The transfer coding is not supported."),
}


def _write_json_error(sock, status_int, reason, mesg):
    code, message = _REFUSALS.get(status_int, ("server.error", "Internal server error."))
    body = json.dumps({"success": False, "message": message, "code": code}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    gunicorn.util.write_nonblock(sock, head.encode("latin-1") + body)


gunicorn.util.write_error = _write_json_error

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
    # Loaded here, not in child_exit: that hook runs in the master's SIGCHLD handler, and a second
    # worker's exit interrupting the first one's import of the module would find it half-imported.
    global _multiprocess
    from prometheus_client import multiprocess

    _multiprocess = multiprocess


_multiprocess = None


def child_exit(server, worker):
    """An exited worker's requests in progress are over; its counters stay and add up."""
    if _multiprocess is not None:
        _multiprocess.mark_process_dead(worker.pid)


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
