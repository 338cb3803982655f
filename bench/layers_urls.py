"""The bare reference site of bench/layers.py: one JsonResponse view at /bench/bare, nothing else."""

from django.http import HttpRequest, JsonResponse
from django.urls import path


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare)]
