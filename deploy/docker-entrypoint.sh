#!/bin/sh
# The container's entrypoint (Dockerfile). With no arguments: apply migrations, collect static files,
# then become gunicorn with deploy/gunicorn.conf.py (GUNICORN_BIND), as PID 1, so that `docker stop`'s
# SIGTERM reaches it and stops it gracefully. With BLOCRA_SERVER=ws: become the ASGI server instead
# (deploy/gunicorn_ws.conf.py, GUNICORN_WS_BIND), the WebSockets beside the API's container, without
# migrating or collecting (the API's container does both). With arguments: run them instead, as a
# one-off command that neither migrates nor collects
# (`docker compose run --rm blocra python manage.py create_admin`).
#
# Read here only (not Django settings):
#   BLOCRA_SERVER           api (default) or ws: which server the container runs
#   MIGRATE_ON_START        true or false, default true; false where migrations run once elsewhere
#                           (several replicas)
#   COLLECTSTATIC_ON_START  true or false, default true; the image sets false: it holds the files,
#                           collected when built
# PROMETHEUS_MULTIPROC_DIR, when set, is created for the server and left unset for one-off commands.
set -eu

cd "$(dirname "$0")/.."

if [ "$#" -gt 0 ]; then
    unset PROMETHEUS_MULTIPROC_DIR
    exec "$@"
fi

# The server's metrics directory must exist before the settings are read (they refuse a missing one);
# the one-off steps below export no metrics, so they run without it.
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

case "${BLOCRA_SERVER:-api}" in
    api) ;;
    ws) exec gunicorn -c deploy/gunicorn_ws.conf.py blocra.asgi:application ;;
    *) echo "docker-entrypoint: BLOCRA_SERVER must be api or ws, not '${BLOCRA_SERVER}'" >&2; exit 2 ;;
esac

# $1: the variable's name; true (run the step) or false, anything else stops the start.
enabled() {
    eval "value=\${$1:-true}"
    case "$value" in
        true) return 0 ;;
        false) return 1 ;;
        *) echo "docker-entrypoint: $1 must be true or false, not '$value'" >&2; exit 2 ;;
    esac
}

if enabled MIGRATE_ON_START; then
    env -u PROMETHEUS_MULTIPROC_DIR python manage.py migrate --noinput
else
    echo "docker-entrypoint: MIGRATE_ON_START=false, migrations are not applied here"
fi

if enabled COLLECTSTATIC_ON_START; then
    env -u PROMETHEUS_MULTIPROC_DIR python manage.py collectstatic --noinput --verbosity 0
fi

exec gunicorn -c deploy/gunicorn.conf.py blocra.wsgi
