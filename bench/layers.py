"""The cost of each layer of the request stack: GET /api/ through the middleware added one at a time,
against the bare reference site (one JsonResponse view, no middleware) in the same run.

Usage: .venv/bin/python bench/layers.py [--seconds 5] [--rounds 2] [--path /api/] [--only N ...]
                                        [--in-process [--requests 3000]]

Production settings (DEBUG off, LOG_LEVEL info: the access log writes its line), SQLite, the SQLite
cache file, gunicorn with deploy/gunicorn.conf.py (its default workers and threads). The bare site runs
beside each configuration; wrk (2 threads, 32 connections) drives them in turns, `--rounds` times each,
and each row gives requests per second, the ratio to the bare site's rate of the same turns, p99, and
the server's CPU microseconds per request (little changed by other work on the machine, unlike the
rate). API_RATE_LIMIT is raised to 1000000/m so that the ceiling counts (and costs) but never refuses
a benchmark client, which comes from one address. Also prints the workers' RSS and the time from start
to the first /health answer of the production configuration. Needs wrk (Debian's package).

--in-process: no server and no wrk. Each configuration's middleware chain (Django's WSGIHandler, as
gunicorn calls it) answers `--requests` requests in this one thread, and the row gives the CPU
microseconds per request (the least of `--rounds` rounds): the layers' own cost, without the network,
the other threads or what else the machine runs. The access log writes to a file, as under gunicorn.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.environment import production_env  # noqa: E402
from bench.gunicorn_config import first_health  # noqa: E402
from bench.processes import children, cpu_seconds, memory_mib  # noqa: E402
from tests.live_gunicorn import free_port  # noqa: E402

HOST = "127.0.0.1"
ADMIN_ONLY = [
    "blocra.admin_middleware.SessionMiddleware",
    "blocra.admin_middleware.CommonMiddleware",
    "blocra.admin_middleware.CsrfViewMiddleware",
    "blocra.admin_middleware.AuthenticationMiddleware",
    "blocra.admin_middleware.MessageMiddleware",
]
DJANGO_ADMIN = [
    path.replace("blocra.admin_middleware.", module)
    for path, module in zip(
        ADMIN_ONLY,
        [
            "django.contrib.sessions.middleware.",
            "django.middleware.common.",
            "django.middleware.csrf.",
            "django.contrib.auth.middleware.",
            "django.contrib.messages.middleware.",
        ],
        strict=True,
    )
]
CEILING = "blocra.ratelimits.ApiRateLimitMiddleware"
EXACT_CEILING = "bench.layers_middleware.ExactApiRateLimitMiddleware"


def configurations(production: list[str]) -> list[tuple[str, str]]:
    """(label, BENCH_MIDDLEWARE) rows: the app with no middleware, then each layer of MIDDLEWARE added
    in its order (the admin-site ones as one row), then the stack as it was before issue 13."""
    rows = [("app, no middleware", "")]
    chosen: list[str] = []
    for path in production:
        chosen.append(path)
        if path in ADMIN_ONLY[:-1]:
            continue
        label = "+ admin-site middleware (skipped on /api)" if path in ADMIN_ONLY else f"+ {path.rsplit('.', 1)[1]}"
        rows.append((label, ",".join(chosen)))
    assert chosen == production
    exact = [EXACT_CEILING if path == CEILING else path for path in production]
    rows.append(("production, ceiling written on every request", ",".join(exact)))
    with_django = [path for path in production if path not in ADMIN_ONLY]
    at = with_django.index(CEILING) + 1
    rows.append(
        ("production, admin-site middleware on /api", ",".join(with_django[:at] + DJANGO_ADMIN + with_django[at:]))
    )
    old = [EXACT_CEILING if path == CEILING else path for path in with_django[:at] + DJANGO_ADMIN + with_django[at:]]
    rows.append(("both: the stack before issue 13", ",".join(old)))
    return rows


class Server:
    """gunicorn with deploy/gunicorn.conf.py and one BENCH_MIDDLEWARE, in its own process group."""

    def __init__(self, env: dict[str, str], middleware: str, log: Path) -> None:
        self.port = free_port()
        server_env = {**env, "BENCH_MIDDLEWARE": middleware, "GUNICORN_BIND": f"{HOST}:{self.port}"}
        self.started = time.monotonic()
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "blocra.wsgi"],
                cwd=ROOT,
                env=server_env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def ready(self, path: str) -> float:
        """Seconds from start to the first 200 of `path`."""
        return first_health_at(self.process, self.port, self.started, path)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)


def first_health_at(process: subprocess.Popen, port: int, started: float, path: str) -> float:
    if path == "/health":
        return first_health(process, port, started)[0]
    import http.client

    while time.monotonic() - started < 60:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.01)
    raise SystemExit(f"no answer from {path} within 60 s")


def wrk(server: Server, path: str, seconds: float) -> tuple[int, float, float, str]:
    """Requests served, seconds, the server's CPU seconds (master and workers) and the p99 latency."""
    processes = [server.process.pid, *children(server.process.pid)]
    cpu_before = sum(cpu_seconds(pid) for pid in processes)
    out = subprocess.run(
        ["wrk", "-t2", "-c32", f"-d{seconds:g}s", "--latency", f"http://{HOST}:{server.port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = sum(cpu_seconds(pid) for pid in processes) - cpu_before
    if "Non-2xx" in out or re.search(r"Socket errors: connect [1-9]|read [1-9]|write [1-9]|timeout [1-9]", out):
        raise SystemExit(f"{path}: errors\n{out}")
    requests = int(re.search(r"(\d+) requests in ([\d.]+)(m?s)", out).group(1))
    duration = re.search(r"\d+ requests in ([\d.]+)(ms|s|m)", out)
    value, unit = float(duration.group(1)), duration.group(2)
    elapsed = value / 1000 if unit == "ms" else value * 60 if unit == "m" else value
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)
    return requests, elapsed, cpu, p99


def in_process(rows: list[tuple[str, str]], path: str, requests: int, rounds: int, log: Path) -> None:
    """CPU microseconds per request of each configuration's chain, called in this thread."""
    import io

    import django
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import override_settings

    django.setup()

    def environ(target: str) -> dict[str, object]:
        return {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": target,
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": "8000",
            "HTTP_HOST": HOST,
            "REMOTE_ADDR": HOST,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
        }

    def cost(middleware: list[str], urls: str, target: str) -> float:
        with override_settings(MIDDLEWARE=middleware, ROOT_URLCONF=urls):
            handler = WSGIHandler()
            statuses = set()

            def start_response(status: str, headers: list[tuple[str, str]]) -> None:
                statuses.add(status)

            best = float("inf")
            for _ in range(rounds + 1):  # the first round warms up
                started = time.process_time()
                for _ in range(requests):
                    handler(environ(target), start_response).close()
                best = min(best, (time.process_time() - started) / requests * 1e6)
            if statuses != {"200 OK"}:
                raise SystemExit(f"{target}: answered {statuses}")
            return best

    print(f"GET {path}: CPU µs per request in one thread, the least of {rounds} rounds of {requests}\n")
    print("| # | stack | CPU µs/req | Δ µs/req |")
    print("|---|---|---|---|")
    saved = os.dup(2)
    with log.open("ab") as output:
        os.dup2(output.fileno(), 2)  # the access log's lines go to a file, as gunicorn's output does
    try:
        bare = cost([], "bench.layers_urls", "/bench/bare")
        lines = [f"| - | bare site | {bare:.0f} | |"]
        previous = None
        for number, (label, middleware) in enumerate(rows):
            chain = [part for part in middleware.split(",") if part]
            us = cost(chain, "bench.urls", path)
            delta = f"{us - previous:+.0f}" if previous is not None and number < len(rows) - 3 else ""
            previous = us
            lines.append(f"| {number} | {label} | {us:.0f} | {delta} |")
    finally:
        os.dup2(saved, 2)
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--path", default="/api/")
    parser.add_argument("--only", type=int, action="append", help="a row's number (repeatable)")
    parser.add_argument("--in-process", action="store_true", help="CPU per request in one thread, no server")
    parser.add_argument("--requests", type=int, default=3000, help="requests per round with --in-process")
    args = parser.parse_args()
    if not args.in_process and not shutil.which("wrk"):
        raise SystemExit("wrk is missing (apt-get install wrk)")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    data_dir = tempfile.mkdtemp(prefix="blocra-layers-")
    env = production_env(
        data_dir, DJANGO_SETTINGS_MODULE="bench.layers_settings", LOG_LEVEL="info", API_RATE_LIMIT="1000000/m"
    )
    os.environ.update(env)
    from blocra.settings import MIDDLEWARE

    log = Path(data_dir) / "gunicorn.log"
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        rows = configurations(list(MIDDLEWARE))
        if args.in_process:
            os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(dir=data_dir))
            in_process(rows, args.path, args.requests, args.rounds, log)
            return
        print(f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.2f}; GET {args.path}")
        print(f"wrk -t2 -c32, {args.rounds} x {args.seconds:g} s per row, each beside the bare site\n")
        print("| # | stack | req/s | x bare | p99 | server CPU µs/req | Δ µs/req |")
        print("|---|---|---|---|---|---|---|")
        bare = Server(env, "bare", log)
        bare.ready("/bench/bare")
        previous = None
        try:
            for number, (label, middleware) in enumerate(rows):
                if args.only and number not in args.only:
                    continue
                server = Server(env, middleware, log)
                try:
                    server.ready(args.path)
                    wrk(server, args.path, 1)  # warm-up: every worker and thread has served
                    wrk(bare, "/bench/bare", 1)
                    totals = {"bare": [0, 0.0, 0.0], "row": [0, 0.0, 0.0]}
                    p99 = "-"
                    for _ in range(args.rounds):
                        for key, target, path in (("bare", bare, "/bench/bare"), ("row", server, args.path)):
                            served, elapsed, cpu, latency = wrk(target, path, args.seconds)
                            totals[key][0] += served
                            totals[key][1] += elapsed
                            totals[key][2] += cpu
                            if key == "row":
                                p99 = latency
                finally:
                    server.stop()
                rate = totals["row"][0] / totals["row"][1]
                bare_rate = totals["bare"][0] / totals["bare"][1]
                cpu_us = totals["row"][2] / totals["row"][0] * 1e6
                delta = f"{cpu_us - previous:+.0f}" if previous is not None and number < len(rows) - 3 else ""
                previous = cpu_us
                print(
                    f"| {number} | {label} | {rate:.0f} | {rate / bare_rate:.2f} | {p99} | {cpu_us:.0f} | {delta} |",
                    flush=True,
                )
            bare_cpu = totals["bare"][2] / totals["bare"][0] * 1e6
            print(f"\nbare site: {bare_cpu:.0f} server CPU µs/req (last row's turns)")
        finally:
            bare.stop()
        production = Server(env, "production", log)
        try:
            start = production.ready("/health")
            wrk(production, args.path, args.seconds)
            workers = [memory_mib(pid) for pid in children(production.process.pid)]
        finally:
            production.stop()
        rss = ", ".join(f"{rss:.0f}" for rss, _ in workers)
        pss = ", ".join(f"{pss:.0f}" for _, pss in workers)
        print(f"production: first /health {start:.2f} s after start; worker RSS {rss} MiB (PSS {pss} MiB)")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
