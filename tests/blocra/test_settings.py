"""Settings refuse to start in production mode without their secrets; LOG_LEVEL maps sensibly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "api.blocra.example",
    "STARKNET_RPC_URLS": "https://rpc.blocra.example/rpc/v0_10",
    "EMAIL_URL": "smtp+tls://mailer:secret@mail.blocra.example:587",
    "BLOCRA_READ_DOT_ENV": "false",
}
PROBE = "import django; django.setup(); from django.conf import settings; print(settings.LOG_LEVEL, settings.DEBUG)"


def run_settings(env: dict[str, str], tmp_path: Path, probe: str = PROBE) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k not in ("DATABASE_URL", "LOG_LEVEL")}
    clean.update({"DJANGO_SETTINGS_MODULE": "blocra.settings", "DATA_DIR": str(tmp_path)}, **env)
    return subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_settings_start_with_every_production_secret(tmp_path):
    result = run_settings(PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["INFO", "False"]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "STARKNET_RPC_URLS", "EMAIL_URL"])
def test_settings_refuse_production_without(missing, tmp_path):
    env = {**PRODUCTION_ENV, missing: ""}
    result = run_settings(env, tmp_path)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_settings_read_the_mail_server_from_email_url(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    clean.update({"DJANGO_SETTINGS_MODULE": "blocra.settings", "DATA_DIR": str(tmp_path)}, **PRODUCTION_ENV)
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.blocra.example",
        "587",
        "mailer",
        "True",
    ]


def test_settings_debug_runs_without_secrets(tmp_path):
    result = run_settings({"DEBUG": "true", "BLOCRA_READ_DOT_ENV": "false"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_settings_read_trusted_proxies(tmp_path):
    probe = "import django; django.setup(); from django.conf import settings; print(settings.TRUSTED_PROXIES)"
    result = run_settings({**PRODUCTION_ENV, "TRUSTED_PROXIES": "10.0.0.0/8,192.0.2.1,unix"}, tmp_path, probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['10.0.0.0/8', '192.0.2.1', 'unix']"


@pytest.mark.parametrize("value", ["10.0.0.1/8", "nginx", "127.0.0.1,*"])
def test_settings_reject_a_malformed_trusted_proxy(value, tmp_path):
    result = run_settings({**PRODUCTION_ENV, "TRUSTED_PROXIES": value}, tmp_path)
    assert result.returncode != 0
    assert "TRUSTED_PROXIES:" in result.stderr
    assert "is not an address" in result.stderr


def test_settings_reject_the_removed_hop_count(tmp_path):
    result = run_settings({**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "1"}, tmp_path)
    assert result.returncode != 0
    assert "list the proxies' addresses in TRUSTED_PROXIES" in result.stderr
    # 0 ("believe no header") is what a development .env holds; it is ignored
    assert run_settings({**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": "0"}, tmp_path).returncode == 0


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("error", "ERROR"),
        ("warning", "WARNING"),
        ("info", "INFO"),
        ("debug", "DEBUG"),
        ("trace", "DEBUG"),
        ("TRACE", "DEBUG"),
    ],
)
def test_settings_log_level_maps(name, level, tmp_path):
    result = run_settings({**PRODUCTION_ENV, "LOG_LEVEL": name}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == level


def test_settings_reject_unknown_log_level(tmp_path):
    result = run_settings({**PRODUCTION_ENV, "LOG_LEVEL": "loud"}, tmp_path)
    assert result.returncode != 0
    assert "LOG_LEVEL must be one of" in result.stderr


def test_settings_trace_logs_sql(tmp_path):
    probe_env = {**PRODUCTION_ENV, "LOG_LEVEL": "trace"}
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DATABASE_URL"}
    clean.update({"DJANGO_SETTINGS_MODULE": "blocra.settings", "DATA_DIR": str(tmp_path)}, **probe_env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.LOGGING['loggers']['django.db.backends']['level'])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "DEBUG"


@pytest.mark.parametrize(
    "name",
    [
        "API_RATE_LIMIT",
        "LOGIN_RATE_LIMIT_EMAIL",
        "LOGIN_RATE_LIMIT_ACCOUNT",
        "ANALYZE_RATE_LIMIT",
        "WALLET_CHALLENGE_RATE_LIMIT",
    ],
)
def test_settings_reject_a_malformed_rate(name, tmp_path):
    result = run_settings({**PRODUCTION_ENV, name: "ten per minute"}, tmp_path)
    assert result.returncode != 0
    assert f"{name} is a rate like 10/m" in result.stderr


@pytest.mark.parametrize("value", ["lots", "NaN", "Infinity", "0", "-1", "1E+22"])
def test_settings_reject_a_max_reward_amount_the_database_cannot_hold(value, tmp_path):
    result = run_settings({**PRODUCTION_ENV, "MAX_REWARD_AMOUNT": value}, tmp_path)
    assert result.returncode != 0
    assert "MAX_REWARD_AMOUNT must be a decimal number above 0 and below 10**22" in result.stderr


def test_settings_accept_the_widest_max_reward_amount(tmp_path):
    widest = "9" * 22 + "." + "9" * 18
    result = run_settings({**PRODUCTION_ENV, "MAX_REWARD_AMOUNT": widest}, tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("value", ["0", "101", "-1", "ten"])
def test_settings_reject_a_chain_stats_window_outside_1_to_100(value, tmp_path):
    result = run_settings({**PRODUCTION_ENV, "CHAIN_STATS_WINDOW_BLOCKS": value}, tmp_path)
    assert result.returncode != 0
    assert "CHAIN_STATS_WINDOW_BLOCKS must be" in result.stderr


@pytest.mark.parametrize(("value", "window"), [("", "10"), ("1", "1"), ("100", "100")])
def test_settings_read_the_chain_stats_window(value, window, tmp_path):
    probe = "import django; django.setup(); from django.conf import settings; print(settings.CHAIN_STATS_WINDOW_BLOCKS)"
    result = run_settings({**PRODUCTION_ENV, "CHAIN_STATS_WINDOW_BLOCKS": value}, tmp_path, probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == window


CAP_PROBE = (
    "import django; django.setup(); from django.conf import settings; print(settings.STARKNET_MAX_CONCURRENT_CALLS)"
)


@pytest.mark.parametrize(
    ("env", "cap"),
    [
        ({"GUNICORN_WORKERS": "3", "GUNICORN_WORKER_CLASS": "sync"}, 1),
        ({"GUNICORN_WORKERS": "3"}, 6),  # gthread workers, 4 threads each by default
        ({"GUNICORN_WORKERS": "9", "GUNICORN_THREADS": "2", "STARKNET_MAX_CONCURRENT_CALLS": ""}, 9),
        ({"GUNICORN_WORKERS": "9", "STARKNET_MAX_CONCURRENT_CALLS": "0"}, 0),
    ],
    ids=["half-the-sync-workers", "half-the-threads", "half-the-pool-when-empty", "off"],
)
def test_settings_chain_call_cap_defaults_to_half_the_gunicorn_pool(env, cap, tmp_path):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "STARKNET_MAX")) and k != "DATABASE_URL"
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "blocra.settings", "DATA_DIR": str(tmp_path)}, **PRODUCTION_ENV, **env)
    result = subprocess.run(
        [sys.executable, "-c", CAP_PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(cap)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"STARKNET_MAX_CONCURRENT_CALLS": "many"}, "STARKNET_MAX_CONCURRENT_CALLS must be a whole number"),
        ({"STARKNET_BREAKER_THRESHOLD": "-1"}, "must be 0 (off) or more"),
        ({"STARKNET_BREAKER_COOLDOWN": "0"}, "STARKNET_BREAKER_COOLDOWN must be more than 0"),
    ],
)
def test_settings_reject_a_bad_bulkhead_setting(env, message, tmp_path):
    result = run_settings({**PRODUCTION_ENV, **env}, tmp_path)
    assert result.returncode != 0
    assert message in result.stderr


CACHE_PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"REDIS_URL": "", "CACHE_SQLITE_PATH": ""}, ["blocra.cache.SQLiteCache", "{data}/cache.db"]),
        ({"REDIS_URL": "", "CACHE_SQLITE_PATH": "/srv/cache/c.db"}, ["blocra.cache.SQLiteCache", "/srv/cache/c.db"]),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/3", "CACHE_SQLITE_PATH": ""},
            ["django.core.cache.backends.redis.RedisCache", "redis://127.0.0.1:6379/3"],
        ),
    ],
)
def test_settings_cache_is_redis_or_a_file_of_its_own(env, expected, tmp_path):
    result = run_settings({**PRODUCTION_ENV, **env}, tmp_path, probe=CACHE_PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [part.format(data=tmp_path) for part in expected]


METRICS_PROBE = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.METRICS_ENABLED, ','.join(s.METRICS_ALLOWED_IPS), repr(s.METRICS_TOKEN), s.LOG_FORMAT)"
)


def test_settings_metrics_default_to_loopback_without_a_token_and_text_logs(tmp_path):
    result = run_settings({**PRODUCTION_ENV, "LOG_FORMAT": ""}, tmp_path, probe=METRICS_PROBE)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "127.0.0.1/32,::1/128", "''", "text"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"LOG_FORMAT": "xml"}, "LOG_FORMAT must be text or json"),
        ({"METRICS_TOKEN": "short-token"}, "METRICS_TOKEN must be at least 32 characters"),
        ({"METRICS_ALLOWED_IPS": "10.0.0.1/8"}, "METRICS_ALLOWED_IPS: '10.0.0.1/8' is not an address"),
        ({"PROMETHEUS_MULTIPROC_DIR": "/nonexistent/blocra-metrics"}, "PROMETHEUS_MULTIPROC_DIR names no directory"),
    ],
)
def test_settings_reject_a_bad_metrics_or_log_setting(env, message, tmp_path):
    result = run_settings({**PRODUCTION_ENV, **env}, tmp_path, probe=METRICS_PROBE)
    assert result.returncode != 0
    assert message in result.stderr
