"""The app's URLs plus a plain view, under /api and under /account, that tells which request attributes
the middleware set before it ran (blocra.admin_middleware)."""

from django.http import HttpRequest, JsonResponse
from django.urls import path

from blocra.urls import urlpatterns as app_urlpatterns


def request_attributes(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {
            "session": hasattr(request, "session"),
            "user": hasattr(request, "user"),
            "messages": hasattr(request, "_messages"),
            "csrf_checked": getattr(request, "csrf_processing_done", False),
        }
    )


urlpatterns = [
    path("api/test-request-attributes", request_attributes),
    path("account/test-request-attributes", request_attributes),
    *app_urlpatterns,
]
