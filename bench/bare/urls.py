"""The bare site's one route: `GET /` answers a small JSON object."""

from django.http import HttpRequest, JsonResponse
from django.urls import path


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("", bare)]
