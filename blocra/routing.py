"""One path served by views of different apps, one view per HTTP method.

`/api/dashboards` answers GET from bounties (the caller's counts) and POST from contracts (a new
dashboard). Apps never import each other, and the blocra layer imports none: `blocra/urls.py` names
each method's view by its dotted path, as `include()` names an app's URLconf:

    path("api/dashboards", method_router({"GET": "bounties.apis.DashboardCountsApi",
                                          "POST": "contracts.apis.dashboards.DashboardCreateApi"},
                                         name="Dashboards"))

Each method runs its own view (a DRF APIView) unchanged: its authentication, permissions, throttles,
parsers and error answers. HEAD runs the GET view. OPTIONS and every method no view serves are
answered by the router itself: OPTIONS with DRF's metadata, the others with the API's JSON 405. Every
answer's `Allow` header lists exactly the methods the path serves.

For the OpenAPI schema, `schema_endpoints` (a drf-spectacular preprocessing hook) hands each method's
operation to its own view, so each is documented with its own auth, request and responses.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.module_loading import import_string
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

if TYPE_CHECKING:
    from rest_framework.views import AsView, GenericView

    View = AsView[GenericView]
    Endpoint = tuple[str, str, str, Any]

_ROUTABLE = ("GET", "POST", "PUT", "PATCH", "DELETE")


class MethodRouter(APIView):
    """Dispatches each request to the view serving its method (set `routes` in a subclass; see
    `method_router`). Credentials are left to those views, so an unserved method is a 405 whoever asks."""

    routes: ClassVar[Mapping[str, View]] = MappingProxyType({})
    authentication_classes = ()
    permission_classes = (AllowAny,)

    def _allowed_methods(self) -> list[str]:
        served = {*self.routes, "OPTIONS", *(("HEAD",) if "GET" in self.routes else ())}
        return [method.upper() for method in self.http_method_names if method.upper() in served]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        method = request.method or ""
        view = self.routes.get("GET" if method == "HEAD" else method)
        if view is None:
            # OPTIONS: DRF's metadata of this path; any other method: the JSON 405 with Allow.
            return super().dispatch(request, *args, **kwargs)
        response = view(request, *args, **kwargs)
        # The view's own Allow names its methods alone; this path serves more.
        response["Allow"] = ", ".join(self.allowed_methods)
        return response


def method_router(routes: Mapping[str, str], *, name: str) -> View:
    """The view function of one path whose methods (`"GET"`, `"POST"`, ...) each run their own DRF
    APIView, named by dotted path (imported when the URLconf loads). `name` names the path in OPTIONS
    answers.

    Raises ImproperlyConfigured for no route, an unknown method, a path that names no APIView, or a view
    that does not handle the method it is given.
    """
    table: dict[str, View] = {}
    for method, dotted_path in routes.items():
        upper = method.upper()
        if upper not in _ROUTABLE:
            raise ImproperlyConfigured(f"method_router routes {', '.join(_ROUTABLE)}, not {method!r}.")
        try:
            view_class = import_string(dotted_path)
        except ImportError as exc:
            raise ImproperlyConfigured(f"method_router: {exc}") from exc
        if not (isinstance(view_class, type) and issubclass(view_class, APIView)):
            raise ImproperlyConfigured(f"method_router: {dotted_path} is not a DRF APIView.")
        if not callable(getattr(view_class, upper.lower(), None)):
            raise ImproperlyConfigured(f"method_router: {dotted_path} does not handle {upper}.")
        table[upper] = view_class.as_view()
    if not table:
        raise ImproperlyConfigured("method_router needs at least one route.")
    router: type[MethodRouter] = type(
        f"{name.replace(' ', '')}MethodRouter", (MethodRouter,), {"routes": MappingProxyType(table), "name": name}
    )
    return router.as_view()


def schema_endpoints(endpoints: list[Endpoint], **kwargs: Any) -> list[Endpoint]:
    """drf-spectacular PREPROCESSING_HOOKS entry: each method of a routed path is documented by the view
    that serves it, not by the router."""
    expanded: list[Endpoint] = []
    for path, path_regex, method, callback in endpoints:
        router = getattr(callback, "cls", None)
        if isinstance(router, type) and issubclass(router, MethodRouter):
            callback = router.routes[method]
        expanded.append((path, path_regex, method, callback))
    return expanded
