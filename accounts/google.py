"""The one client of Google: verifies Google ID tokens against the keys Google publishes.

Keys come from `settings.GOOGLE_CERTS_URL` (a JWKS document), fetched with a timeout and kept in
memory for `GOOGLE_CERTS_CACHE_SECONDS`; an unknown key id triggers one early refetch (Google rotates
its keys), at most once per `_MIN_REFETCH_SECONDS` so forged key ids cannot make us hammer Google.
"""

import http.client
import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings

from accounts.errors import GoogleNotConfigured, GoogleUnavailable, InvalidGoogleToken

_MIN_REFETCH_SECONDS = 60
_MAX_JWKS_BYTES = 256 * 1024


@dataclass(frozen=True)
class GoogleIdentity:
    """The verified claims of a Google ID token that sign-in uses."""

    sub: str
    email: str
    name: str | None
    picture: str | None


@dataclass
class _KeySet:
    keys: dict[str, jwt.PyJWK]
    fetched_at: float


_key_sets: dict[str, _KeySet] = {}
_lock = threading.Lock()


def _fetch_keys(url: str) -> dict[str, jwt.PyJWK]:
    """Download and parse the JWKS at `url`; GoogleUnavailable when it cannot be had."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - URL from settings
    try:
        with urllib.request.urlopen(request, timeout=settings.GOOGLE_CERTS_TIMEOUT) as response:  # noqa: S310
            document = json.loads(response.read(_MAX_JWKS_BYTES + 1)[:_MAX_JWKS_BYTES])
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise GoogleUnavailable() from exc
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document.get("keys", []) if isinstance(document, dict) else []:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or not entry.get("kid"):
            continue
        try:
            keys[entry["kid"]] = jwt.PyJWK(entry, algorithm="RS256")
        except jwt.PyJWTError:
            continue
    if not keys:
        raise GoogleUnavailable()
    return keys


def _signing_key(kid: str) -> jwt.PyJWK | None:
    url = settings.GOOGLE_CERTS_URL
    with _lock:
        cached = _key_sets.get(url)
        if cached is not None:
            age = time.monotonic() - cached.fetched_at
            if age < settings.GOOGLE_CERTS_CACHE_SECONDS and (kid in cached.keys or age < _MIN_REFETCH_SECONDS):
                return cached.keys.get(kid)
        # Held while fetching, so concurrent sign-ins wait for one download instead of each making one.
        cached = _KeySet(keys=_fetch_keys(url), fetched_at=time.monotonic())
        _key_sets[url] = cached
        return cached.keys.get(kid)


def google_verify_id_token(token: str) -> GoogleIdentity:
    """Verify signature (RS256, Google's keys), `iss`, `aud`, `exp` and `email_verified`.

    Raises GoogleNotConfigured without a client id, GoogleUnavailable when the keys cannot be fetched,
    and InvalidGoogleToken for every defect of the token itself.
    """
    client_id = settings.GOOGLE_CLIENT_ID
    if not client_id:
        raise GoogleNotConfigured()
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidGoogleToken() from exc
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str) or not kid:
        raise InvalidGoogleToken()
    key = _signing_key(kid)
    if key is None:
        raise InvalidGoogleToken()
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key.key,
            algorithms=["RS256"],
            audience=client_id,
            issuer=list(settings.GOOGLE_ISSUERS),
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            leeway=30,
        )
    except jwt.PyJWTError as exc:
        raise InvalidGoogleToken() from exc
    email = claims.get("email")
    verified = claims.get("email_verified")
    if not isinstance(email, str) or not email or verified not in (True, "true"):
        raise InvalidGoogleToken("The Google account's email address is not verified.")
    picture = claims.get("picture")
    name = claims.get("name")
    return GoogleIdentity(
        sub=str(claims["sub"]),
        email=email.strip().lower(),
        name=name[:150] if isinstance(name, str) and name else None,
        picture=picture
        if isinstance(picture, str) and picture.startswith("https://") and len(picture) <= 500
        else None,
    )
