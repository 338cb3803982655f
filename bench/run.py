"""`make bench`: the app against a bare Django site, endpoint by endpoint, with production settings.

Usage: .venv/bin/python bench/run.py [--db sqlite|postgres|both] [--duration 8] [--connections 32]
                                     [--threads 2] [--warmup 1] [--only NAME ...] [--postgres-url URL]
                                     [--redis-url URL] [--bounties N --users N --participations N]

For each database (SQLite, then a throw-away PostgreSQL database, dropped afterwards; skipped with a
message when PostgreSQL is not reachable):
1. migrates and seeds the data set of bench/dataset.py (10,000 bounties, 2,000 users, 50,000
   participations, submissions and rewards) with bulk inserts;
2. starts gunicorn with deploy/gunicorn.conf.py and production settings (DEBUG off, rate limits on,
   their rates raised so that the bench's one client is counted but never refused), and the bare site
   of bench/bare/ (one JsonResponse view, no middleware, no database) with the same configuration file
   and the same environment for gunicorn; both on random loopback ports;
3. checks one answer of every endpoint (status and content), then loads each endpoint with wrk and the
   bare site right after it, interleaved, and prints requests per second, p50, p99 and the ratio to
   bare; then the workers' memory and how long the first /health took from the start.
Answers that are not what the endpoint must answer (a non-2xx, a socket error, a wrong body, an error in
the server log) are flagged in the table and listed at the end, and the command exits with status 1.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.environment import callers_env, production_env  # noqa: E402
from bench.processes import children, memory_mib  # noqa: E402
from bench.scale import Scale  # noqa: E402
from bench.seed import database_prepare  # noqa: E402
from bench.wrk import WrkResult, wrk_run  # noqa: E402

HOST = "127.0.0.1"
GUNICORN_CONFIG = "deploy/gunicorn.conf.py"
# The rate limits stay on (every request is counted, as in production) at rates one client never reaches.
HIGH_RATE = "1000000/m"
RATE_LIMITS = {
    "API_RATE_LIMIT": HIGH_RATE,
    "LOGIN_RATE_LIMIT_IP": HIGH_RATE,
    "LOGIN_RATE_LIMIT_EMAIL": HIGH_RATE,
    "LOGIN_RATE_LIMIT_ACCOUNT": "1000000/h",
}
# Issue 13's targets: requests/s against bare.
TARGETS = {"api": 0.7, "list": 0.5, "detail": 0.6, "create": 0.3}
LIST_P99_TARGET_MS = 50.0
RSS_TARGET_MIB = 80.0
FIRST_HEALTH_TARGET_S = 1.0


# --- Servers -------------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    first_answer: float = 0.0  # seconds from starting the process to the first 200 of the probe path


def _get(port: int, path: str, timeout: float = 5) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def server_start(name: str, wsgi: str, env: dict[str, str], log: Path, probe: str) -> Server:
    """gunicorn -c deploy/gunicorn.conf.py `wsgi` on a free loopback port, once `probe` answers 200
    (polled every 10 ms: the time to the first answer is one of the measurements)."""
    port = free_port()
    metrics = log.parent / f"metrics-{name}"
    metrics.mkdir(exist_ok=True)
    server_env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
    with log.open("ab") as output:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", GUNICORN_CONFIG, wsgi],
            cwd=ROOT,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, process, port, log)
    while time.monotonic() - started < 60:
        if process.poll() is not None:
            raise SystemExit(f"{name}: gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if _get(port, probe)[0] == 200:
                server.first_answer = time.monotonic() - started
                return server
        except OSError:
            pass
        time.sleep(0.01)
    server_stop(server)
    raise SystemExit(f"{name}: no answer from {probe} within 60 s:\n{log.read_text()[-3000:]}")


def server_stop(server: Server, *, graceful: bool = True) -> None:
    """A graceful stop (SIGTERM), then SIGKILL for what is left of the process group."""
    if graceful and server.process.poll() is None:
        os.killpg(server.process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            server.process.wait(timeout=30)
    with suppress(ProcessLookupError):
        os.killpg(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(server: Server, limit: float = 120) -> float:
    """Wait until the server's processes stop using CPU: requests wrk left queued when it stopped (it
    closes its connections; the server still answers what it read) must not slow the next run. Returns
    the seconds waited."""
    started = time.monotonic()
    pids = [server.process.pid, *children(server.process.pid)]
    before = sum(cpu_seconds(pid) for pid in pids)
    quiet = 0
    # Idle means a whole second under 4% of one core: on a crowded machine a busy server can get almost
    # no CPU for a quarter of a second, never for four in a row (measured with sign-ins under way).
    while quiet < 4 and time.monotonic() - started < limit:
        time.sleep(0.25)
        now = sum(cpu_seconds(pid) for pid in pids)
        quiet = quiet + 1 if now - before < 0.01 else 0
        before = now
    return time.monotonic() - started


def log_errors(log: Path) -> list[str]:
    """Lines of a server log that report an error (a traceback, a level of ERROR or worse)."""
    pattern = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|\[ERROR\]|\[CRITICAL\]|\"level\": \"(error|critical)\"")
    return [line for line in log.read_text(errors="replace").splitlines() if pattern.search(line)]


# --- Environments -----------------------------------------------------------------------------------------


def app_env(data_dir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    env = production_env(str(data_dir), **RATE_LIMITS)
    if database_url:
        env["DATABASE_URL"] = database_url
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def bare_env() -> dict[str, str]:
    return {**callers_env(), "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}


# --- Endpoints ----------------------------------------------------------------------------------------------

Line = tuple[str, str, str, str]  # method, path, bearer token, JSON body


@dataclass
class Endpoint:
    key: str
    label: str
    path: str  # what wrk asks for when there are no request lines
    # Request lines for bench/requests.lua: the first checked before the runs, then the warm-up's, then the run's.
    check: Line | None = None
    warmup: list[Line] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    expected_status: int = 200
    # Each line may be sent once (a join): running out of them is a failure, not a new round.
    one_off: bool = False


def _create_body(index: int) -> str:
    categories = ["development", "design", "documentation", "testing"]
    return json.dumps(
        {
            "title": f"Benchmark bounty {index}: write the Cairo client",
            "description": "Created by make bench. Write a typed client with tests and documentation.",
            "reward_amount": f"{100 + index % 400}.50",
            "reward_token": ["STRK", "USDC", "ETH"][index % 3],
            "difficulty": ["beginner", "intermediate", "advanced"][index % 3],
            "category": categories[index % len(categories)],
            "max_participants": 10,
        }
    )


def endpoints(prepared: dict[str, Any]) -> list[Endpoint]:
    detail = [("GET", f"/api/bounties/{bounty_id}", "", "") for bounty_id in prepared["detail_ids"]]
    create = [("POST", "/api/bounties", token, _create_body(i)) for i, token in enumerate(prepared["create_tokens"])]
    login = [
        ("POST", "/api/auth/login", "", json.dumps({"email": email, "password": prepared["password"]}))
        for email in prepared["login_emails"]
    ]
    join = [("POST", f"/api/bounties/{bounty_id}/join", token, "") for bounty_id, token in prepared["join"]]
    # Joins are one-off: the check takes the first pair, the warm-up a fifth of the rest, the run the others.
    split = 1 + (len(join) - 1) // 5
    return [
        Endpoint("api", "GET /api/", "/api/"),
        Endpoint("list", "GET /api/bounties", "/api/bounties"),
        Endpoint("filtered", "GET /api/bounties?filters+search", f"/api/bounties?{prepared['filtered_query']}"),
        Endpoint("detail", "GET /api/bounties/{id}", "", detail[0], detail, detail),
        Endpoint("create", "POST /api/bounties", "", create[0], create, create, 201),
        Endpoint("join", "POST /api/bounties/{id}/join", "", join[0], join[1:split], join[split:], 201, one_off=True),
        # No warm-up for sign-ins: each costs an Argon2 hash (100 MiB, most of the request's time), so
        # the queue a warm-up leaves behind would take longer to drain than the warm-up lasted.
        Endpoint("login", "POST /api/auth/login", "", login[0], [], login),
        Endpoint("health", "GET /health", "/health"),
    ]


def _send(port: int, line: Line) -> tuple[int, dict[str, str], Any]:
    method, path, token, body = line
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        status, response_headers = response.status, dict(response.getheaders())
    finally:
        connection.close()
    try:
        return status, response_headers, json.loads(raw) if raw else None
    except ValueError:
        return status, response_headers, raw[:200]


def check_answer(endpoint: Endpoint, port: int, prepared: dict[str, Any]) -> str | None:
    """What is wrong with one answer of `endpoint`, or None: its status and the content it must carry."""
    status, headers, body = _send(port, endpoint.check or ("GET", endpoint.path, "", ""))
    if status != endpoint.expected_status:
        return f"answered {status}, not {endpoint.expected_status}: {str(body)[:300]}"
    page = body if isinstance(body, list) else []
    item = body if isinstance(body, dict) else {}
    checks: dict[str, Callable[[], bool]] = {
        "api": lambda: item.get("success") is True,
        "list": lambda: len(page) == 20 and headers.get("X-Total-Count") == str(prepared["counts"]["bounties"]),
        "filtered": lambda: (
            len(page) == min(20, prepared["filtered_total"])
            and headers.get("X-Total-Count") == str(prepared["filtered_total"])
            and all(b.get("status") == "open" and b.get("category") == "development" for b in page)
        ),
        "detail": lambda: endpoint.check is not None and item.get("id") == endpoint.check[1].rsplit("/", 1)[1],
        "create": lambda: bool(item.get("id")) and item.get("status") == "open",
        "join": lambda: item.get("status") == "active",
        "login": lambda: bool(item.get("token")) and bool(item.get("refresh_token")),
        "health": lambda: item.get("status") == "ok",
    }
    if not checks[endpoint.key]():
        total = headers.get("X-Total-Count")
        return f"answered {status} with unexpected content (X-Total-Count {total}): {json.dumps(body)[:300]}"
    return None


def write_lines(path: Path, lines: list[Line]) -> Path:
    path.write_text("".join("\t".join(line) + "\n" for line in lines))
    return path


# --- One database -------------------------------------------------------------------------------------------


@dataclass
class Row:
    endpoint: Endpoint
    app: WrkResult
    bare: WrkResult
    problems: list[str]
    rss: float  # the largest app worker's RSS after the run, MiB

    @property
    def ratio(self) -> float:
        return self.app.rate / self.bare.rate if self.bare.rate else 0.0


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _row_text(row: Row) -> str:
    target = TARGETS.get(row.endpoint.key)
    goal = f"≥ {target:.2f} {_verdict(row.ratio >= target)}" if target else ""
    if row.endpoint.key == "list":
        goal += f"; p99 < {LIST_P99_TARGET_MS:.0f} ms {_verdict(row.app.p99_ms < LIST_P99_TARGET_MS)}"
    flag = f"  !! {'; '.join(row.problems)}" if row.problems else ""
    return (
        f"{row.endpoint.label:34} {row.app.rate:8.1f} {row.app.p50_ms:8.1f} {row.app.p99_ms:8.1f}"
        f" | {row.bare.rate:8.1f} {row.bare.p50_ms:7.1f} {row.bare.p99_ms:7.1f} | {row.rss:4.0f} | {row.ratio:5.2f}x  {goal}{flag}"
    )


def _run_problems(result: WrkResult, one_off: bool) -> list[str]:
    problems = []
    if result.errors_status:
        problems.append(f"{result.errors_status} of {result.requests} answers were 4xx/5xx")
    socket = {kind: n for kind, n in result.errors_socket.items() if n}
    if socket:
        problems.append(f"socket errors {socket}")
    if one_off and result.lines_wrapped:
        problems.append(f"ran out of request lines ({result.lines_available}): some were sent twice")
    if result.requests == 0:
        problems.append("no answer at all")
    return problems


def bench_database(name: str, database_url: str, args: argparse.Namespace) -> list[str]:
    """Seed, serve and load one database; prints its table; returns the problems found."""
    problems: list[str] = []
    data_dir = Path(tempfile.mkdtemp(prefix="blocra-bench-"))
    servers: list[Server] = []
    try:
        env = app_env(data_dir, database_url, args.redis_url)
        scale = Scale(args.bounties, args.users, args.participations, args.join_pairs, args.signed_in)
        print(f"\n== {name} ==\nseeding {scale.bounties} bounties, {scale.users} users, ", end="", flush=True)
        print(f"{scale.participations} participations ...", end=" ", flush=True)
        prepared = database_prepare(env, scale, data_dir / "prepared.json")
        counts = ", ".join(f"{n} {what}" for what, n in prepared["counts"].items())
        print(f"{prepared['seconds']:.1f} s: {counts}", flush=True)

        app = server_start("app", "blocra.wsgi", env, data_dir / "app.log", "/health")
        servers.append(app)
        bare = server_start("bare", "bench.bare.wsgi", bare_env(), data_dir / "bare.log", "/")
        servers.append(bare)
        workers = len(children(app.process.pid))
        print(f"gunicorn ({GUNICORN_CONFIG}): {workers} workers each; first /health after {app.first_answer:.2f} s")

        chosen = [e for e in endpoints(prepared) if not args.only or e.key in args.only]
        for endpoint in chosen:
            problem = check_answer(endpoint, app.port, prepared)
            if problem:
                problems.append(f"{name}: {endpoint.label} {problem}")
                print(f"!! {endpoint.label}: {problem}", flush=True)

        load = {"connections": args.connections, "threads": args.threads}
        wrk_run(f"http://{HOST}:{app.port}/health", seconds=2, **load)  # every worker and thread serves once
        wrk_run(f"http://{HOST}:{bare.port}/", seconds=2, **load)
        print(f"\nwrk: {args.threads} threads, {args.connections} connections, {args.duration:.0f} s per run")
        print(
            f"{'endpoint':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} | {'bare r/s':>8} {'p50':>7} {'p99':>7} | RSS  | ratio"
        )
        for endpoint in chosen:
            url = f"http://{HOST}:{app.port}{endpoint.path or '/'}"
            warm = write_lines(data_dir / f"{endpoint.key}-warmup.lines", endpoint.warmup) if endpoint.warmup else None
            lines = write_lines(data_dir / f"{endpoint.key}.lines", endpoint.lines) if endpoint.lines else None
            if args.warmup > 0 and (endpoint.path or warm):
                wrk_run(url, seconds=args.warmup, lines=warm, **load)
            wait_idle(app)
            app_result, _ = wrk_run(url, seconds=args.duration, lines=lines, **load)
            wait_idle(app)
            rss = max(memory_mib(pid)[0] for pid in children(app.process.pid))
            bare_result, _ = wrk_run(f"http://{HOST}:{bare.port}/", seconds=args.duration, **load)
            row_problems = _run_problems(app_result, one_off=endpoint.one_off) + [
                f"bare: {p}" for p in _run_problems(bare_result, one_off=False)
            ]
            row = Row(endpoint, app_result, bare_result, row_problems, rss)
            print(_row_text(row), flush=True)
            problems += [f"{name}: {endpoint.label}: {p}" for p in row_problems]

        app_memory = [memory_mib(pid) for pid in children(app.process.pid)]
        bare_memory = [memory_mib(pid) for pid in children(bare.process.pid)]
        rss = max(rss for rss, _ in app_memory)
        print(
            f"\nworker RSS after the runs (MiB): app {', '.join(f'{r:.0f}' for r, _ in app_memory)}"
            f" (PSS {', '.join(f'{p:.0f}' for _, p in app_memory)}), target ≤ {RSS_TARGET_MIB:.0f}:"
            f" {_verdict(rss <= RSS_TARGET_MIB)}; bare {', '.join(f'{r:.0f}' for r, _ in bare_memory)}"
        )
        print(
            f"first /health {app.first_answer:.2f} s from start, target ≤ {FIRST_HEALTH_TARGET_S:.0f} s:"
            f" {_verdict(app.first_answer <= FIRST_HEALTH_TARGET_S)} (bare site: {bare.first_answer:.2f} s)"
        )
    finally:
        for server in reversed(servers):
            # The bare site is killed: deploy/gunicorn.conf.py's child_exit hook imports prometheus_client
            # in the master on a graceful stop, which a site that never loaded it does not survive cleanly.
            server_stop(server, graceful=server.name != "bare")
        for server in servers:
            errors = log_errors(server.log)
            if errors:
                problems.append(
                    f"{name}: {len(errors)} error lines in the {server.name} server's log, e.g. {errors[0]}"
                )
        if args.keep:
            print(f"kept {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
    return problems


# --- PostgreSQL ---------------------------------------------------------------------------------------------


@contextmanager
def postgres_database(server_url: str, prefix: str) -> Iterator[str | None]:
    """A new, empty database on the server of `server_url`, dropped afterwards; None when the server
    cannot be reached or refuses to create one (the reason is printed)."""
    import psycopg

    name = f"{prefix}_{os.getpid()}"
    try:
        admin = psycopg.connect(server_url, autocommit=True, connect_timeout=3)
    except psycopg.Error as exc:
        print(f"\n== PostgreSQL: skipped, not reachable at {server_url}: {str(exc).strip()} ==")
        yield None
        return
    try:
        admin.execute(f'CREATE DATABASE "{name}"')  # a name of our making: prefix and pid
    except psycopg.Error as exc:
        print(f"\n== PostgreSQL: skipped, cannot create a database: {str(exc).strip()} ==")
        admin.close()
        yield None
        return
    parts = urlsplit(server_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


# --- Command line -------------------------------------------------------------------------------------------


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "unknown CPU",
    )
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    ram = int(memory.split()[1]) / 1024 / 1024
    load = os.getloadavg()
    return (
        f"{os.cpu_count()} cores ({cpu}), {ram:.1f} GiB RAM, Python {sys.version.split()[0]}; "
        f"load average at start {load[0]:.2f} (other work on the machine lowers every number)"
    )


def main() -> None:
    defaults = Scale()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument("--warmup", type=float, default=1, help="seconds of warm-up per endpoint (default 1)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--only", action="append", help="an endpoint: api, list, filtered, detail, create, ...")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server (any database on it) where a throw-away database may be created",
    )
    parser.add_argument("--postgres-prefix", default="blocra_bench", help="the throw-away database's name prefix")
    parser.add_argument(
        "--redis-url", default="", help="the app's cache and rate-limit store (default: its SQLite file)"
    )
    parser.add_argument("--bounties", type=int, default=defaults.bounties)
    parser.add_argument("--users", type=int, default=defaults.users)
    parser.add_argument("--participations", type=int, default=defaults.participations)
    parser.add_argument("--signed-in", type=int, default=defaults.signed_in)
    parser.add_argument("--join-pairs", type=int, help="one-off join requests prepared (default: enough)")
    parser.add_argument("--keep", action="store_true", help="keep the data directories (logs, SQLite files)")
    args = parser.parse_args()
    # Enough one-off join pairs for 1,500 joins a second, far above what this stack does on 2 cores.
    if args.join_pairs is None:
        args.join_pairs = max(defaults.join_pairs, int(1500 * (args.duration + args.warmup)))
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    # A terminated run still stops its servers and drops its database (the `finally` blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    started = time.monotonic()
    print(f"make bench: {machine()}")
    cache = "Redis " + args.redis_url if args.redis_url else "its SQLite cache file"
    print(
        "app: production settings (DEBUG off), rate limits on with the API and login limits raised to "
        f"{HIGH_RATE} so the one client is counted, never refused; cache and counters in {cache}"
    )
    problems: list[str] = []
    if args.db in ("sqlite", "both"):
        problems += bench_database("SQLite", "", args)
    if args.db in ("postgres", "both"):
        with postgres_database(args.postgres_url, args.postgres_prefix) as url:
            if url is not None:
                problems += bench_database("PostgreSQL", url, args)
    print(f"\ndone in {time.monotonic() - started:.0f} s")
    if problems:
        print("\n!! FLAGGED: these runs did not answer as they must; their numbers are not to be trusted:")
        print("\n".join(f"!!   {problem}" for problem in problems))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
