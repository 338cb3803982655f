"""deploy/gunicorn.conf.py under different worker settings: time to the first /health answer, memory
per process, and throughput of GET /health and GET /api/bounties.

Usage: .venv/bin/python bench/gunicorn_config.py [--seconds 10] [--bounties 500] [--only NAME ...]
                                                 [--config PATH] [--list] [--chain-waits N]

Seeds a throw-away SQLite database (bench/dataset.py), then for each configuration starts gunicorn on a random loopback
port with deploy/gunicorn.conf.py (or --config) and the configuration's environment, and measures:
- start: seconds from starting the process to the first 200 from /health (polled every 10 ms), and the
  CPU seconds the master and the busiest worker had used by then: on a busy machine the wall time
  includes waiting for the cores, the CPU time does not;
- memory: RSS and PSS (resident memory with shared pages divided among their sharers) of the master and
  of each worker, after the load;
- throughput: wrk (2 threads, 16 connections) on /health and /api/bounties?page_size=20, requests per
  second, the 99th percentile latency, and the server's CPU milliseconds per request (what the rate
  would be on idle cores follows from it; the rate itself depends on what else the machine runs).
With --chain-waits N, a second table: the same throughput of /api/bounties while N wallet sign-ins are
always under way against a local Starknet node that never answers (each holds a worker, or a thread,
for the whole STARKNET_RPC_TIMEOUT), and what those sign-ins were answered (503 starknet.busy once the
bulkhead's cap, half the pool, is reached).
Only loopback traffic; each server is stopped before the next starts. Needs wrk (Debian's package).
"""

import argparse
import http.client
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
from bench.hung_node import ALICE, add_challenge  # noqa: E402
from bench.processes import children, cpu_seconds, memory_mib  # noqa: E402
from bench.scale import Scale  # noqa: E402
from bench.seed import database_prepare  # noqa: E402
from tests.live_gunicorn import SteadyLoad, free_port  # noqa: E402
from tests.starknet_node import StarknetNode  # noqa: E402

HOST = "127.0.0.1"
BOUNTIES = "/api/bounties?page_size=20"


def server(worker_class: str, workers: int, threads: int | None = None, *, preload: bool = True) -> dict[str, str]:
    """The gunicorn environment of one configuration (unset values keep deploy/gunicorn.conf.py's)."""
    env = {"GUNICORN_WORKER_CLASS": worker_class, "GUNICORN_WORKERS": str(workers)}
    if threads is not None:
        env["GUNICORN_THREADS"] = str(threads)
    if not preload:
        env["GUNICORN_PRELOAD"] = "false"
    return env


# name -> (environment, WSGI application)
CONFIGURATIONS: dict[str, tuple[dict[str, str], str]] = {
    "sync w5 (old)": (server("sync", 5, preload=False), "blocra.wsgi"),
    "sync w2": (server("sync", 2), "blocra.wsgi"),
    "sync w5": (server("sync", 5), "blocra.wsgi"),
    **{f"gthread w2 t{threads}": (server("gthread", 2, threads), "blocra.wsgi") for threads in (1, 2, 4, 8)},
    "gthread w3 t4": (server("gthread", 3, 4), "blocra.wsgi"),
    "gthread w2 t4 no preload": (server("gthread", 2, 4, preload=False), "blocra.wsgi"),
    "gthread w2 t4 starknet-py before fork": (server("gthread", 2, 4), "bench.wsgi_starknet:application"),
}


def first_health(server: subprocess.Popen, port: int, started: float) -> tuple[float, float]:
    """Seconds from `started` to the first 200 from /health, and the CPU seconds the master and its
    workers had used by then (what the wall time would be on an idle machine, less waiting)."""
    while time.monotonic() - started < 60:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/health")
            if connection.getresponse().status == 200:
                wall = time.monotonic() - started
                return wall, cpu_seconds(server.pid) + max(cpu_seconds(pid) for pid in children(server.pid))
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.01)
    raise SystemExit("no /health answer within 60 s")


def wrk(port: int, path: str, seconds: float, server: int) -> tuple[float, str, float, int]:
    """Requests per second, the 99th percentile latency, the server's CPU milliseconds per request
    (master and workers: unlike the rate, barely changed by other work on the machine), and how many
    requests got no answer within wrk's 2 s."""
    processes = [server, *children(server)]
    cpu_before = sum(cpu_seconds(pid) for pid in processes)
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{int(seconds)}s", "--latency", f"http://{HOST}:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = sum(cpu_seconds(pid) for pid in processes) - cpu_before
    if "Non-2xx" in out or re.search(r"Socket errors: connect [1-9]|read [1-9]|write [1-9]", out):
        raise SystemExit(f"{path}: errors\n{out}")
    timeouts = re.search(r"timeout (\d+)", out)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1)
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return rate, p99, cpu * 1000 / max(requests, 1), int(timeouts.group(1)) if timeouts else 0


def measure(name: str, env: dict[str, str], app: str, config: str, seconds: float, log: Path) -> str:
    port = free_port()
    server_env = {**env, **CONFIGURATIONS[name][0], "GUNICORN_BIND": f"{HOST}:{port}"}
    with log.open("ab") as output:
        started = time.monotonic()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", config, app],
            cwd=ROOT,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            start, start_cpu = first_health(server, port, started)
            wrk(port, "/health", 2, server.pid)  # warm-up: every worker and thread has served
            health = wrk(port, "/health", seconds, server.pid)
            bounties = wrk(port, BOUNTIES, seconds, server.pid)
            master = memory_mib(server.pid)
            workers = [memory_mib(pid) for pid in children(server.pid)]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=60)
    rss = sum(w[0] for w in workers) / len(workers)
    pss = sum(w[1] for w in workers) / len(workers)
    return (
        f"{name:38} {start:5.2f} s (cpu {start_cpu:4.2f} s)  master {master[0]:5.0f}/{master[1]:4.0f}  worker {rss:5.0f}/{pss:4.0f} MiB"
        f"  /health {health[0]:5.0f} r/s p99 {health[1]:>8} {health[2]:4.2f} cpu-ms/r"
        f"  bounties {bounties[0]:5.0f} r/s p99 {bounties[1]:>8} {bounties[2]:4.2f} cpu-ms/r"
    )


def measure_chain_waits(
    name: str, env: dict[str, str], app: str, config: str, seconds: float, waits: int, log: Path
) -> str:
    """/api/bounties throughput while `waits` sign-ins wait on a node that never answers."""
    port = free_port()
    server_env = {**env, **CONFIGURATIONS[name][0], "GUNICORN_BIND": f"{HOST}:{port}"}
    server_env["STARKNET_STATE_DIR"] = str(Path(env["DATA_DIR"]) / f"starknet-{time.monotonic_ns()}")
    signin = {"wallet_address": ALICE, "nonce": "bench", "signature": ["0x1", "0x2"]}
    with log.open("ab") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", config, app],
            cwd=ROOT,
            env=server_env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        load = SteadyLoad(port, "POST", "/api/auth/wallet", signin, clients=waits)
        try:
            first_health(server, port, time.monotonic())
            wrk(port, BOUNTIES, 2, server.pid)  # warm-up
            load.start()
            time.sleep(3)  # the sign-ins reach the node (each worker loads starknet-py first)
            bounties = wrk(port, BOUNTIES, seconds, server.pid)
        finally:
            # Killing the server answers the sign-ins still waiting (connection closed): their clients end.
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=60)
            load._stop.set()
    answers: dict[str, int] = {}
    for status, code, _ in load.answers:
        answers[f"{status} {code}"] = answers.get(f"{status} {code}", 0) + 1
    return (
        f"{name:38} bounties {bounties[0]:5.0f} r/s p99 {bounties[1]:>8}, {bounties[3]} over 2 s"
        f"   sign-ins answered: {answers}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--bounties", type=int, default=500)
    parser.add_argument("--config", default="deploy/gunicorn.conf.py")
    parser.add_argument("--only", action="append", help="a configuration's name (repeatable)")
    parser.add_argument("--list", action="store_true", help="print the configurations' names and stop")
    parser.add_argument("--chain-waits", type=int, default=0, help="sign-ins kept waiting on a hung node")
    args = parser.parse_args()
    if args.list:
        print("\n".join(CONFIGURATIONS))
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing (apt-get install wrk)")

    # A terminated run still stops its server and removes its files (the `finally` blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    data_dir = tempfile.mkdtemp(prefix="blocra-bench-")
    env = production_env(data_dir, LOG_LEVEL="warning", API_RATE_LIMIT="")
    try:
        scale = Scale(bounties=args.bounties, users=50, participations=args.bounties, join_pairs=0, signed_in=0)
        database_prepare(env, scale, Path(data_dir) / "prepared.json")
        print(f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.2f}; bounties: {args.bounties}")
        print("memory: RSS/PSS in MiB (worker: the mean of the workers)")
        log = Path(data_dir) / "gunicorn.log"
        names = args.only or list(CONFIGURATIONS)
        for name in names:
            print(measure(name, env, CONFIGURATIONS[name][1], args.config, args.seconds, log), flush=True)
        if args.chain_waits:
            node = StarknetNode()
            node.hang(3600)
            chain_env = {**env, "STARKNET_RPC_URLS": node.url, "STARKNET_RPC_TIMEOUT": "60"}
            chain_env["WALLET_SIGNIN_RATE_LIMIT"] = ""
            add_challenge(chain_env)
            print(f"\n/api/bounties while {args.chain_waits} wallet sign-ins wait on a node that never answers")
            try:
                for name in names:
                    app = CONFIGURATIONS[name][1]
                    line = measure_chain_waits(name, chain_env, app, args.config, args.seconds, args.chain_waits, log)
                    print(line, flush=True)
            finally:
                node.close()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
