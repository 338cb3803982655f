"""BlocRA backend: the Django project package (settings, URL root, cross-cutting HTTP pieces)."""

import time

__version__ = "0.1.0"

# Taken when the project package is first imported: when the server starts (gunicorn's master with
# preload_app, else each worker). /health reports uptime from here.
PROCESS_STARTED_MONOTONIC = time.monotonic()
