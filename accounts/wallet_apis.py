"""HTTP endpoints of Starknet wallet sign-in: challenge, sign-in, link."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user, request_session
from accounts.serializers import AuthResponseSerializer, UserEnvelopeSerializer, UserSerializer
from accounts.services import wallet
from accounts.wallet_serializers import ChallengeQuerySerializer, ChallengeResponseSerializer, WalletProofSerializer
from blocra.ratelimits import enforce_rate_limit
from blocra.schema import ACCOUNT_ADDRESS_SCHEMA

_ERRORS = {
    400: OpenApiResponse(description="Invalid input, or the account is not deployed (`auth.account_not_deployed`)."),
    401: OpenApiResponse(description="Unknown, expired or used challenge, or an invalid signature."),
    502: OpenApiResponse(description="The Starknet node answered incorrectly (`starknet.bad_gateway`)."),
    503: OpenApiResponse(
        description="No Starknet node is reachable (`starknet.unavailable`), or this server runs as many "
        "Starknet calls as it allows (`starknet.busy`); see Retry-After."
    ),
    504: OpenApiResponse(description="The Starknet node did not answer in time (`starknet.timeout`)."),
}


class WalletChallengeApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_wallet_challenge",
        parameters=[
            OpenApiParameter("address", ACCOUNT_ADDRESS_SCHEMA, required=True, description="Starknet account address."),
            OpenApiParameter("purpose", OpenApiTypes.STR, enum=["signin", "link"], description="Default `signin`."),
        ],
        responses={
            200: ChallengeResponseSerializer,
            400: OpenApiResponse(description="Invalid address."),
            429: OpenApiResponse(description="Too many challenges requested from this address; see Retry-After."),
            503: OpenApiResponse(
                description="The request could not be counted against its limit (`server.rate_limit_unavailable`)."
            ),
        },
        summary="Issue a single-use SNIP-12 sign-in challenge for a wallet",
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        enforce_rate_limit(
            request, group="auth.wallet_challenge.ip", key="ip", rate=settings.WALLET_CHALLENGE_RATE_LIMIT
        )
        query = ChallengeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        issued = wallet.wallet_challenge_issue(**query.validated_data)
        data = {
            "nonce": issued.challenge.nonce,
            "typed_data": issued.typed_data,
            "expires_at": issued.challenge.expires_at,
        }
        return Response(ChallengeResponseSerializer({"success": True, "data": data}).data)


class WalletSigninApi(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="auth_wallet_signin",
        request=WalletProofSerializer,
        responses={
            200: AuthResponseSerializer,
            **_ERRORS,
            429: OpenApiResponse(description="Too many wallet sign-in attempts from this address; see Retry-After."),
            503: OpenApiResponse(
                description="No Starknet node is reachable (`starknet.unavailable`), this server runs as many "
                "Starknet calls as it allows (`starknet.busy`; see Retry-After), or the attempt could not be "
                "counted against its limit (`server.rate_limit_unavailable`)."
            ),
        },
        summary="Sign in with a signature of the challenge, checked by the account contract (SNIP-6)",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        enforce_rate_limit(request, group="auth.wallet_signin.ip", key="ip", rate=settings.WALLET_SIGNIN_RATE_LIMIT)
        proof = WalletProofSerializer(data=request.data)
        proof.is_valid(raise_exception=True)
        user, tokens = wallet.wallet_signin(
            address=proof.validated_data["wallet_address"],
            nonce=proof.validated_data["nonce"],
            signature=proof.validated_data["signature"],
        )
        body = {"success": True, "token": tokens.access, "refresh_token": tokens.refresh, "user": user}
        return Response(AuthResponseSerializer(body).data)


class WalletLinkApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="auth_wallet_link",
        request=WalletProofSerializer,
        responses={
            200: UserEnvelopeSerializer,
            **_ERRORS,
            409: OpenApiResponse(description="The wallet is linked to another account (`auth.wallet_taken`)."),
        },
        summary="Prove a wallet and link it to the signed-in account",
        tags=["auth"],
    )
    def post(self, request: Request) -> Response:
        proof = WalletProofSerializer(data=request.data)
        proof.is_valid(raise_exception=True)
        user = wallet.wallet_link(
            user=authenticated_user(request),
            address=proof.validated_data["wallet_address"],
            nonce=proof.validated_data["nonce"],
            signature=proof.validated_data["signature"],
            session=request_session(request),
        )
        return Response({"success": True, "data": {"user": UserSerializer(user).data}})
