"""The environment every bench serves the app in: production settings (DEBUG off), a throw-away data
directory, no Starknet node, and nothing of the caller's that would point the server elsewhere."""

import os

HOST = "127.0.0.1"
_CALLERS_SETTINGS = ("DATABASE_URL", "REDIS_URL", "GUNICORN_", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_", "BLOCRA_")


def callers_env() -> dict[str, str]:
    """The caller's environment without what would point the servers elsewhere or tune gunicorn."""
    return {k: v for k, v in os.environ.items() if not k.startswith(_CALLERS_SETTINGS)}


def production_env(data_dir: str, **overrides: str) -> dict[str, str]:
    """The caller's environment without its server settings, plus production settings on `data_dir`;
    `overrides` last (the settings module, the log level, the rate limits, the database...)."""
    env = callers_env()
    env.update(
        DJANGO_SETTINGS_MODULE="blocra.settings",
        BLOCRA_READ_DOT_ENV="false",
        DEBUG="false",
        SECRET_KEY="bench-only-" + "x" * 50,
        ALLOWED_HOSTS=HOST,
        STARKNET_RPC_URLS="http://127.0.0.1:9/unused",
        EMAIL_URL="consolemail://",
        DATA_DIR=data_dir,
    )
    env.update(overrides)
    return env
