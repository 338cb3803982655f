"""Forms of the admin site."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ImproperlyConfigured, ValidationError
from rest_framework.exceptions import Throttled

from accounts.selectors import user_by_email
from accounts.services import activity_record
from accounts.signin_limits import signin_attempt
from blocra.ratelimits import RateLimitUnavailable


class AdminLoginForm(AdminAuthenticationForm):
    """The admin site's login under the API's lock-out rule, sharing its counters: a refused client
    sees why and when to try again (`retry_after`, seconds), with its password left unchecked. When the
    rule's counters cannot be reached the login fails closed (`unavailable`). Failed and successful
    sign-ins are recorded in the activity log (`auth.admin_login_failed`, `auth.admin_login`)."""

    retry_after: int | None = None
    unavailable = False

    def clean(self) -> dict:
        email = self.cleaned_data.get("username")
        if email is None or not self.cleaned_data.get("password"):
            return super().clean()
        if self.request is None:
            raise ImproperlyConfigured("AdminLoginForm needs the request: it throttles by the client's address.")
        try:
            with signin_attempt(self.request, email=email):
                try:
                    cleaned = super().clean()
                except ValidationError:
                    self._record_failure(email)
                    raise
        except Throttled as refused:
            self.retry_after = max(1, int(getattr(refused, "wait", None) or 1))
            raise ValidationError(
                "Too many failed sign-ins from this address; try again in %(seconds)d seconds.",
                code="throttled",
                params={"seconds": self.retry_after},
            ) from None
        except RateLimitUnavailable:
            self.unavailable = True
            raise ValidationError(
                "Sign-in cannot be checked against its limits right now; try again shortly.", code="unavailable"
            ) from None
        activity_record(action="auth.admin_login", actor=self.user_cache, metadata={"method": "password"})
        return cleaned

    @staticmethod
    def _record_failure(email: str) -> None:
        email = email.strip().lower()[:254]
        user = user_by_email(email=email)
        activity_record(
            action="auth.admin_login_failed",
            target_type="user" if user is not None else "",
            target_id=user.pk if user is not None else "",
            metadata={"email": email},
        )
