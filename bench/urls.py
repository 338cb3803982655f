"""The app's URLs plus `/bench/bare`: a plain Django view through the same middleware, the yardstick."""

from django.http import JsonResponse
from django.urls import path

from blocra.urls import urlpatterns as app_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare), *app_urlpatterns]
