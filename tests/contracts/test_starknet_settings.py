"""The sign-in message settings: the site name must be a Cairo short string."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "print(settings.STARKNET_SIGNIN_URI, settings.STARKNET_SIGNIN_DOMAIN)"
)


def run_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    names = ("STARKNET_SIGNIN_URI", "STARKNET_SIGNIN_DOMAIN", "CORS_ALLOWED_ORIGINS", "DATABASE_URL")
    clean = {k: v for k, v in os.environ.items() if k not in names}
    clean.update(
        {"DJANGO_SETTINGS_MODULE": "blocra.settings", "DATA_DIR": str(tmp_path), "DEBUG": "true"},
        BLOCRA_READ_DOT_ENV="false",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60
    )


def test_signin_site_defaults_to_the_first_cors_origin(tmp_path):
    result = run_settings(tmp_path, CORS_ALLOWED_ORIGINS="https://app.blocra.io,https://other.example")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://app.blocra.io", "app.blocra.io"]


def test_signin_site_defaults_to_the_dev_server(tmp_path):
    result = run_settings(tmp_path)
    assert result.stdout.split() == ["http://localhost:5173", "localhost:5173"]


def test_signin_domain_longer_than_a_short_string_is_refused(tmp_path):
    result = run_settings(tmp_path, STARKNET_SIGNIN_URI="https://a-very-long-subdomain.blocra-bounties.example")
    assert result.returncode != 0
    assert "STARKNET_SIGNIN_DOMAIN must be 1 to 31 ASCII characters" in result.stderr


def test_signin_domain_can_be_set_for_a_long_host(tmp_path):
    result = run_settings(
        tmp_path,
        STARKNET_SIGNIN_URI="https://a-very-long-subdomain.blocra-bounties.example",
        STARKNET_SIGNIN_DOMAIN="blocra-bounties.example",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "blocra-bounties.example"
