"""WSGI entry point for gunicorn: `gunicorn -c deploy/gunicorn.conf.py blocra.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from blocra.request_bodies import ChunkedBodyLimit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blocra.settings")

# Chunked request bodies are read up to DATA_UPLOAD_MAX_MEMORY_SIZE before Django sees them (its module says why).
application = ChunkedBodyLimit(get_wsgi_application())

# Import every view now rather than on the first request: with gunicorn's preload_app this happens once,
# in the master, and each forked worker answers its first request without importing anything.
get_resolver().url_patterns  # noqa: B018 - loading the URLconf is the point
