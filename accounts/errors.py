"""Domain errors of the accounts app, each with a stable code (`auth.<snake_case>`), and the API's
answer to Starknet node trouble (`starknet.*`), shared by every app that talks to the chain (accounts
is the app below all of them)."""

from typing import Any

from blocra.errors import ApiError, BadGateway, BadRequest, Conflict, GatewayTimeout, ServiceUnavailable, Unauthorized
from contracts import starknet


class EmailTaken(Conflict):
    code = "auth.email_taken"
    message = "An account with this email address already exists."


class InvalidCredentials(Unauthorized):
    # One message for an unknown email, a wrong password, an account without a password and a
    # deactivated account: the answer must not tell which accounts exist.
    code = "auth.invalid_credentials"
    message = "Invalid email or password."


class InvalidRefreshToken(Unauthorized):
    code = "auth.invalid_refresh_token"
    message = "The refresh token is invalid, expired or revoked."


class AccountDisabled(Unauthorized):
    code = "auth.account_disabled"
    message = "This account is disabled."


class GoogleNotConfigured(ServiceUnavailable):
    code = "auth.google_not_configured"
    message = "Google sign-in is not configured on this server."


class GoogleUnavailable(ServiceUnavailable):
    code = "auth.google_unavailable"
    message = "Google's signing keys could not be fetched; try again later."


class InvalidGoogleToken(Unauthorized):
    code = "auth.invalid_google_token"
    message = "The Google ID token is invalid."


class GoogleAccountConflict(Conflict):
    code = "auth.google_account_conflict"
    message = "This email address is already linked to another Google account."


class ProfileUpdateEmpty(BadRequest):
    code = "auth.profile_update_empty"
    message = "Send at least one of username, email or profile_picture."


class ImageNotMultipart(ApiError):
    status_code = 415
    code = "request.unsupported_media_type"
    message = 'Send the image as multipart/form-data in the field "image".'


class ImageUnsupported(ApiError):
    status_code = 415
    code = "auth.image_unsupported"
    message = "The file is not a PNG, JPEG, WebP or GIF image."


class ImageTooLarge(ApiError):
    status_code = 413
    code = "auth.image_too_large"
    message = "The image is too large."


class StarknetUnavailable(ServiceUnavailable):
    code = "starknet.unavailable"
    message = starknet.NodeUnavailable.message


class StarknetTimeout(GatewayTimeout):
    code = "starknet.timeout"
    message = starknet.NodeTimeout.message


class StarknetBadGateway(BadGateway):
    code = "starknet.bad_gateway"
    message = starknet.NodeBadResponse.message


def starknet_upstream_error(exc: starknet.NodeError, *, extra: dict[str, Any] | None = None) -> ApiError:
    """Node trouble as the API answers it everywhere: 504 for a timeout, 503 for an unreachable or
    refusing node, 502 for a wrong or malformed answer. Never a domain answer like "not found"."""
    if isinstance(exc, starknet.NodeTimeout):
        return StarknetTimeout(extra=extra)
    if isinstance(exc, starknet.NodeUnavailable):
        return StarknetUnavailable(extra=extra)
    return StarknetBadGateway(extra=extra)
