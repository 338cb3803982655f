"""The Django admin site: Django's own, whose login follows the API's lock-out rule
(`accounts.signin_limits`, through `adminpanel.forms.AdminLoginForm`)."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse


class BlocraAdminSite(admin.AdminSite):
    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        """Django's login page; a client the lock-out rule refuses gets it back with the reason, as a
        429 with Retry-After, or as a 503 when the rule's counters cannot be reached (it fails closed)."""
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        retry_after = getattr(form, "retry_after", None)
        if retry_after is not None:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        elif getattr(form, "unavailable", False):
            response.status_code = 503
        return response


class BlocraAdminConfig(AdminConfig):
    """`django.contrib.admin` with `BlocraAdminSite` as `admin.site` (INSTALLED_APPS names this)."""

    default_site = "adminpanel.sites.BlocraAdminSite"

    def ready(self) -> None:
        super().ready()
        # The form imports the user model, so it cannot be named while the apps load.
        from adminpanel.forms import AdminLoginForm

        admin.site.login_form = AdminLoginForm
