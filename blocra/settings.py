"""Settings for the BlocRA backend, read from the environment through django-environ.

Every variable is listed in `.env.example` and in the README. With DEBUG off the process refuses to
start when a secret or the host list is missing: no secret has a usable default outside DEBUG.
"""

import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TypedDict
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

from blocra.client_ip import UNIX_SOCKET, parse_trusted_proxies
from blocra.databases import database_settings
from blocra.logging import JSON_FORMATTER

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is a convenience for development; real deployments set the environment.
if env.bool("BLOCRA_READ_DOT_ENV", default=True) and (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DEBUG", default=False)


def _required(name: str, value: object) -> None:
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")


def _whole_number(name: str, default: int) -> int:
    """An integer setting that may be set but empty (as in .env.example): empty means the default."""
    text = env.str(name, default="").strip()
    try:
        return int(text) if text else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from None


# --- Core -------------------------------------------------------------------------------------------
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        _required("SECRET_KEY", SECRET_KEY)
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    if not DEBUG:
        _required("ALLOWED_HOSTS", ALLOWED_HOSTS)
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    "adminpanel.sites.BlocraAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "bounties",
    "contracts",
    "adminpanel",
]

# Django's security.W003 looks for CsrfViewMiddleware by name; the project runs a subclass that skips the
# API's paths (blocra.admin_middleware), which blocra.checks checks instead (blocra.W003, W016).
SILENCED_SYSTEM_CHECKS = ["security.W003"]

MIDDLEWARE = [
    # Outermost, so that a request's time and queries include every other middleware's.
    "blocra.middleware.MetricsMiddleware",
    # Before anything asks whether the request is secure: forwarded headers count from TRUSTED_PROXIES only.
    "blocra.middleware.ForwardedHeadersMiddleware",
    "blocra.middleware.RequestContextMiddleware",
    "blocra.middleware.AccessLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT when no nginx is in front (behind nginx, /static/ never gets here).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "blocra.middleware.ApiPathMiddleware",
    "blocra.ratelimits.ApiRateLimitMiddleware",
    # What only the admin site and the pages under /account/ need: Django's own classes, skipped on the
    # API's paths (/api, /health, /metrics), where views authenticate with bearer tokens and are exempt
    # from CSRF (blocra.admin_middleware).
    "blocra.admin_middleware.SessionMiddleware",
    "blocra.admin_middleware.CommonMiddleware",
    "blocra.admin_middleware.CsrfViewMiddleware",
    "blocra.admin_middleware.AuthenticationMiddleware",
    "blocra.admin_middleware.MessageMiddleware",
    # X-Frame-Options: DENY is one of the security headers every answer carries, the API's too.
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "blocra.urls"
WSGI_APPLICATION = "blocra.wsgi.application"
ASGI_APPLICATION = "blocra.asgi.application"
AUTH_USER_MODEL = "accounts.User"
# ModelBackend signs people in (and is what a session names); the role backend then grants the
# permissions of the admin site's screens by role (admins everything, moderators viewing).
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.backends.RolePermissionBackend",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
APPEND_SLASH = False  # /api paths accept an optional trailing slash (blocra.middleware.ApiPathMiddleware)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------------
# SQLite under DATA_DIR by default; DATABASE_URL names PostgreSQL (postgres://) or MySQL/MariaDB
# (mysql://). blocra/databases.py holds each engine's options.
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "data")))
DATABASES = {
    "default": database_settings(
        env.str("DATABASE_URL", default=""),
        data_dir=DATA_DIR,
        conn_max_age=env.int("DB_CONN_MAX_AGE", default=60),
    )
}
# Where `manage.py backup_db` writes SQLite backups (created when missing).
BACKUP_DIR = Path(env.str("BACKUP_DIR", default="") or DATA_DIR / "backups")

# --- Cache ------------------------------------------------------------------------------------------
# Cached answers and rate-limit counters: never the main database, so a writer holding its lock cannot
# make a request wait to be counted (blocra.cache, blocra.ratelimits).
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_SQLITE_PATH = env.str("CACHE_SQLITE_PATH", default="") or str(DATA_DIR / "cache.db")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="blocra"),
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # A SQLite file of its own, shared by every worker of this machine; increments are atomic.
    CACHES = {
        "default": {
            "BACKEND": "blocra.cache.SQLiteCache",
            "LOCATION": CACHE_SQLITE_PATH,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="blocra"),
            "OPTIONS": {"MAX_ENTRIES": 100_000, "busy_timeout": 1.0},
        }
    }
# Cached answers of the bounty list and detail (bounties.caching): retired by a version bumped on every
# commit that changes them; the TTL is only a safety net (e.g. a bump lost while the cache was down).
RESPONSE_CACHE_ENABLED = env.bool("RESPONSE_CACHE_ENABLED", default=True)
RESPONSE_CACHE_TTL_SECONDS = _whole_number("RESPONSE_CACHE_TTL_SECONDS", 600)
if RESPONSE_CACHE_TTL_SECONDS < 1:
    raise ImproperlyConfigured("RESPONSE_CACHE_TTL_SECONDS must be at least 1.")
# Rate limits (blocra.ratelimits): counters on this cache; an IPv6 client counts as its /64 network.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_IPV6_MASK = 64
# Per-client ceiling on all /api requests; endpoints that attract abuse have tighter ones of their own.
API_RATE_LIMIT = env.str("API_RATE_LIMIT", default="600/m")
FEEDBACK_RATE_LIMIT = env.str("FEEDBACK_RATE_LIMIT", default="5/m")
# The sign-in lock-out rule (accounts.signin_limits): failed email and admin sign-ins per client, per
# client and email address, and per email address from all clients (the ceiling of an account under
# attack); Google sign-in attempts per client.
LOGIN_RATE_LIMIT_IP = env.str("LOGIN_RATE_LIMIT_IP", default="10/m")
LOGIN_RATE_LIMIT_EMAIL = env.str("LOGIN_RATE_LIMIT_EMAIL", default="5/m")
LOGIN_RATE_LIMIT_ACCOUNT = env.str("LOGIN_RATE_LIMIT_ACCOUNT", default="50/h")


# Wallet sign-in (it asks the Starknet node) and challenge creation (it writes a row), per client IP.
WALLET_SIGNIN_RATE_LIMIT = env.str("WALLET_SIGNIN_RATE_LIMIT", default="10/m")
WALLET_CHALLENGE_RATE_LIMIT = env.str("WALLET_CHALLENGE_RATE_LIMIT", default="20/m")

# --- Real time (WebSockets) -------------------------------------------------------------------------
# ws/notifications and ws/bounties/{id} (README, "Real time"), served by the ASGI application
# (blocra.asgi) beside gunicorn's WSGI workers. Events reach the sockets through the channel layer:
# in-memory within one process (`make run`), Redis when REDIS_URL is set, shared by every process and
# machine; without Redis a WSGI worker's events never reach another process's sockets (check blocra.W020).
ASGI_APPLICATION = "blocra.asgi.application"
if REDIS_URL:
    # Redis publish/subscribe: a socket's groups are subscriptions of its process, so nothing has to
    # expire or be cleaned up after a process that died, and an event for a socket that is gone is
    # dropped. A sender publishes once per group, whatever the number of sockets.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # No socket_timeout: a subscriber's connection waits for messages indefinitely. Sends
                # are bounded by blocra.realtime instead.
                "hosts": [{"address": REDIS_URL, "socket_connect_timeout": 2}],
                "prefix": env.str("CACHE_KEY_PREFIX", default="blocra") + ":ws",
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 200}}}
# Per-connection limits: the largest message a client may send (bigger ones close the socket, 1009),
# open sockets per user and per client address (anonymous watchers), and how long a client may stay
# silent before it is closed (4408): clients send {"type": "ping"} more often than that.
WS_MAX_MESSAGE_BYTES = _whole_number("WS_MAX_MESSAGE_BYTES", 4096)
WS_MAX_CONNECTIONS_PER_USER = _whole_number("WS_MAX_CONNECTIONS_PER_USER", 10)
WS_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS = _whole_number("WS_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS", 20)
WS_IDLE_TIMEOUT_SECONDS = _whole_number("WS_IDLE_TIMEOUT_SECONDS", 120)
# How long a ticket from POST /api/notifications/ticket may wait to be used (once).
WS_TICKET_TTL_SECONDS = _whole_number("WS_TICKET_TTL_SECONDS", 30)
for _name in (
    "WS_MAX_MESSAGE_BYTES",
    "WS_MAX_CONNECTIONS_PER_USER",
    "WS_MAX_ANONYMOUS_CONNECTIONS_PER_ADDRESS",
    "WS_IDLE_TIMEOUT_SECONDS",
    "WS_TICKET_TTL_SECONDS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1.")

# --- Auth and passwords -----------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Still accepted, so older hashes verify and are upgraded to Argon2 on the next sign-in.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

JWT_ACCESS_TTL_SECONDS = env.int("JWT_ACCESS_TTL_SECONDS", default=15 * 60)
JWT_REFRESH_TTL_SECONDS = env.int("JWT_REFRESH_TTL_SECONDS", default=7 * 24 * 3600)
JWT_SIGNING_KEY = env.str("JWT_SIGNING_KEY", default="") or SECRET_KEY

from datetime import timedelta  # noqa: E402  (kept next to the only place that needs it)

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=JWT_ACCESS_TTL_SECONDS),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=JWT_REFRESH_TTL_SECONDS),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": JWT_SIGNING_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

ADMIN_EMAIL = env.str("ADMIN_EMAIL", default="")

# --- Activity log -----------------------------------------------------------------------------------
# Days an activity row is kept; `manage.py prune_activity` deletes older ones.
ACTIVITY_RETENTION_DAYS = _whole_number("ACTIVITY_RETENTION_DAYS", 365)
if ACTIVITY_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(
        "ACTIVITY_RETENTION_DAYS must be at least 1 (days an activity row is kept); "
        "to keep rows longer, raise it rather than turning pruning off."
    )

# Days a notification (accounts.Notification) is kept, read or not; `manage.py prune_notifications`
# deletes older ones.
NOTIFICATION_RETENTION_DAYS = _whole_number("NOTIFICATION_RETENTION_DAYS", 180)
if NOTIFICATION_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("NOTIFICATION_RETENTION_DAYS must be at least 1 (days a notification is kept).")

# --- Email: confirmation links for addresses (accounts.services.email) -------------------------------
# EMAIL_URL names the backend: smtp+tls://user:password@host:587, smtps://... (SSL), or consolemail://
# (messages written to the log). DEBUG writes them to the console unless set; production must choose.
_email_url = env.str("EMAIL_URL", default="")
if not _email_url:
    if not DEBUG:
        _required("EMAIL_URL", _email_url)
    _email_url = "consolemail://"
_email = env.email_url_config(_email_url)
EMAIL_BACKEND: str = _email["EMAIL_BACKEND"]
EMAIL_HOST: str = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT: int = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER: str = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD: str = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS: bool = bool(_email.get("EMAIL_USE_TLS", False))
EMAIL_USE_SSL: bool = bool(_email.get("EMAIL_USE_SSL", False))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="BlocRA <no-reply@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# Where a confirmation link points, with {token} for the token: the React app's page, when it has one
# (https://app.blocra.example/confirm-email?token={token}); empty: this server's own page.
EMAIL_CONFIRM_URL = env.str("EMAIL_CONFIRM_URL", default="")
if EMAIL_CONFIRM_URL and "{token}" not in EMAIL_CONFIRM_URL:
    raise ImproperlyConfigured("EMAIL_CONFIRM_URL must contain {token}.")
EMAIL_CONFIRM_TTL_SECONDS = env.int("EMAIL_CONFIRM_TTL_SECONDS", default=2 * 24 * 3600)
EMAIL_CONFIRM_RESEND_RATE_LIMIT = env.str("EMAIL_CONFIRM_RESEND_RATE_LIMIT", default="3/h")
GOOGLE_CLIENT_ID = env.str("GOOGLE_CLIENT_ID", default="")
GOOGLE_CERTS_URL = env.str("GOOGLE_CERTS_URL", default="https://www.googleapis.com/oauth2/v3/certs")
GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
GOOGLE_CERTS_TIMEOUT = env.float("GOOGLE_CERTS_TIMEOUT", default=5.0)
GOOGLE_CERTS_CACHE_SECONDS = env.int("GOOGLE_CERTS_CACHE_SECONDS", default=3600)

# --- Starknet ---------------------------------------------------------------------------------------
STARKNET_RPC_URLS = env.list("STARKNET_RPC_URLS", default=[])
if not DEBUG:
    _required("STARKNET_RPC_URLS", STARKNET_RPC_URLS)
STARKNET_CHAIN_ID = env.str("STARKNET_CHAIN_ID", default="SN_SEPOLIA")
if STARKNET_CHAIN_ID not in ("SN_MAIN", "SN_SEPOLIA"):
    raise ImproperlyConfigured("STARKNET_CHAIN_ID must be SN_MAIN or SN_SEPOLIA.")
STARKNET_RPC_TIMEOUT = env.float("STARKNET_RPC_TIMEOUT", default=10.0)
STARKNET_RPC_CONNECT_TIMEOUT = env.float("STARKNET_RPC_CONNECT_TIMEOUT", default=3.0)
# The bulkhead (blocra/starknet/slots.py, breaker.py): a hung node must not hold every worker. Chain
# operations this machine runs at once, across all worker processes; more are refused at once (503
# `starknet.busy`). Default: half the gunicorn pool (GUNICORN_WORKERS x GUNICORN_THREADS, with
# deploy/gunicorn.conf.py's defaults: a worker per core, at least 2; 4 threads each, 1 for sync workers),
# at least 1; 0 turns the cap off.
_GUNICORN_THREADS = 4 if env.str("GUNICORN_WORKER_CLASS", default="") in ("", "gthread") else 1
_GUNICORN_POOL = _whole_number("GUNICORN_WORKERS", max(2, os.cpu_count() or 1)) * _whole_number(
    "GUNICORN_THREADS", _GUNICORN_THREADS
)
STARKNET_MAX_CONCURRENT_CALLS = _whole_number("STARKNET_MAX_CONCURRENT_CALLS", max(1, _GUNICORN_POOL // 2))
# A node that times out this many operations in a row is skipped for STARKNET_BREAKER_COOLDOWN seconds,
# then tried by one operation again; 0 turns the circuit breaker off.
STARKNET_BREAKER_THRESHOLD = env.int("STARKNET_BREAKER_THRESHOLD", default=3)
STARKNET_BREAKER_COOLDOWN = env.float("STARKNET_BREAKER_COOLDOWN", default=30.0)
# Where this machine's workers share the slots and the breaker's state: a local directory.
STARKNET_STATE_DIR = Path(env.str("STARKNET_STATE_DIR", default="") or DATA_DIR / "starknet")
if STARKNET_MAX_CONCURRENT_CALLS < 0 or STARKNET_BREAKER_THRESHOLD < 0:
    raise ImproperlyConfigured("STARKNET_MAX_CONCURRENT_CALLS and STARKNET_BREAKER_THRESHOLD must be 0 (off) or more.")
if STARKNET_BREAKER_COOLDOWN <= 0:
    raise ImproperlyConfigured("STARKNET_BREAKER_COOLDOWN must be more than 0 seconds.")
STARKNET_SIGNIN_TTL = env.int("STARKNET_SIGNIN_TTL", default=300)
STARKNET_TREASURY_ADDRESS = env.str("STARKNET_TREASURY_ADDRESS", default="")
SIGNIN_APP_NAME = "BlocRA"
# What the wallet shows the user in the SNIP-12 sign-in message: the web app's address and host name.
# The host is a Cairo short string (at most 31 ASCII characters).
STARKNET_SIGNIN_URI = (
    env.str("STARKNET_SIGNIN_URI", default="")
    or next(iter(env.list("CORS_ALLOWED_ORIGINS", default=[])), "")
    or "http://localhost:5173"
)
STARKNET_SIGNIN_DOMAIN = env.str("STARKNET_SIGNIN_DOMAIN", default="") or (urlsplit(STARKNET_SIGNIN_URI).netloc or "")
if not STARKNET_SIGNIN_DOMAIN or len(STARKNET_SIGNIN_DOMAIN) > 31 or not STARKNET_SIGNIN_DOMAIN.isascii():
    raise ImproperlyConfigured(
        "STARKNET_SIGNIN_DOMAIN must be 1 to 31 ASCII characters (set it when the host is longer)."
    )

# Reward tokens by symbol: contract address and decimals, per chain. USDC and USDT differ per chain;
# an operator may override any address with STARKNET_TOKEN_<SYMBOL>_ADDRESS.
_STRK = "0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d"
_ETH = "0x049d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7"
_TOKEN_DEFAULTS = {
    "SN_MAIN": {
        "STRK": (_STRK, 18),
        "ETH": (_ETH, 18),
        "USDC": ("0x033068f6539f8e6e6b131e6b2b814e6c34a5224bc66947c47dab9dfee93b35fb", 6),
        "USDT": ("0x068f5c6a61780768455de69077e07e89787839bf8166decfbf92b645209c0fb8", 6),
    },
    "SN_SEPOLIA": {
        "STRK": (_STRK, 18),
        "ETH": (_ETH, 18),
        "USDC": ("0x0512feac6339ff7889822cb5aa2a86c848e9d392bb0e3e237c008674feed8343", 6),
        "USDT": ("0x02ab8758891e84b968ff11361789070c6b1af2df618d6d2f4a78b0757573c6eb", 6),
    },
}


class TokenConfig(TypedDict):
    address: str
    decimals: int


STARKNET_TOKENS: dict[str, TokenConfig] = {
    symbol: {
        "address": env.str(f"STARKNET_TOKEN_{symbol}_ADDRESS", default="") or address,
        "decimals": decimals,
    }
    for symbol, (address, decimals) in _TOKEN_DEFAULTS[STARKNET_CHAIN_ID].items()
}
# Chain-backed reads: bounded work per request (contracts/services/events.py and analytics.py state the RPC budget).
CONTRACT_EVENTS_DEFAULT_SPAN = env.int("CONTRACT_EVENTS_DEFAULT_SPAN", default=1000)
CONTRACT_EVENTS_MAX_SPAN = env.int("CONTRACT_EVENTS_MAX_SPAN", default=10_000)
CONTRACT_EVENTS_PAGE_SIZE = env.int("CONTRACT_EVENTS_PAGE_SIZE", default=100)
CONTRACT_EVENTS_MAX_PAGES = env.int("CONTRACT_EVENTS_MAX_PAGES", default=1)
ANALYZE_RATE_LIMIT = env.str("ANALYZE_RATE_LIMIT", default="10/m")
_RATE = re.compile(r"^\d+/\d*[smhd]$")
for _name in (
    "API_RATE_LIMIT",
    "FEEDBACK_RATE_LIMIT",
    "LOGIN_RATE_LIMIT_IP",
    "LOGIN_RATE_LIMIT_EMAIL",
    "LOGIN_RATE_LIMIT_ACCOUNT",
    "WALLET_SIGNIN_RATE_LIMIT",
    "WALLET_CHALLENGE_RATE_LIMIT",
    "ANALYZE_RATE_LIMIT",
    "EMAIL_CONFIRM_RESEND_RATE_LIMIT",
):
    if globals()[_name] and not _RATE.match(globals()[_name]):
        raise ImproperlyConfigured(f"{_name} is a rate like 10/m or 2/3s (units s, m, h, d), or empty for no limit.")
ANALYZE_MAX_BLOCKS = env.int("ANALYZE_MAX_BLOCKS", default=20)
ANALYZE_CACHE_SECONDS = env.int("ANALYZE_CACHE_SECONDS", default=60)
CHAIN_STATS_CACHE_SECONDS = env.int("CHAIN_STATS_CACHE_SECONDS", default=15)
# Blocks /api/dashboards/stats reads (with every receipt) per cache period: its figures are over them.
CHAIN_STATS_WINDOW_BLOCKS = _whole_number("CHAIN_STATS_WINDOW_BLOCKS", 10)
if not 1 <= CHAIN_STATS_WINDOW_BLOCKS <= 100:
    raise ImproperlyConfigured("CHAIN_STATS_WINDOW_BLOCKS must be 1 to 100.")
for _name in (
    "CONTRACT_EVENTS_DEFAULT_SPAN",
    "CONTRACT_EVENTS_PAGE_SIZE",
    "CONTRACT_EVENTS_MAX_PAGES",
    "ANALYZE_MAX_BLOCKS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1.")
if not CONTRACT_EVENTS_DEFAULT_SPAN <= CONTRACT_EVENTS_MAX_SPAN:
    raise ImproperlyConfigured("CONTRACT_EVENTS_DEFAULT_SPAN must not exceed CONTRACT_EVENTS_MAX_SPAN.")
if CONTRACT_EVENTS_PAGE_SIZE > 1000:
    raise ImproperlyConfigured("CONTRACT_EVENTS_PAGE_SIZE must be at most 1000 (nodes cap the page size).")

# The largest reward a bounty may offer, in display units of any token; amounts are stored with 22
# integer digits (blocra.amounts), so it stays below 10**22.
try:
    MAX_REWARD_AMOUNT = Decimal(env.str("MAX_REWARD_AMOUNT", default="1000000000000"))
except InvalidOperation:
    MAX_REWARD_AMOUNT = Decimal("NaN")
if not (MAX_REWARD_AMOUNT.is_finite() and 0 < MAX_REWARD_AMOUNT < Decimal("1E+22")):
    raise ImproperlyConfigured("MAX_REWARD_AMOUNT must be a decimal number above 0 and below 10**22.")

# --- HTTP, CORS, security ---------------------------------------------------------------------------
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_CREDENTIALS = False  # bearer tokens, not cookies
CORS_URLS_REGEX = r"^/(api/.*|api|health)$"
# ETag: the cached bounty reads' (bounties.caching), which the app may send back in If-None-Match;
# X-Unread-Count: the inbox's badge (GET /api/notifications).
CORS_EXPOSE_HEADERS = ["X-Total-Count", "Link", "X-Request-ID", "Retry-After", "ETag", "X-Unread-Count"]
CORS_PREFLIGHT_MAX_AGE = 600
from corsheaders.defaults import default_headers  # noqa: E402

CORS_ALLOW_HEADERS = (*default_headers, "x-request-id", "if-none-match")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
# nginx terminates TLS and redirects http:// itself; set this when Django is exposed directly.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^health$", r"^api/health/?$"]
# X-Forwarded-Proto: https marks a request secure, when the proxy in front sent it: the header reaches
# Django only from TRUSTED_PROXIES (blocra.middleware.ForwardedHeadersMiddleware).
if env.bool("USE_X_FORWARDED_PROTO", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# JSON under /api, Django's page on the admin site.
CSRF_FAILURE_VIEW = "blocra.errors.csrf_failure"
# The proxies in front of the app (nginx): X-Forwarded-For is believed only when the direct peer is
# one of them (blocra.client_ip). Networks or addresses, and "unix" for a peer on a Unix socket; empty
# believes no forwarded address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=["127.0.0.1/32", "::1/128", UNIX_SOCKET])
try:
    parse_trusted_proxies(TRUSTED_PROXIES)
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None
# Its predecessor counted hops, which trusts a forged header whenever no proxy is in front.
if env.str("TRUSTED_PROXY_COUNT", default="").strip() not in ("", "0"):
    raise ImproperlyConfigured(
        "TRUSTED_PROXY_COUNT is no longer read: list the proxies' addresses in TRUSTED_PROXIES instead."
    )

# --- Metrics (GET /metrics, blocra.metrics) -----------------------------------------------------------
# Served to clients whose address (as blocra.client_ip tells it, behind TRUSTED_PROXIES) is in these
# networks ("unix": a local process on gunicorn's Unix socket, without a forwarded address), or that send
# `Authorization: Bearer <METRICS_TOKEN>` from anywhere; everyone else gets 403. METRICS_ENABLED=false
# answers 404.
METRICS_ENABLED = env.bool("METRICS_ENABLED", default=True)
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1/32", "::1/128"])
try:
    parse_trusted_proxies(METRICS_ALLOWED_IPS)
except ValueError as error:
    raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {error}") from None
# No default: without it, only METRICS_ALLOWED_IPS may scrape. /metrics has no rate limit (a scraper must
# never be refused), so the token must be too long to guess.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`).")
# prometheus_client reads PROMETHEUS_MULTIPROC_DIR itself, when it is first imported: set, every process
# writes its counts there and /metrics adds them up (deploy/gunicorn.conf.py sets it for gunicorn).
_multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
if not _multiproc_dir:
    # Empty means unset, for prometheus_client too (it would write its files to the working directory).
    os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
elif not os.path.isdir(_multiproc_dir):
    raise ImproperlyConfigured("PROMETHEUS_MULTIPROC_DIR names no directory: create it, or leave it unset.")

DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
PROFILE_IMAGE_MAX_BYTES = env.int("PROFILE_IMAGE_MAX_BYTES", default=2 * 1024 * 1024)

# --- Static and media -------------------------------------------------------------------------------
# `manage.py collectstatic` gathers the admin's and the API docs' assets into STATIC_ROOT, where nginx
# serves them (deploy/nginx/blocra.conf), or the app itself through WhiteNoise when nothing is in front.
STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
# With the manifest, collectstatic also writes each file under a name holding a hash of its content
# (base.1a2b3c4d5e6f.css) and pages link those names, which may then be cached for a year; it also
# writes gzip copies. Pages then fail to render until collectstatic has run, so DEBUG (runserver serves
# the apps' files directly) and the test suite (pyproject.toml) run without it.
STATICFILES_MANIFEST = env.bool("STATICFILES_MANIFEST", default=not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATICFILES_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploads (profile pictures) live on the data volume, beside the SQLite database.
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(DATA_DIR / "media")))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- REST framework and OpenAPI ---------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["accounts.authentication.BearerJWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["blocra.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "blocra.pagination.HeaderPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "blocra.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ]

SPECTACULAR_SETTINGS = {
    "TITLE": "BlocRA API",
    # The WebSockets are no HTTP operations: their protocol is part of the description.
    "DESCRIPTION": "Bounties and on-chain analytics for the Starknet ecosystem.\n\n"
    + (BASE_DIR / "docs" / "websockets.md").read_text(encoding="utf-8"),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets shown by more than one component keep one name (a dotted path, loaded when the schema is).
    "ENUM_NAME_OVERRIDES": {
        "ContractQueryStatusEnum": "contracts.models.ContractQuery.Status",
        "NotificationKindEnum": "accounts.models.Notification.Kind",
    },
    # A path whose methods are served by views of different apps (blocra.routing) documents each
    # method with the view that serves it.
    "PREPROCESSING_HOOKS": ["blocra.routing.schema_endpoints"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "blocra.schema.error_responses",
    ],
}

# --- Logging ----------------------------------------------------------------------------------------
_LOG_LEVELS = {
    "error": "ERROR",
    "warning": "WARNING",
    "warn": "WARNING",
    "info": "INFO",
    "debug": "DEBUG",
    "trace": "DEBUG",
}
LOG_LEVEL_NAME = env.str("LOG_LEVEL", default="info").lower()
if LOG_LEVEL_NAME not in _LOG_LEVELS:
    raise ImproperlyConfigured(f"LOG_LEVEL must be one of {', '.join(sorted(_LOG_LEVELS))}.")
LOG_LEVEL = _LOG_LEVELS[LOG_LEVEL_NAME]
# text: one readable line per record; json: one JSON object per line (blocra.logging.JSON_FORMATTER), for
# a log shipper.
LOG_FORMAT = env.str("LOG_FORMAT", default="").strip().lower() or "text"
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT must be text or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "blocra.logging.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"},
        "json": JSON_FORMATTER,
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        # Access lines come from blocra.access; Django's own per-request lines would say it twice.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # "trace" also logs every SQL statement.
        "django.db.backends": {
            "handlers": ["console"],
            "level": "DEBUG" if LOG_LEVEL_NAME == "trace" else "WARNING",
            "propagate": False,
        },
    },
}

# Serve uploads from Django itself (development, or a single container without nginx in front).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
