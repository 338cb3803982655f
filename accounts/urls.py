from django.urls import path

from accounts import wallet_apis

urlpatterns: list = [
    path("auth/wallet/challenge", wallet_apis.WalletChallengeApi.as_view(), name="auth-wallet-challenge"),
    path("auth/wallet", wallet_apis.WalletSigninApi.as_view(), name="auth-wallet"),
    path("auth/wallet/link", wallet_apis.WalletLinkApi.as_view(), name="auth-wallet-link"),
]
