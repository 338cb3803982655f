"""Throughput of GET /api/bounties against a bare Django view on the same gunicorn server.

Usage: .venv/bin/python bench/list_vs_bare.py [--bounties 500] [--seconds 10] [--workers 2]

Seeds a throw-away SQLite database, starts gunicorn on 127.0.0.1 (random port), loads each path for
the same time with the same client (wrk when installed, else keep-alive Python threads), and prints
requests per second and the ratio list / bare. Only loopback traffic; the run stops by itself.
"""

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(env: dict, count: int) -> None:
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    script = f"""
import django; django.setup()
from decimal import Decimal
from accounts.models import User
from bounties.models import Bounty
owner = User.objects.create_user(email="bench@example.com", password=None, username="bench")
Bounty.objects.bulk_create([
    Bounty(title=f"Bounty {{i}}", description="Benchmark bounty " * 10, reward_amount=Decimal("150.5"),
           reward_token="STRK", difficulty="intermediate", category="development", created_by=owner)
    for i in range({count})
])
"""
    subprocess.run([PY, "-c", script], cwd=ROOT, env=env, check=True)


def load_python(url_host: str, port: int, path: str, seconds: float, threads: int = 8) -> float:
    stop = time.monotonic() + seconds
    counts = [0] * threads
    errors = [0] * threads

    def worker(i: int) -> None:
        conn = http.client.HTTPConnection(url_host, port, timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[i] += 1
            else:
                errors[i] += 1
        conn.close()

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    started = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if sum(errors):
        raise SystemExit(f"{path}: {sum(errors)} non-200 answers")
    return sum(counts) / (time.monotonic() - started)


def load_wrk(host: str, port: int, path: str, seconds: float) -> float:
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{int(seconds)}s", f"http://{host}:{port}{path}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"{path}: non-2xx answers\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bounties", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="blocra-bench-")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STARKNET_RPC_URLS": "http://127.0.0.1:9/unused",
        "DATA_DIR": data_dir,
        "LOG_LEVEL": "warning",
        "API_RATE_LIMIT": "",
        "BLOCRA_READ_DOT_ENV": "false",
    }
    seed(env, args.bounties)
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "blocra.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        load = load_wrk if shutil.which("wrk") else load_python
        client = "wrk" if shutil.which("wrk") else "python threads"
        results = {}
        for path in ("/bench/bare", "/api/bounties?page_size=20"):
            load("127.0.0.1", port, path, 2)  # warm-up
            results[path] = load("127.0.0.1", port, path, args.seconds)
        bare, listing = results["/bench/bare"], results["/api/bounties?page_size=20"]
        print(f"client: {client}; gunicorn workers: {args.workers}; bounties: {args.bounties}")
        print(f"bare view          {bare:10.1f} req/s")
        print(f"bounty list (20)   {listing:10.1f} req/s")
        print(f"ratio list/bare    {listing / bare:10.2f}   (target >= 0.50)")
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
