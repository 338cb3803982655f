"""Static files without nginx: collectstatic's hashed and gzipped copies, served by the app itself
(WhiteNoise) with long caching for hashed names; and the suite's own setting, which needs no collectstatic."""

import gzip
import json
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client, override_settings

PRODUCTION_STORAGE = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    """A STATIC_ROOT collected once with the production storage (hashed names, gzip copies)."""
    root = tmp_path_factory.mktemp("static")
    storages = {**django_settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    with override_settings(STATIC_ROOT=root, STATICFILES_MANIFEST=True, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


@pytest.fixture
def collected(settings, static_root):
    """The production static settings over `static_root`: its manifest (name -> hashed name)."""
    settings.STATIC_ROOT = static_root
    settings.STATICFILES_MANIFEST = True
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STORAGE}
    return json.loads((static_root / "staticfiles.json").read_text())["paths"]


@pytest.mark.django_db
def test_app_serves_collected_static_files_with_long_caching_for_hashed_names(collected, settings):
    # given: a client of a fresh handler (WhiteNoise indexes STATIC_ROOT when the app starts)
    client = Client()
    hashed = collected["admin/css/base.css"]
    # when: the admin's stylesheet is asked for by its hashed name, gzip accepted
    response = client.get(f"/static/{hashed}", HTTP_ACCEPT_ENCODING="gzip")
    # then: the gzip copy, cacheable for ever, with the request id and the security headers
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    body = gzip.decompress(b"".join(response.streaming_content))
    assert body == (settings.STATIC_ROOT / hashed).read_bytes()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    # and the unhashed name is served too, but only briefly cached (it changes with the next release)
    plain = client.get("/static/admin/css/base.css")
    assert plain.status_code == 200
    assert plain["Cache-Control"] == "max-age=60, public"


@pytest.mark.django_db
def test_admin_pages_link_the_hashed_static_names(collected, client):
    page = client.get("/admin/login/").content.decode()
    assert f"/static/{collected['admin/css/base.css']}" in page


def test_suite_runs_with_plain_static_names(settings):
    # The suite never runs collectstatic (pyproject.toml): pages link plain names, and render.
    assert settings.STATICFILES_MANIFEST is False
    assert settings.STORAGES["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
