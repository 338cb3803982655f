"""Migrate a throw-away database and fill it with the benchmark's data set (bench/dataset.py).

Usage: .venv/bin/python bench/seed.py --out prepared.json [--bounties 10000] [--users 2000]
                                      [--participations 50000] [--join-pairs 20000]

The database is the one the environment names (DATABASE_URL, else SQLite under DATA_DIR), as for the
app; it must be empty. Writes what the load runs need (ids, tokens, join pairs) to --out as JSON.
`database_prepare` does the same from another process, for the bench scripts.
"""

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.scale import Scale  # noqa: E402


def database_prepare(env: dict[str, str], scale: Scale, out: Path) -> dict:
    """Migrate and seed the database `env` names, in child processes; returns the prepared JSON."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    arguments = [
        f"--bounties={scale.bounties}",
        f"--users={scale.users}",
        f"--participations={scale.participations}",
        f"--join-pairs={scale.join_pairs}",
        f"--signed-in={scale.signed_in}",
    ]
    subprocess.run([sys.executable, "bench/seed.py", f"--out={out}", *arguments], cwd=ROOT, env=env, check=True)
    return json.loads(out.read_text())


def main() -> None:
    defaults = Scale()
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--bounties", type=int, default=defaults.bounties)
    parser.add_argument("--users", type=int, default=defaults.users)
    parser.add_argument("--participations", type=int, default=defaults.participations)
    parser.add_argument("--join-pairs", type=int, default=defaults.join_pairs)
    parser.add_argument("--signed-in", type=int, default=defaults.signed_in)
    args = parser.parse_args()

    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blocra.settings")
    django.setup()
    from bench.dataset import dataset_seed

    started = time.monotonic()
    scale = Scale(args.bounties, args.users, args.participations, args.join_pairs, args.signed_in)
    prepared = dataset_seed(scale)
    prepared.seconds = round(time.monotonic() - started, 1)
    args.out.write_text(json.dumps(prepared.as_json()))


if __name__ == "__main__":
    main()
