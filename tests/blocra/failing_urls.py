"""The app's URLs plus views that fail on purpose, to reach the 500 and CSRF paths (no input of the
app's own views does by design)."""

from django.http import HttpResponse
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from blocra.urls import urlpatterns as app_urlpatterns


class FailingApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request):
        raise RuntimeError("secret internal detail: password=hunter2")


def failing_view(request):
    raise RuntimeError("secret internal detail: password=hunter2")


def cookie_form_view(request):
    """A plain Django view that is not CSRF-exempt, as a future cookie-backed form under /api would be."""
    return HttpResponse("ok")


urlpatterns = [
    path("api/test-cookie-form", cookie_form_view),
    path("api/test-failing-api", FailingApi.as_view()),
    path("api/test-failing-view", failing_view),
    *app_urlpatterns,
]
