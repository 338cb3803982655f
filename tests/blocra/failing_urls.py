"""The app's URLs plus views that fail on purpose, to reach the 500 paths (no input does by design)."""

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


urlpatterns = [
    path("api/test-failing-api", FailingApi.as_view()),
    path("api/test-failing-view", failing_view),
    *app_urlpatterns,
]
