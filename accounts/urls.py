from django.urls import path

import blocra.converters  # noqa: F401 (registers the `row_id` path converter)
from accounts import apis, notification_apis, wallet_apis

urlpatterns = [
    path("auth/register", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/login", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/google", apis.GoogleSignInApi.as_view(), name="auth-google"),
    path("auth/refresh", apis.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me", apis.MeApi.as_view(), name="auth-me"),
    path("auth/email/confirm", apis.EmailConfirmApi.as_view(), name="auth-email-confirm"),
    path("auth/email/resend", apis.EmailResendApi.as_view(), name="auth-email-resend"),
    path("auth/profile", apis.ProfileApi.as_view(), name="auth-profile"),
    path("auth/upload-profile-image", apis.ProfileImageUploadApi.as_view(), name="auth-upload-profile-image"),
    path("auth/oauth/config", apis.OAuthConfigApi.as_view(), name="auth-oauth-config"),
    path("auth/wallet/challenge", wallet_apis.WalletChallengeApi.as_view(), name="auth-wallet-challenge"),
    path("auth/wallet", wallet_apis.WalletSigninApi.as_view(), name="auth-wallet"),
    path("auth/wallet/link", wallet_apis.WalletLinkApi.as_view(), name="auth-wallet-link"),
    path("notifications", notification_apis.NotificationListApi.as_view(), name="notification-list"),
    # Fixed words before <row_id:pk>, though ids match only digits.
    path("notifications/ticket", notification_apis.NotificationTicketApi.as_view(), name="notification-ticket"),
    path("notifications/read-all", notification_apis.NotificationReadAllApi.as_view(), name="notification-read-all"),
    path("notifications/<row_id:pk>/read", notification_apis.NotificationReadApi.as_view(), name="notification-read"),
]
