"""Bearer JWT authentication: malformed bearer values are anonymous, bad or revoked JWTs are 401."""

import re
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import Token

from accounts.models import User

# header.payload.signature, each base64url: anything else ("null", "undefined", junk) is no token.
_JWT_SHAPE = re.compile(rb"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")

# The user's `token_generation` when the token was issued; tokens without it count as generation 0.
GENERATION_CLAIM = "gen"
# The session a token belongs to: set at sign-in, carried by every refresh of that session.
SESSION_CLAIM = "sid"


class BearerJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, except that a bearer value that is not a JWT at all counts as no
    credentials, so the React app's `Bearer null` still reads public endpoints. A well-formed but
    expired, forged or revoked token is refused with 401."""

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, Token] | None:  # type: ignore[override]
        header = self.get_header(request)
        # "Bearer" with no value, or with several, is as malformed as "Bearer null".
        if header is None or len(header.split()) != 2:
            return None
        raw_token = self.get_raw_token(header)
        if raw_token is None or not _JWT_SHAPE.match(raw_token):
            return None
        return super().authenticate(request)

    # simplejwt declares its users as an unbound TypeVar, which no override can satisfy.
    def get_user(self, validated_token: Token) -> AbstractBaseUser:  # type: ignore[override]
        """The token's user (401 when unknown or inactive), refusing tokens issued before the user's
        last sign-out everywhere or deactivation."""
        user = super().get_user(validated_token)
        if not isinstance(user, User) or not token_current(user=user, claims=validated_token):
            raise AuthenticationFailed("Token has been revoked.", code="token_revoked")
        return user


class OptionalBearerJWTAuthentication(BearerJWTAuthentication):
    """For public endpoints that note who asks when they can (the activity log): a valid token names
    the user; an expired, revoked or forged one leaves the request anonymous instead of a 401."""

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, Token] | None:  # type: ignore[override]
        try:
            return super().authenticate(request)
        except AuthenticationFailed:  # simplejwt's, whose InvalidToken is one too
            return None


def token_current(*, user: User, claims: Token | Any) -> bool:
    """Whether a token with these claims is of the user's current generation, or belongs to the one
    session kept when a credential change ended the others."""
    if claims.get(GENERATION_CLAIM, 0) == user.token_generation:
        return True
    return bool(user.kept_session) and claims.get(SESSION_CLAIM) == user.kept_session


def request_session(request: Request | Any) -> str | None:
    """The session id of the token that authenticated `request`, if any."""
    token = getattr(request, "auth", None)
    sid = token.get(SESSION_CLAIM) if isinstance(token, Token) else None
    return sid if isinstance(sid, str) and sid else None


def authenticated_user(request: Request | Any) -> User:
    """The signed-in user of a request to a view that requires authentication (401 otherwise)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user
