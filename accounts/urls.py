from django.urls import path

from accounts import apis

urlpatterns = [
    path("auth/register", apis.RegisterApi.as_view(), name="auth-register"),
    path("auth/login", apis.LoginApi.as_view(), name="auth-login"),
    path("auth/google", apis.GoogleSignInApi.as_view(), name="auth-google"),
    path("auth/refresh", apis.RefreshApi.as_view(), name="auth-refresh"),
    path("auth/logout", apis.LogoutApi.as_view(), name="auth-logout"),
    path("auth/me", apis.MeApi.as_view(), name="auth-me"),
    path("auth/profile", apis.ProfileApi.as_view(), name="auth-profile"),
    path("auth/upload-profile-image", apis.ProfileImageUploadApi.as_view(), name="auth-upload-profile-image"),
    path("auth/oauth/config", apis.OAuthConfigApi.as_view(), name="auth-oauth-config"),
    # Wallet sign-in (auth/wallet/challenge, auth/wallet, auth/wallet/link) is added with the wallet work.
]
