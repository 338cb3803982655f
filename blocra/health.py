"""Liveness and readiness: GET /health and /api/health, and the API root greeting."""

import logging
import uuid
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse

import blocra
from blocra.clock import clock
from blocra.errors import api_methods

logger = logging.getLogger("blocra.health")


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means "not ready"; the cause goes to the log only
        logger.exception("health: database check failed")
        return "error"
    return "ok"


def _check_cache() -> str:
    key = f"health:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=5)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception:  # same: a broken cache is reported, never raised
        logger.exception("health: cache check failed")
        return "error"
    return "ok" if ok else "error"


@api_methods("GET")
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database(), "cache": _check_cache()}
    healthy = all(value == "ok" for value in checks.values())
    body = {
        "status": "ok" if healthy else "degraded",
        "uptime": round(clock().monotonic() - blocra.PROCESS_STARTED_MONOTONIC, 3),
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "version": blocra.__version__,
        "checks": checks,
    }
    response = JsonResponse(body, status=200 if healthy else 503)
    response["Cache-Control"] = "no-store"
    return response


@api_methods("GET")
def api_root(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"success": True, "message": "Welcome to the BlocRA API"})
