"""Cross-cutting HTTP behaviour, over real HTTP (live_server): error shape, CORS, request ids, headers."""

import http.client
import json
import logging
from urllib.parse import urlparse

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db(transaction=True)


def call(live_server, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    url = urlparse(live_server.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        raw = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, raw
    finally:
        conn.close()


def assert_error_shape(raw: bytes, code: str) -> dict:
    body = json.loads(raw)
    assert body["success"] is False
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body


def test_malformed_json_is_400_with_error_shape(live_server):
    status, headers, raw = call(
        live_server, "POST", "/api/feedback/submit", b'{"name": "Ada", ', {"Content-Type": "application/json"}
    )
    assert status == 400
    assert headers["content-type"] == "application/json"
    assert_error_shape(raw, "request.malformed")


@pytest.mark.parametrize("path", ["/api/feedback/submit", "/api/auth/login", "/api/contracts/analyze"])
def test_deeply_nested_json_is_400(live_server, path):
    body = b"[" * 5000 + b"]" * 5000
    status, _, raw = call(live_server, "POST", path, body, {"Content-Type": "application/json"})
    assert status == 400
    assert_error_shape(raw, "request.malformed")


def test_wrong_content_type_is_415(live_server):
    status, _, raw = call(live_server, "POST", "/api/feedback/submit", b"name=Ada", {"Content-Type": "text/plain"})
    assert status == 415
    assert_error_shape(raw, "request.unsupported_media_type")


def test_validation_error_names_fields(live_server):
    status, _, raw = call(
        live_server,
        "POST",
        "/api/feedback/submit",
        json.dumps({"name": ""}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 400
    body = assert_error_shape(raw, "request.validation_failed")
    assert set(body["errors"]) == {"name", "feedback"}


def test_unknown_api_path_is_json_404(live_server):
    status, headers, raw = call(live_server, "GET", "/api/no/such/thing")
    assert status == 404
    assert headers["content-type"] == "application/json"
    assert_error_shape(raw, "request.not_found")


def test_wrong_method_is_405(live_server):
    status, _, raw = call(live_server, "GET", "/api/feedback/submit")
    assert status == 405
    body = assert_error_shape(raw, "request.method_not_allowed")
    assert "GET" in body["message"]


def test_trailing_slash_is_accepted(live_server):
    status, _, raw = call(
        live_server,
        "POST",
        "/api/feedback/submit/",
        json.dumps({"name": "Ada", "feedback": "Nice"}).encode(),
        {"Content-Type": "application/json"},
    )
    assert status == 201, raw
    assert json.loads(raw) == {"success": True, "message": "Thank you for your feedback!"}


def test_oversized_body_is_413(live_server, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"name": "Ada", "feedback": "x" * 5000}).encode()
    status, _, raw = call(live_server, "POST", "/api/feedback/submit", body, {"Content-Type": "application/json"})
    assert status == 413
    assert_error_shape(raw, "request.too_large")


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.blocra.example"])
def test_cors_preflight_from_allowed_origin(live_server):
    status, headers, _ = call(
        live_server,
        "OPTIONS",
        "/api/feedback/submit",
        headers={
            "Origin": "https://app.blocra.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert status == 200
    assert headers["access-control-allow-origin"] == "https://app.blocra.example"
    assert "authorization" in headers["access-control-allow-headers"]
    assert "POST" in headers["access-control-allow-methods"]


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.blocra.example"])
def test_cors_preflight_from_other_origin_is_not_allowed(live_server):
    _status, headers, _ = call(
        live_server,
        "OPTIONS",
        "/api/feedback/submit",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in headers


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.blocra.example"])
def test_cors_exposes_pagination_and_request_id_headers(live_server):
    _, headers, _ = call(live_server, "GET", "/api/", headers={"Origin": "https://app.blocra.example"})
    exposed = headers["access-control-expose-headers"].lower()
    for name in ("x-total-count", "link", "x-request-id", "retry-after", "etag"):
        assert name in exposed


@pytest.mark.parametrize("path", ["/health", "/api/", "/api/no/such/thing", "/admin/login/"])
def test_every_response_has_request_id_and_security_headers(live_server, path):
    _status, headers, _ = call(live_server, "GET", path)
    assert len(headers["x-request-id"]) >= 16
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_incoming_request_id_is_honoured_and_unsafe_one_replaced(live_server):
    _, headers, _ = call(live_server, "GET", "/health", headers={"X-Request-ID": "req-123.abc"})
    assert headers["x-request-id"] == "req-123.abc"
    _, headers, _ = call(live_server, "GET", "/health", headers={"X-Request-ID": "bad id\twith spaces"})
    assert headers["x-request-id"] != "bad id\twith spaces"
    assert " " not in headers["x-request-id"]


def test_hsts_and_secure_cookies_behind_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/health", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert settings.SESSION_COOKIE_SECURE is True
    assert settings.CSRF_COOKIE_SECURE is True
    plain = client.get("/health")
    assert "Strict-Transport-Security" not in plain


def test_forwarded_proto_marks_request_secure(client, settings):
    settings.SECURE_HSTS_SECONDS = 60
    response = client.get("/health", HTTP_X_FORWARDED_PROTO="https")
    assert response["Strict-Transport-Security"].startswith("max-age=60")


def test_access_log_line_per_request_with_request_id(live_server, caplog):
    caplog.set_level(logging.INFO, logger="blocra.access")
    _, _headers, _ = call(live_server, "GET", "/api/no/such/thing", headers={"X-Request-ID": "trace-me-1"})
    lines = [r for r in caplog.records if r.name == "blocra.access"]
    assert len(lines) == 1
    record = lines[0]
    assert record.request_id == "trace-me-1"
    message = record.getMessage()
    assert message.startswith("GET /api/no/such/thing 404 ")
    assert message.endswith("user=-")


def test_django_request_log_of_an_error_carries_the_request_id(client, caplog):
    # given: a request Django itself logs as failed (an upstream 503), after our middleware returned
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.post(
        "/api/auth/google", {"token": "x"}, content_type="application/json", HTTP_X_REQUEST_ID="trace-503"
    )
    assert response.status_code == 503  # Google sign-in is not configured in tests
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records
    assert {record.request_id for record in records} == {"trace-503"}


@pytest.mark.urls("tests.blocra.failing_urls")
@pytest.mark.parametrize("path", ["/api/test-failing-api", "/api/test-failing-view"])
def test_unhandled_error_is_json_500_without_details(client, path):
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 500
    assert response.json() == {"success": False, "message": "Internal server error.", "code": "server.error"}
    assert b"hunter2" not in response.content


@pytest.mark.urls("tests.blocra.failing_urls")
@pytest.mark.parametrize(
    "path", ["/api/test-database-down-api", "/api/test-database-down-view", "/api/test-database-down-middleware"]
)
def test_database_unavailable_is_json_503_with_retry_after(client, settings, path):
    # a DRF view (the exception handler), a plain view (ApiPathMiddleware), a middleware (handler500)
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.blocra.failing_urls.DatabaseDownMiddleware"]
    client.raise_request_exception = False
    response = client.post(path)
    assert response.status_code == 503
    assert response.json() == {
        "success": False,
        "message": "The database is unavailable right now; try again shortly.",
        "code": "server.database_unavailable",
    }
    assert int(response["Retry-After"]) >= 1


@pytest.mark.urls("tests.blocra.failing_urls")
@pytest.mark.parametrize("path", ["/test-database-down-page", "/admin/test-database-down-middleware"])
def test_database_unavailable_outside_the_api_is_a_plain_503(client, settings, path):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "tests.blocra.failing_urls.DatabaseDownMiddleware"]
    client.raise_request_exception = False
    response = client.get(path)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    assert int(response["Retry-After"]) >= 1
    assert b"connect" not in response.content and b"unexpectedly" not in response.content


def test_feedback_is_rate_limited_with_retry_after(client, settings, fake_clock):
    settings.FEEDBACK_RATE_LIMIT = "2/m"
    payload = {"name": "Ada", "feedback": "hello"}
    statuses = [
        client.post("/api/feedback/submit", payload, content_type="application/json").status_code for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    response = client.post("/api/feedback/submit", payload, content_type="application/json")
    assert response.json()["code"] == "request.rate_limited"
    assert 1 <= int(response["Retry-After"]) <= 60


def test_global_api_rate_limit(client, settings, fake_clock):
    settings.API_RATE_LIMIT = "3/m"
    statuses = [client.get("/api/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/health").status_code == 200  # health is never limited


# --- No holes in the error contract: writes to paths nobody serves, CSRF -----------------------------


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/admin/no-such-thing", "/api/no/such/thing", "/api/bounties/x/y/z"])
def test_write_to_an_unknown_api_path_is_json_404_not_a_csrf_page(live_server, method, path):
    status, headers, raw = call(live_server, method, path, b"{}", {"Content-Type": "application/json"})
    assert status == 404
    assert headers["content-type"] == "application/json"
    assert_error_shape(raw, "request.not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/health", "/health", "/api"])
def test_write_to_a_read_only_api_view_is_json_405(live_server, method, path):
    status, headers, raw = call(live_server, method, path, b"{}", {"Content-Type": "application/json"})
    assert status == 405
    assert headers["content-type"] == "application/json"
    assert "GET" in headers["allow"]
    body = assert_error_shape(raw, "request.method_not_allowed")
    assert method in body["message"]


@pytest.mark.urls("tests.blocra.failing_urls")
def test_csrf_failure_under_api_is_json_403():
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/api/test-cookie-form", {"a": "b"})
    assert response.status_code == 403
    assert response.json()["code"] == "auth.csrf_failed"


def test_csrf_failure_on_the_admin_site_stays_djangos_page(live_server):
    status, headers, raw = call(
        live_server,
        "POST",
        "/admin/login/",
        b"username=a&password=b",
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403
    assert headers["content-type"].startswith("text/html")
    assert b"CSRF verification failed" in raw
