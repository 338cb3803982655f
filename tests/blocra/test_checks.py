"""blocra.checks: the CSRF middleware as the project runs it (a subclass skipping the API's paths)."""

from blocra.checks import csrf_middleware_check


def test_csrf_middleware_check_accepts_the_admin_only_subclass(settings):
    settings.CSRF_COOKIE_SECURE = True
    assert "blocra.admin_middleware.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert csrf_middleware_check() == []


def test_csrf_middleware_check_warns_without_any_csrf_middleware(settings):
    settings.MIDDLEWARE = [path for path in settings.MIDDLEWARE if "Csrf" not in path]
    assert [message.id for message in csrf_middleware_check()] == ["blocra.W003"]


def test_csrf_middleware_check_warns_of_an_insecure_cookie(settings):
    settings.CSRF_COOKIE_SECURE = False
    assert [message.id for message in csrf_middleware_check()] == ["blocra.W016"]
