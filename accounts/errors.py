"""Domain errors of the accounts app, each with a stable code (`auth.<snake_case>`; the moderation of
users, which the admin panel's API and the admin site answer, `adminpanel.<snake_case>`).

Starknet node trouble is not here: the API's exception handler answers it (`blocra.errors`).
"""

from blocra.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable, Unauthorized


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


class InvalidEmailToken(BadRequest):
    code = "auth.invalid_email_token"
    message = "This confirmation link is invalid, expired or already used: ask for a new one."


class NothingToConfirm(BadRequest):
    code = "auth.nothing_to_confirm"
    message = "There is no email address waiting for confirmation on this account."


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


# --- Wallet sign-in ---------------------------------------------------------------------------------


class InvalidNonce(Unauthorized):
    code = "auth.invalid_nonce"
    message = "The sign-in challenge is unknown, expired or already used: request a new one."


class InvalidSignature(Unauthorized):
    code = "auth.invalid_signature"
    message = "The signature is not valid for this account and challenge."


class AccountNotDeployed(BadRequest):
    code = "auth.account_not_deployed"
    message = "This account is not deployed on Starknet yet: deploy or activate your account first."


class WalletTaken(Conflict):
    code = "auth.wallet_taken"
    message = "This wallet is already linked to another account."


# --- Moderation of users (accounts.services.moderation) ---------------------------------------------


class AdminRequired(Forbidden):
    code = "adminpanel.admin_required"
    message = "Only admins may change users' roles or activation."


class SuperuserProtected(Forbidden):
    code = "adminpanel.superuser_protected"
    message = "Only a superuser may change a superuser."


class SelfLockout(Conflict):
    code = "adminpanel.self_lockout"
    message = "You cannot demote or deactivate your own account."


class NothingToModerate(BadRequest):
    code = "adminpanel.nothing_to_change"
    message = "Send at least one of role or is_active."


class UserNotFound(NotFound):
    code = "request.not_found"
    message = "No such user."


class NotificationNotFound(NotFound):
    # Another user's notification is "not found" too: the answer must not tell which ids exist.
    code = "notifications.not_found"
    message = "Notification not found."
