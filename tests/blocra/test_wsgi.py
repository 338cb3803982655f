"""blocra.wsgi, the application gunicorn imports: what it loads before serving (with preload_app, what
the master loads once before forking the workers)."""

import json
import os
import subprocess
import sys

from tests.live_gunicorn import ROOT


def python(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without a database or Redis of its own: SQLite and the cache file."""
    return {**{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}, **extra}


def test_wsgi_import_loads_the_views_but_not_the_starknet_stack(tmp_path):
    # What a preloading gunicorn master imports before it forks the workers: every view, so that no
    # worker imports one at its first request; not starknet-py, aiohttp or (without REDIS_URL) the Redis
    # client, which only some requests need and which would slow the start (README, "### gunicorn").
    out = python(
        "import json, sys, blocra.wsgi; "
        "print(json.dumps({m: m in sys.modules for m in "
        "('bounties.apis', 'contracts.apis', 'adminpanel.apis', 'starknet_py', 'aiohttp', 'redis')}))",
        clean_environment(DATA_DIR=str(tmp_path)),
    )
    assert json.loads(out) == {
        "bounties.apis": True,
        "contracts.apis": True,
        "adminpanel.apis": True,
        "starknet_py": False,
        "aiohttp": False,
        "redis": False,
    }
