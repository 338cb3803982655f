"""Django's middleware that only the admin site and the pages under /account/ need, skipped on the API's
paths (`blocra.middleware.is_api_path_info`: /api, /api/..., /health, /metrics).

Sessions, CSRF, Django's authentication, messages and CommonMiddleware have no work on the API: DRF
views are exempt from CSRF and authenticate with bearer tokens alone (DRF sets `request.user` on the
Django request, which the access log reads), and no API answer uses a session, a message, a redirect
to a slash or a user agent ban. Each class here is Django's own, subclassed by `admin_only`, so Django's
checks (the admin site's need for sessions, authentication and messages, in that order) still see them
in MIDDLEWARE. Importing this module imports django.contrib.auth's models: only settings name it.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.middleware.csrf import CsrfViewMiddleware as DjangoCsrfViewMiddleware

from blocra.middleware import is_api_path_info

M = TypeVar("M", bound=type)


def admin_only(middleware: M) -> M:
    """A subclass of the (MiddlewareMixin) middleware class that passes API paths straight through:
    neither its request and response processing nor its view and exception hooks run there."""

    def __call__(self: Any, request: HttpRequest) -> HttpResponseBase:
        if is_api_path_info(request.path_info):
            response: HttpResponseBase = self.get_response(request)
            return response
        return middleware.__call__(self, request)  # type: ignore[no-any-return]

    namespace: dict[str, Callable[..., Any]] = {"__call__": __call__}
    # Only the hooks the class has: Django registers a hook by its presence.
    for hook in ("process_view", "process_exception", "process_template_response"):
        if hasattr(middleware, hook):
            namespace[hook] = _skipped_on_api_paths(getattr(middleware, hook), hook)
    return type(middleware.__name__, (middleware,), {**namespace, "__module__": __name__})  # type: ignore[return-value]


def _skipped_on_api_paths(method: Callable[..., Any], name: str) -> Callable[..., Any]:
    if name == "process_template_response":

        def template_hook(self: Any, request: HttpRequest, response: Any) -> Any:
            return response if is_api_path_info(request.path_info) else method(self, request, response)

        return template_hook

    def hook(self: Any, request: HttpRequest, *args: Any) -> Any:
        return None if is_api_path_info(request.path_info) else method(self, request, *args)

    return hook


SessionMiddleware = admin_only(DjangoSessionMiddleware)
CommonMiddleware = admin_only(DjangoCommonMiddleware)
CsrfViewMiddleware = admin_only(DjangoCsrfViewMiddleware)
AuthenticationMiddleware = admin_only(DjangoAuthenticationMiddleware)
MessageMiddleware = admin_only(DjangoMessageMiddleware)
