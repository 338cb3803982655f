"""The bare reference site `make bench` compares the app against: one view, no apps, no middleware, no
database. Served by gunicorn with deploy/gunicorn.conf.py, exactly as the app is."""

SECRET_KEY = "bench-bare-site-" + "x" * 50  # signs nothing: the site has no sessions or forms
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.bare.urls"
WSGI_APPLICATION = "bench.bare.wsgi.application"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
