"""Prometheus metrics: what the server counts, and the text GET /metrics serves (blocra.metrics_endpoint).

Several workers. gunicorn serves with several worker processes, each counting on its own, so the counts
use prometheus_client's multiprocess mode: when PROMETHEUS_MULTIPROC_DIR is set before prometheus_client
is first imported (deploy/gunicorn.conf.py sets it in the master, before the app is imported there or in
the workers, and empties the directory when the master starts), every process writes its values to
memory-mapped files of its own in that directory, and a scrape adds up the files of every process,
living or dead. Whichever worker answers the scrape, it reports the requests every worker served, and
what a worker counted outlives it (max_requests recycles workers). A scrape also merges the files of
exited processes into one archive file per kind (`_files_compact`), so the directory does not grow with
each recycled worker. Without the variable (`manage.py runserver`, the tests) the counts live in the
process that serves.

Labels stay few: the URL pattern that matched (never the raw path), the method (unknown ones as
`other`), the status; the database alias and vendor; the Starknet operation and its outcome.
"""

import fcntl
import glob
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from prometheus_client.mmap_dict import MmapedDict, mmap_key
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger("blocra.metrics")

# Read when prometheus_client is imported (just above): the mode this process counts in.
MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

# An API answers in milliseconds to seconds; a request slower than 30 s has hit gunicorn's timeout.
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
DB_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0)
# A chain operation waits up to STARKNET_RPC_TIMEOUT (10 s by default) per node.
STARKNET_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0)

# Methods a client may invent: anything else counts as "other", so no client can add label values.
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# The route of a request no URL pattern matched (unknown paths outside /api).
UNMATCHED_ROUTE = "<unmatched>"

HTTP_REQUESTS = Counter(
    "blocra_http_requests",
    "HTTP requests answered, by URL pattern, method and status code (GET /metrics itself not counted).",
    ["route", "method", "status"],
)
HTTP_ERRORS = Counter(
    "blocra_http_errors",
    "HTTP answers with a 4xx or 5xx status, by URL pattern, method and status class (4xx, 5xx).",
    ["route", "method", "status_class"],
)
HTTP_REQUEST_DURATION = Histogram(
    "blocra_http_request_duration_seconds",
    "Time from the request reaching Django to its response, by URL pattern and method.",
    ["route", "method"],
    buckets=HTTP_BUCKETS,
)
HTTP_REQUESTS_IN_PROGRESS = Gauge(
    "blocra_http_requests_in_progress",
    "Requests being served now, summed over the living workers.",
    multiprocess_mode="livesum",
)
DB_QUERY_DURATION = Histogram(
    "blocra_db_query_duration_seconds",
    "SQL statements run while serving requests, and their time, by database alias and vendor.",
    ["alias", "vendor"],
    buckets=DB_BUCKETS,
)
DB_QUERY_ERRORS = Counter(
    "blocra_db_query_errors",
    "SQL statements that failed, by database alias, vendor and the driver's error class.",
    ["alias", "vendor", "error"],
)
DB_CONNECTIONS_OPENED = Counter(
    "blocra_db_connections_opened",
    "Database connections opened (persistent ones are reused for DB_CONN_MAX_AGE seconds).",
    ["alias", "vendor"],
)
STARKNET_OPERATIONS = Counter(
    "blocra_starknet_operations",
    "Starknet client operations, by operation and outcome (ok, chain_answer, timeout, unavailable, "
    "bad_response, breaker_open, busy, error).",
    ["operation", "outcome"],
)
STARKNET_OPERATION_DURATION = Histogram(
    "blocra_starknet_operation_duration_seconds",
    "Time a Starknet client operation took, failover to other nodes included, by operation.",
    ["operation"],
    buckets=STARKNET_BUCKETS,
)
STARKNET_NODE_ATTEMPTS = Counter(
    "blocra_starknet_node_attempts",
    "Tries of an operation on one node (scheme and host), by outcome; breaker_open: skipped, its circuit is open.",
    ["node", "outcome"],
)


# --- HTTP -------------------------------------------------------------------------------------------


def http_method_label(method: str | None) -> str:
    return method if method in HTTP_METHODS else "other"


def http_request_observe(*, route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request and its time."""
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_REQUEST_DURATION.labels(route, method).observe(seconds)
    if status >= 400:
        HTTP_ERRORS.labels(route, method, f"{status // 100}xx").inc()


@contextmanager
def http_request_in_progress() -> Iterator[None]:
    HTTP_REQUESTS_IN_PROGRESS.inc()
    try:
        yield
    finally:
        HTTP_REQUESTS_IN_PROGRESS.dec()


# --- Database ---------------------------------------------------------------------------------------

ExecuteWrapper = Callable[[Callable[..., Any], str, Any, bool, dict[str, Any]], Any]
_query_observers: dict[tuple[str, str], ExecuteWrapper] = {}


def _query_observer(alias: str, vendor: str) -> ExecuteWrapper:
    """Django's execute wrapper that times each statement on one connection, and counts its failure."""
    observer = _query_observers.get((alias, vendor))
    if observer is None:
        duration = DB_QUERY_DURATION.labels(alias, vendor)

        def observer(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            except Exception as error:
                DB_QUERY_ERRORS.labels(alias, vendor, type(error).__name__).inc()
                raise
            finally:
                duration.observe(time.perf_counter() - started)

        _query_observers[(alias, vendor)] = observer
    return observer


@contextmanager
def db_queries_observed() -> Iterator[None]:
    """Time every SQL statement this thread runs on any database in the block (the vendor's own
    execute path, so the same on SQLite, PostgreSQL and MySQL)."""
    with ExitStack() as stack:
        for alias in connections:
            connection = connections[alias]
            stack.enter_context(connection.execute_wrapper(_query_observer(alias, connection.vendor)))
        yield


def _connection_opened(sender: type[BaseDatabaseWrapper], connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    DB_CONNECTIONS_OPENED.labels(connection.alias, connection.vendor).inc()


connection_created.connect(_connection_opened, dispatch_uid="blocra.metrics.connection_opened")


# --- Starknet ---------------------------------------------------------------------------------------


def starknet_operation_observe(*, operation: str, outcome: str, seconds: float) -> None:
    """Count one client operation (`operation` is the client's own name for it, a fixed set)."""
    STARKNET_OPERATIONS.labels(operation, outcome).inc()
    STARKNET_OPERATION_DURATION.labels(operation).observe(seconds)


def starknet_node_attempt(*, node: str, outcome: str) -> None:
    """Count one try on one node; `node` is its redacted URL (no path, no query: they may hold keys)."""
    STARKNET_NODE_ATTEMPTS.labels(node, outcome).inc()


# --- Exposition -------------------------------------------------------------------------------------


def metrics_exposition(accept: str) -> tuple[bytes, str]:
    """Every metric in the format the `Accept` header asks for (Prometheus text unless OpenMetrics is
    asked for), with its content type: this process's own, or in multiprocess mode every process's."""
    encoder, content_type = choose_encoder(accept)
    if not MULTIPROCESS_DIR:
        return encoder(REGISTRY), content_type
    with _files_locked(MULTIPROCESS_DIR):
        try:
            _files_compact(MULTIPROCESS_DIR)
        except (OSError, ValueError):
            # The files stay as they are: still read and added up correctly, only more of them.
            logger.exception("metrics: merging the files of exited processes failed")
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=MULTIPROCESS_DIR)
        return encoder(registry), content_type


@contextmanager
def _files_locked(directory: str) -> Iterator[None]:
    """One scrape at a time reads and merges the directory's files (workers keep writing their own)."""
    descriptor = os.open(os.path.join(directory, ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process has the number: not one of ours that exited
    return True


# The file kinds whose values add up across processes; gauges other than `live*` ones are kept per
# process by prometheus_client and are left alone (this project has none).
_ADDITIVE_KINDS = ("counter", "histogram", "summary")
ARCHIVE = "archive"


def _files_compact(directory: str) -> None:
    """Merge the counter, histogram and summary files of exited processes into `<kind>_archive.db`, and
    delete their `live*` gauge files (what gunicorn's child_exit hook does, for any that remain).

    Called with the directory locked. A living process's files are never touched (one that took over an
    exited worker's number goes on counting in its files, which stay), so no count is lost or added twice.
    """
    exited: dict[str, list[str]] = {}
    for path in glob.glob(os.path.join(directory, "*.db")):
        name = os.path.basename(path)[: -len(".db")]
        kind, _, pid = name.rpartition("_")
        if not pid.isdigit() or _process_alive(int(pid)):
            continue
        if kind in _ADDITIVE_KINDS:
            exited.setdefault(kind, []).append(path)
        elif kind.startswith("gauge_live"):
            os.remove(path)
    for kind, paths in exited.items():
        archive = os.path.join(directory, f"{kind}_{ARCHIVE}.db")
        sources = [*paths, archive] if os.path.exists(archive) else paths
        merged = MultiProcessCollector.merge(sources, accumulate=False)
        # Written aside (a name scrapes do not read) and moved into place in one step.
        scratch = os.path.join(directory, f".{kind}_{ARCHIVE}.{os.getpid()}.tmp")
        store = MmapedDict(scratch)
        try:
            for metric in merged:
                for sample in metric.samples:
                    key = mmap_key(
                        metric.name,
                        sample.name,
                        list(sample.labels),
                        list(sample.labels.values()),
                        metric.documentation,
                    )
                    store.write_value(key, sample.value, 0.0)
        finally:
            store.close()
        os.replace(scratch, archive)
        for path in paths:
            os.remove(path)
