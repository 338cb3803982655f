"""The one page of the accounts app outside the API: where a confirmation link lands when the React app
has no page of its own for it (EMAIL_CONFIRM_URL unset).

Opening the link shows a button; only pressing it (a POST) confirms, so mail scanners that fetch links
confirm nothing.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from accounts import services
from blocra.errors import ApiError

_TEMPLATE = "accounts/confirm_email.html"


@require_http_methods(["GET", "POST"])
def email_confirm_page(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        token = request.GET.get("token", "")
        return render(request, _TEMPLATE, {"token": token, "state": "ask" if token else "missing"})
    try:
        outcome = services.email_confirm(token=request.POST.get("token", "")[:1024])
    except ApiError as exc:
        return render(request, _TEMPLATE, {"state": "refused", "message": exc.message}, status=exc.status_code)
    return render(request, _TEMPLATE, {"state": "done", "email": outcome.user.email, "changed": outcome.changed})
