"""Production settings with the middleware a layer bench run chooses (bench/layers.py).

BENCH_MIDDLEWARE: `production` (MIDDLEWARE as it is), `bare` (no middleware, and the URLs of one
JsonResponse view: the yardstick), or a comma-separated list of dotted middleware paths, outermost first.
"""

import os

from bench.settings import *  # noqa: F403

_chosen = os.environ.get("BENCH_MIDDLEWARE", "production").strip()
if _chosen == "bare":
    MIDDLEWARE: list[str] = []
    ROOT_URLCONF = "bench.layers_urls"
elif _chosen != "production":
    MIDDLEWARE = [path.strip() for path in _chosen.split(",") if path.strip()]
