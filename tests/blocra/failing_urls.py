"""The app's URLs plus views that fail on purpose, to reach the 500 and CSRF paths (no input of the
app's own views does by design)."""

from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_protect
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from blocra.urls import handler400, handler403, handler404, handler500  # noqa: F401 - this URLconf's own too
from blocra.urls import urlpatterns as app_urlpatterns


class FailingApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def get(self, request):
        raise RuntimeError("secret internal detail: password=hunter2")


def failing_view(request):
    raise RuntimeError("secret internal detail: password=hunter2")


class DatabaseDownApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    def post(self, request):
        raise OperationalError("database is locked")


def database_down_view(request):
    raise OperationalError("server closed the connection unexpectedly")


class DatabaseDownMiddleware:
    """Fails as a middleware whose query meets a database that is gone (a session or user lookup)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.endswith("/test-database-down-middleware"):
            raise OperationalError("could not connect to server")
        return self.get_response(request)


@csrf_protect
def cookie_form_view(request):
    """A plain Django view protected from CSRF, as a future cookie-backed form under /api would have to
    be: CsrfViewMiddleware does not run on the API's paths (blocra.admin_middleware)."""
    return HttpResponse("ok")


urlpatterns = [
    path("api/test-cookie-form", cookie_form_view),
    path("api/test-failing-api", FailingApi.as_view()),
    path("api/test-failing-view", failing_view),
    path("api/test-database-down-api", DatabaseDownApi.as_view()),
    path("api/test-database-down-view", database_down_view),
    path("test-database-down-page", database_down_view),
    *app_urlpatterns,
]
