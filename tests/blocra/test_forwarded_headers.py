"""X-Forwarded-Proto, -Host and -Port count only from a trusted proxy (TRUSTED_PROXIES), like
X-Forwarded-For: a client talking to the app directly cannot make its request look secure."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from blocra.middleware import ForwardedHeadersMiddleware

FORWARDED = {
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_HOST": "forged.example",
    "HTTP_X_FORWARDED_PORT": "443",
}


def seen_by_the_app(peer: str, **headers: str) -> tuple[bool, dict[str, str]]:
    """What the view behind the middleware sees: request.is_secure() and the forwarded headers left."""
    seen: dict = {}

    def view(request):
        seen["secure"] = request.is_secure()
        seen["meta"] = {name: request.META[name] for name in FORWARDED if name in request.META}
        return HttpResponse()

    ForwardedHeadersMiddleware(view)(RequestFactory().get("/health", REMOTE_ADDR=peer, **headers))
    return seen["secure"], seen["meta"]


def test_forwarded_headers_from_an_untrusted_peer_are_dropped(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32"]
    secure, meta = seen_by_the_app("203.0.113.9", **FORWARDED)
    assert secure is False
    assert meta == {}


@pytest.mark.parametrize(
    ("peer", "trusted"),
    [
        ("127.0.0.1", ["127.0.0.1/32"]),
        ("10.1.2.3", ["10.0.0.0/8"]),
        ("::1", ["::1/128"]),
        ("", ["unix"]),  # gunicorn on a Unix socket: no peer address
    ],
)
def test_forwarded_headers_from_a_trusted_proxy_are_kept(settings, peer, trusted):
    settings.TRUSTED_PROXIES = trusted
    secure, meta = seen_by_the_app(peer, **FORWARDED)
    assert secure is True
    assert meta == FORWARDED


@pytest.mark.parametrize(("peer", "trusted"), [("", ["127.0.0.1/32"]), ("127.0.0.1", []), ("not-an-address", ["unix"])])
def test_forwarded_headers_from_a_peer_missing_from_the_list_are_dropped(settings, peer, trusted):
    settings.TRUSTED_PROXIES = trusted
    secure, meta = seen_by_the_app(peer, **FORWARDED)
    assert secure is False
    assert meta == {}


def test_forged_forwarded_proto_gets_no_hsts_and_is_redirected(client, settings):
    # given: HSTS and Django's own redirect to https on, and a client that is no proxy
    settings.SECURE_HSTS_SECONDS = 60
    settings.SECURE_SSL_REDIRECT = True
    # when: it claims to have come over https
    response = client.get("/admin/login/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")
    # then: its request is plain http, so it is redirected and told nothing about HSTS
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/admin/login/"
    assert "Strict-Transport-Security" not in response
    # while the same header from nginx on loopback marks the request secure
    response = client.get("/admin/login/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=60")
