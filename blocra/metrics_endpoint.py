"""GET /metrics: the Prometheus text of blocra.metrics, for the scraper alone.

Allowed: a client whose address, as blocra.client_ip tells it (X-Forwarded-For only from
TRUSTED_PROXIES, so a request nginx forwards from the internet is judged by its real client), lies in
METRICS_ALLOWED_IPS (loopback by default; `unix` for a local process on gunicorn's Unix socket), or one
sending `Authorization: Bearer <METRICS_TOKEN>` from anywhere. Everyone else: 403 in the API's error
shape. METRICS_ENABLED=false: 404. Not under /api, so the per-client API limit never refuses a scrape.
"""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from blocra.client_ip import UNKNOWN_IP, client_ip, parse_address, parse_trusted_proxies
from blocra.errors import api_methods, json_error_response
from blocra.metrics import metrics_exposition


def metrics_token_matches(request: HttpRequest) -> bool:
    """True when METRICS_TOKEN is set and the request carries it as a bearer token (compared in
    constant time)."""
    token: str = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def metrics_client_allowed(request: HttpRequest) -> bool:
    """True when the client's address is in METRICS_ALLOWED_IPS (or it is a local process on the Unix
    socket, without a forwarded address, and `unix` is listed)."""
    allowed = parse_trusted_proxies(settings.METRICS_ALLOWED_IPS)
    address = client_ip(request)
    if address == UNKNOWN_IP:
        return (
            allowed.unix_socket and not request.META.get("REMOTE_ADDR") and not request.headers.get("X-Forwarded-For")
        )
    parsed = parse_address(address)
    return parsed is not None and allowed.trusts(parsed)


@api_methods("GET")
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_ENABLED:
        return json_error_response("Not found.", "request.not_found", 404)
    if not (metrics_token_matches(request) or metrics_client_allowed(request)):
        return json_error_response(
            "Metrics are served to allowed addresses or with the metrics token.", "auth.forbidden", 403
        )
    body, content_type = metrics_exposition(request.headers.get("Accept", ""))
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
