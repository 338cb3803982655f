"""How long /health takes while the Starknet node hangs and chain requests keep coming, with and without
the bulkhead (the chain-call cap and the circuit breaker of blocra/starknet/).

Usage: .venv/bin/python bench/hung_node.py [--workers 2] [--rpc-timeout 2] [--seconds 8]

Seeds a throw-away SQLite database, starts a local Starknet node that never answers and, for each
configuration, gunicorn (deploy/gunicorn.conf.py, sync workers) on a random loopback port. Three wallet
sign-ins per worker are kept under way (each asks the node) while /health is requested one after the
other for --seconds; prints its latencies and the sign-in answers. Only loopback traffic.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import Scale  # noqa: E402
from bench.seed import database_prepare  # noqa: E402
from tests.live_gunicorn import SteadyLoad, gunicorn, timed_get  # noqa: E402
from tests.starknet_node import StarknetNode  # noqa: E402

ALICE = f"0x{0xA11CE:064x}"
CONFIGURATIONS = {
    "no bulkhead": {"STARKNET_MAX_CONCURRENT_CALLS": "0", "STARKNET_BREAKER_THRESHOLD": "0"},
    "cap only": {"STARKNET_BREAKER_THRESHOLD": "0"},
    "cap + breaker": {},
}


def add_challenge(env: dict[str, str]) -> None:
    script = f"""
import django; django.setup()
from datetime import timedelta
from django.utils import timezone
from accounts.models import WalletChallenge
now = timezone.now()
WalletChallenge.objects.create(nonce="bench", address="{ALICE}", chain_id="SN_SEPOLIA", issued_at=now,
                               expires_at=now + timedelta(days=1))
"""
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)


def measure(
    env: dict[str, str], node: StarknetNode, workers: int, seconds: float, log: Path
) -> tuple[list[float], Counter]:
    signin = {"wallet_address": ALICE, "nonce": "bench", "signature": ["0x1", "0x2"]}
    with gunicorn(env, workers=workers, log=log) as port:
        for _ in range(workers * 2):
            timed_get(port, "/health")
        load = SteadyLoad(port, "POST", "/api/auth/wallet", signin, clients=3 * workers)
        asked = len(node.methods)
        load.start()
        latencies: list[float] = []
        try:
            while len(node.methods) == asked:  # the workers load starknet-py on their first sign-in
                time.sleep(0.05)
            stop = time.monotonic() + seconds
            while time.monotonic() < stop:
                status, latency = timed_get(port, "/health")
                if status != 200:
                    raise SystemExit(f"/health answered {status}")
                latencies.append(latency)
        finally:
            load.stop(timeout=float(env["STARKNET_RPC_TIMEOUT"]) * 3 + 30)
    return latencies, Counter(f"{status} {code}" for status, code, _ in load.answers)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rpc-timeout", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="blocra-bench-")
    node = StarknetNode()
    node.hang(3600)
    base = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "STARKNET_"))},
        "DJANGO_SETTINGS_MODULE": "blocra.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": "consolemail://",
        "DATA_DIR": data_dir,
        "LOG_LEVEL": "error",
        "BLOCRA_READ_DOT_ENV": "false",
        "API_RATE_LIMIT": "",
        "WALLET_SIGNIN_RATE_LIMIT": "",
        "STARKNET_RPC_URLS": node.url,
        "STARKNET_RPC_TIMEOUT": str(args.rpc_timeout),
        "STARKNET_RPC_CONNECT_TIMEOUT": "1",
    }
    try:
        database_prepare(base, Scale(20, 5, 20, join_pairs=0, signed_in=0), Path(data_dir) / "prepared.json")
        add_challenge(base)
        print(f"gunicorn sync workers: {args.workers}; sign-ins under way: {3 * args.workers}; ", end="")
        print(f"RPC timeout: {args.rpc_timeout} s; /health polled for {args.seconds} s\n")
        print(f"{'configuration':<15} {'probes':>6} {'median':>8} {'p95':>8} {'max':>8}   sign-in answers")
        for name, overrides in CONFIGURATIONS.items():
            state_dir = Path(data_dir) / f"starknet-{len(name)}-{time.monotonic_ns()}"
            env = {**base, **overrides, "STARKNET_STATE_DIR": str(state_dir)}
            latencies, answers = measure(env, node, args.workers, args.seconds, Path(data_dir) / "gunicorn.log")
            p95 = sorted(latencies)[min(len(latencies) - 1, int(len(latencies) * 0.95))]
            print(
                f"{name:<15} {len(latencies):>6} {statistics.median(latencies):>7.3f}s {p95:>7.3f}s "
                f"{max(latencies):>7.3f}s   {dict(answers)}"
            )
    finally:
        node.close()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
