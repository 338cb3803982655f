"""URL root: health, metrics, the API of every app under /api, OpenAPI schema and docs, the Django admin."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from blocra import errors
from blocra.health import api_root, health
from blocra.metrics_endpoint import metrics_view
from blocra.routing import method_router

handler400 = errors.handler400
handler403 = errors.handler403
handler404 = errors.handler404
handler500 = errors.handler500

urlpatterns = [
    path("health", health, name="health"),
    path("api/health", health, name="api-health"),
    path("metrics", metrics_view, name="metrics"),
    path("api", api_root, name="api-root"),
    path("api/", api_root),
    path("api/schema", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # One path, two apps: the caller's counts (bounties) and a dashboard sent by the app (contracts).
    path(
        "api/dashboards",
        method_router(
            {"GET": "bounties.apis.DashboardCountsApi", "POST": "contracts.apis.dashboards.DashboardCreateApi"},
            name="Dashboards",
        ),
        name="dashboards",
    ),
    path("api/", include("accounts.urls")),
    path("api/", include("bounties.urls")),
    path("api/", include("contracts.urls")),
    path("api/", include("adminpanel.urls")),
    # Anything else under /api is a JSON 404, in DEBUG too.
    re_path(r"^api/.*$", errors.api_not_found),
    path("account/", include("accounts.page_urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    )
