"""BlocRA backend: the Django project package (settings, URL root, cross-cutting HTTP pieces)."""

import time

__version__ = "0.1.0"

# Taken when the project package is first imported, i.e. when the worker process starts:
# /health reports uptime from here.
PROCESS_STARTED_MONOTONIC = time.monotonic()
