"""gunicorn settings of the ASGI server, which serves the WebSockets (/ws/) beside the API's gunicorn:
`gunicorn -c deploy/gunicorn_ws.conf.py blocra.asgi:application`.

The workers are uvicorn's (blocra.asgi_worker.SocketWorker): one asynchronous process holds thousands of
idle sockets, where a sync worker would hold one. The REST API stays on deploy/gunicorn.conf.py's sync
workers, which answer it several times faster (README, "### gunicorn"). What the two servers share
(time limits, trusted proxies, logging, metrics) comes from that file, run first; this one changes
where the server listens, its workers and its name.
"""

import os
import runpy
from pathlib import Path

# Read in the master when gunicorn makes each worker (SocketWorker reads WS_MAX_MESSAGE_BYTES).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blocra.settings")

_shared = runpy.run_path(str(Path(__file__).with_name("gunicorn.conf.py")))
_whole_number = _shared["_whole_number"]

# --- Shared with the API's gunicorn ------------------------------------------------------------------
# GUNICORN_TIMEOUT: a worker whose event loop is stuck this long is replaced. GUNICORN_GRACEFUL_TIMEOUT:
# on SIGTERM uvicorn closes every socket (1012, "service restart": clients reconnect) and waits this
# long for the consumers to end. LOG_LEVEL and LOG_FORMAT, TRUSTED_PROXIES (unused by uvicorn with
# proxy headers off, kept in agreement), and /metrics' multiprocess directory and its hooks.
timeout = _shared["timeout"]
graceful_timeout = _shared["graceful_timeout"]
keepalive = _shared["keepalive"]
worker_tmp_dir = _shared["worker_tmp_dir"]
forwarded_allow_ips = _shared["forwarded_allow_ips"]
accesslog = _shared["accesslog"]
errorlog = _shared["errorlog"]
loglevel = _shared["loglevel"]
if "logconfig_dict" in _shared:
    logconfig_dict = _shared["logconfig_dict"]
on_starting = _shared["on_starting"]
child_exit = _shared["child_exit"]
on_exit = _shared["on_exit"]
preload_app = _shared["preload_app"]

# --- Where it listens --------------------------------------------------------------------------------
# A loopback port by default, one above the API's; behind nginx on the same machine a Unix socket
# (GUNICORN_WS_BIND=unix:/run/blocra/ws.sock, deploy/nginx/blocra.conf). Under systemd the socket of
# blocra-ws.socket is handed over (LISTEN_FDS) and this value is ignored, as for the API.
bind = [os.environ.get("GUNICORN_WS_BIND") or "127.0.0.1:8001"]

# --- Workers -----------------------------------------------------------------------------------------
worker_class = "blocra.asgi_worker.SocketWorker"
# Two by default: one holds thousands of sockets, the second keeps the service answering while one
# restarts. Events made by the API's workers reach these processes through the channel layer only when
# it is Redis (REDIS_URL): the in-memory one holds one process's groups (check blocra.W020).
workers = _whole_number("GUNICORN_WS_WORKERS", 2)
# Never recycled: a worker's restart closes every socket it holds.
max_requests = 0
proc_name = "blocra-ws"
