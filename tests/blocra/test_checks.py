"""blocra.checks: the CSRF middleware as the project runs it (a subclass skipping the API's paths), and the
channel layer the WebSockets need in production."""

from django.core.management import call_command

from blocra.checks import channel_layer_check, csrf_middleware_check


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


def test_channel_layer_check_warns_of_the_in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    assert [message.id for message in channel_layer_check()] == ["blocra.W020"]


def test_channel_layer_check_accepts_redis(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:6379/0"]},
        }
    }
    assert channel_layer_check() == []


def test_channel_layer_check_is_a_deploy_check_only(settings, capsys):
    # manage.py check (every run of the server, `make run` among them) stays quiet; --deploy warns.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    call_command("check")
    assert "blocra.W020" not in capsys.readouterr().err
    call_command("check", deploy=True)
    assert "blocra.W020" in capsys.readouterr().err
