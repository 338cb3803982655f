# syntax=docker/dockerfile:1
# The BlocRA API: gunicorn (deploy/gunicorn.conf.py) on port 8000 as an unprivileged user, the SQLite
# database and uploads on the /data volume. Build from the repository root: `docker build -t
# blocra-backend:0.1.0 .`; deploy/docker-compose.yml does it too. README.md, "Deployment" > "Docker".
#
# Base: CPython 3.11 (the locks are resolved for it) on Debian 12, slim, pinned to a precise release.
# The tag moves when Debian's packages are patched; for byte-for-byte rebuilds pin its digest as well:
#   docker build --build-arg PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:<digest> .
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# --- builder: the locked runtime dependencies in a virtualenv, every download checked against its hash.
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements.lock /tmp/requirements.lock
# Every locked package publishes wheels for CPython 3.11 on x86_64 and aarch64 Linux, except
# starknet-py: source only, pure Python, built into a wheel here (pip fetches setuptools and Cython for
# that; no compiler is needed). --only-binary keeps anything else from being compiled by surprise: a
# release without a wheel for the platform fails here, not in a half-built image.
RUN /opt/venv/bin/pip install --require-hashes --only-binary=:all: --no-binary=starknet-py \
        -r /tmp/requirements.lock

# --- runtime: the virtualenv and the code, nothing to build with.
FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="BlocRA backend" \
      org.opencontainers.image.description="The BlocRA bounty and Starknet analytics API (Django, gunicorn)"

# A fixed uid and gid, so that volumes and Kubernetes' runAsUser/fsGroup (deploy/k8s) agree with it.
RUN groupadd --system --gid 10001 blocra \
    && useradd --system --uid 10001 --gid blocra --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin blocra \
    && install -d -o blocra -g blocra -m 0750 /data

COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The code belongs to root: the server cannot change it (.dockerignore keeps secrets and local state out).
COPY . /app

# Settings of this layout; the deployment's own come from the environment (deploy/blocra.env.example).
# The code is compiled here and never written at run time (the root filesystem may be read-only).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BLOCRA_READ_DOT_ENV=false \
    DATA_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    GUNICORN_BIND=0.0.0.0:8000 \
    COLLECTSTATIC_ON_START=false \
    PROMETHEUS_MULTIPROC_DIR=/tmp/blocra-metrics

# Static files are collected into the image, with the code they belong to, so that the entrypoint
# need not (COLLECTSTATIC_ON_START=false above). Collecting imports the production settings, which
# want their required values: throw-away ones, for this command only, never kept in the image.
RUN python -m compileall -q /app \
    && DEBUG=false SECRET_KEY=collectstatic-at-build-time-only ALLOWED_HOSTS=localhost \
        STARKNET_RPC_URLS=http://127.0.0.1:9/unused EMAIL_URL=consolemail:// DATA_DIR=/tmp/build-data \
        python manage.py collectstatic --noinput --verbosity 0 \
    && rm -rf /tmp/build-data

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# gunicorn's graceful stop; give it 40 s (docker stop -t 40, compose's stop_grace_period).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck.py"]
ENTRYPOINT ["/app/deploy/docker-entrypoint.sh"]
