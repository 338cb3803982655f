"""System checks of the project's own arrangement of Django's pieces."""

from typing import Any

from django.conf import settings
from django.core import checks
from django.utils.module_loading import import_string

CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"


@checks.register(checks.Tags.security, deploy=True)
def csrf_middleware_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Django's security.W003 and W016, for the CSRF middleware as MIDDLEWARE names it: Django looks for
    its own class by name, while the project runs it through blocra.admin_middleware (a subclass that
    skips the API's paths, which authenticate with bearer tokens alone). W003 is silenced in settings in
    favour of this check; W016 (the cookie's Secure flag) is skipped by Django when it finds no CSRF
    middleware, so it is made here."""
    csrf_class = import_string(CSRF_MIDDLEWARE)
    present = any(
        isinstance(cls := import_string(path), type) and issubclass(cls, csrf_class) for path in settings.MIDDLEWARE
    )
    if not present:
        return [
            checks.Warning(
                "No CSRF middleware (CsrfViewMiddleware or a subclass) is in MIDDLEWARE: the admin site's "
                "forms would be open to cross-site request forgery.",
                id="blocra.W003",
            )
        ]
    if not settings.CSRF_COOKIE_SECURE:
        return [
            checks.Warning(
                "CSRF_COOKIE_SECURE is off while CSRF middleware is in use: the CSRF cookie would travel over "
                "plain HTTP.",
                id="blocra.W016",
            )
        ]
    return []


IN_MEMORY_CHANNEL_LAYER = "channels.layers.InMemoryChannelLayer"


@checks.register(deploy=True)
def channel_layer_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """blocra.W020: in production the WebSockets' ASGI server is a process of its own beside gunicorn's
    WSGI workers, and the in-memory channel layer (no REDIS_URL) holds one process's groups: the events
    the API's workers publish would never reach a socket."""
    if settings.CHANNEL_LAYERS["default"]["BACKEND"] != IN_MEMORY_CHANNEL_LAYER:
        return []
    return [
        checks.Warning(
            "The channel layer is in memory (REDIS_URL is not set): events made by the API's gunicorn workers "
            "never reach the WebSockets of the ASGI server, another process.",
            hint="Set REDIS_URL wherever the ASGI server runs beside the API (README, Deployment).",
            id="blocra.W020",
        )
    ]
