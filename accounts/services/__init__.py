"""Writes of the accounts app, by concern: the activity log every app writes, JWT sessions, sign-in by
password, Google and Starknet wallet, profile changes, and the moderation of users. Each function owns
its transaction."""

from accounts.services.activity import activity_record
from accounts.services.admins import AdminAccountOutcome, AdminAccountRefused, admin_account_ensure
from accounts.services.email import (
    EmailConfirmation,
    email_change_request,
    email_change_resend,
    email_confirm,
    email_verification_send,
)
from accounts.services.google import user_google_signin
from accounts.services.moderation import user_moderate
from accounts.services.passwords import password_check, user_login, user_register
from accounts.services.profile import ProfileChanges, profile_image_upload, profile_update
from accounts.services.sessions import (
    FlushedTokens,
    SessionTokens,
    session_create,
    session_logout,
    session_refresh,
    sessions_flush_expired,
    sessions_revoke_all,
)
from accounts.services.wallet import (
    wallet_challenge_issue,
    wallet_challenges_purge,
    wallet_link,
    wallet_signin,
)

__all__ = [
    "AdminAccountOutcome",
    "AdminAccountRefused",
    "EmailConfirmation",
    "FlushedTokens",
    "ProfileChanges",
    "SessionTokens",
    "activity_record",
    "admin_account_ensure",
    "email_change_request",
    "email_change_resend",
    "email_confirm",
    "email_verification_send",
    "password_check",
    "profile_image_upload",
    "profile_update",
    "session_create",
    "session_logout",
    "session_refresh",
    "sessions_flush_expired",
    "sessions_revoke_all",
    "user_google_signin",
    "user_login",
    "user_moderate",
    "user_register",
    "wallet_challenge_issue",
    "wallet_challenges_purge",
    "wallet_link",
    "wallet_signin",
]
