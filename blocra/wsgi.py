"""WSGI entry point for gunicorn: `gunicorn -c deploy/gunicorn.conf.py blocra.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blocra.settings")

application = get_wsgi_application()

# Import every view now rather than on the first request: with gunicorn's preload_app this happens once,
# in the master, and each forked worker answers its first request without importing anything.
get_resolver().url_patterns  # noqa: B018 - loading the URLconf is the point
