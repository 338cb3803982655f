"""HTTP API of the accounts app (`/api/auth`): thin views over `accounts.services`."""

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import UnsupportedMediaType
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import profile_pictures, services
from accounts.authentication import authenticated_user, request_session
from accounts.errors import ImageNotMultipart, ImageTooLarge
from accounts.models import User
from accounts.serializers import (
    AuthMessageSerializer,
    AuthResponseSerializer,
    EmailConfirmSerializer,
    GoogleSignInSerializer,
    LoginSerializer,
    LogoutSerializer,
    OAuthConfigSerializer,
    ProfileImageSerializer,
    ProfileImageUploadedSerializer,
    ProfileUpdatedSerializer,
    ProfileUpdateSerializer,
    RefreshSerializer,
    RegisterSerializer,
    UserEnvelopeSerializer,
    UserSerializer,
)
from accounts.signin_limits import signin_attempt
from blocra.ratelimits import enforce_rate_limit

TAGS = ["auth"]


def _error(description: str) -> OpenApiResponse:
    """An error answer: its body is the API's one error shape (blocra.schema)."""
    return OpenApiResponse(description=description)


def _auth_body(user: User, tokens: services.SessionTokens) -> dict:
    return {"success": True, "token": tokens.access, "refresh_token": tokens.refresh, "user": UserSerializer(user).data}


def _user_body(user: User, **extra) -> dict:
    return {"success": True, **extra, "data": {"user": UserSerializer(user).data}}


def confirm_link_template(request) -> str:
    """The link a confirmation mail carries, with `{token}`: the app's page (EMAIL_CONFIRM_URL) or this
    server's own."""
    if settings.EMAIL_CONFIRM_URL:
        return settings.EMAIL_CONFIRM_URL
    return request.build_absolute_uri(reverse("account-email-confirm")) + "?token={token}"


class PublicAuthApi(APIView):
    """Sign-in endpoints need no credentials; a stale token the app still sends must not block them."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class RegisterApi(PublicAuthApi):
    @extend_schema(
        tags=TAGS,
        request=RegisterSerializer,
        responses={
            201: AuthResponseSerializer,
            400: _error("Invalid email, or a password Django's validators refuse."),
            409: _error("Email already registered (`auth.email_taken`)."),
        },
        description="Creates the account and signs it in; a link to confirm the address is mailed to it.",
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, tokens = services.user_register(**serializer.validated_data, link_template=confirm_link_template(request))
        return Response(_auth_body(user, tokens), status=201)


class LoginApi(PublicAuthApi):
    @extend_schema(
        tags=TAGS,
        request=LoginSerializer,
        responses={
            200: AuthResponseSerializer,
            400: _error("Malformed input."),
            401: _error("Wrong email or password (`auth.invalid_credentials`)."),
            429: _error(
                "Too many failed sign-ins from this client, on this email or on an account under attack "
                "(`request.rate_limited`); see Retry-After. A client that has not been failing is not refused."
            ),
            503: _error("The attempt could not be counted (`server.rate_limit_unavailable`): sign-in fails closed."),
        },
    )
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with signin_attempt(request, email=serializer.validated_data["email"]):
            user, tokens = services.user_login(**serializer.validated_data)
        return Response(_auth_body(user, tokens))


class GoogleSignInApi(PublicAuthApi):
    @extend_schema(
        tags=TAGS,
        request=GoogleSignInSerializer,
        responses={
            200: AuthResponseSerializer,
            400: _error("No token sent."),
            401: _error("The ID token failed verification (`auth.invalid_google_token`)."),
            409: _error("The email belongs to an account linked to another Google account."),
            429: _error("Too many sign-in attempts from this address."),
            503: _error(
                "Google sign-in is not configured, Google's keys cannot be fetched, or the attempt could not "
                "be counted (`server.rate_limit_unavailable`)."
            ),
        },
    )
    def post(self, request):
        enforce_rate_limit(request, group="auth.google.ip", key="ip", rate=settings.LOGIN_RATE_LIMIT_IP)
        serializer = GoogleSignInSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, tokens = services.user_google_signin(id_token=serializer.validated_data["token"])
        return Response(_auth_body(user, tokens))


class RefreshApi(PublicAuthApi):
    @extend_schema(
        tags=TAGS,
        request=RefreshSerializer,
        responses={
            200: AuthResponseSerializer,
            400: _error("No refresh_token sent."),
            401: _error("Not a live refresh token (`auth.invalid_refresh_token`)."),
        },
    )
    def post(self, request):
        serializer = RefreshSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user, tokens = services.session_refresh(refresh_token=serializer.validated_data["refresh_token"])
        return Response(_auth_body(user, tokens))


class OAuthConfigApi(PublicAuthApi):
    @extend_schema(tags=TAGS, responses={200: OAuthConfigSerializer})
    def get(self, request):
        return Response(
            {
                "success": True,
                "data": {
                    "google": {"clientId": settings.GOOGLE_CLIENT_ID},
                    "starknet": {"chainId": settings.STARKNET_CHAIN_ID},
                },
            }
        )


class LogoutApi(APIView):
    @extend_schema(
        tags=TAGS,
        request=LogoutSerializer,
        responses={
            200: AuthMessageSerializer,
            401: _error("Not signed in, or the refresh token is not a live one of this user."),
        },
    )
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.session_logout(
            user=authenticated_user(request), refresh_token=serializer.validated_data.get("refresh_token")
        )
        return Response({"success": True, "message": "Logged out successfully"})


class MeApi(APIView):
    @extend_schema(tags=TAGS, responses={200: UserEnvelopeSerializer, 401: _error("Not signed in.")})
    def get(self, request):
        return Response(_user_body(authenticated_user(request)))


class ProfileApi(APIView):
    @extend_schema(tags=TAGS, responses={200: UserEnvelopeSerializer, 401: _error("Not signed in.")})
    def get(self, request):
        return Response(_user_body(authenticated_user(request)))

    @extend_schema(
        tags=TAGS,
        request=ProfileUpdateSerializer,
        responses={
            200: ProfileUpdatedSerializer,
            400: _error("Empty body or invalid field (`profile_picture` must be https or your upload)."),
            401: _error("Not signed in."),
            409: _error("The email belongs to another account (`auth.email_taken`)."),
        },
    )
    def put(self, request):
        return self._update(request)

    @extend_schema(
        tags=TAGS,
        request=ProfileUpdateSerializer,
        responses={
            200: ProfileUpdatedSerializer,
            400: _error("Empty body or invalid field."),
            401: _error("Not signed in."),
            409: _error("The email belongs to another account (`auth.email_taken`)."),
        },
    )
    def patch(self, request):
        return self._update(request)

    def _update(self, request):
        serializer = ProfileUpdateSerializer(data=request.data, context={"user": authenticated_user(request)})
        serializer.is_valid(raise_exception=True)
        user = services.profile_update(
            user=authenticated_user(request),
            changes=serializer.validated_data,
            session=request_session(request),
            link_template=confirm_link_template(request),
        )
        # A new email shows as `pending_email` until confirmed; the message is the one the app knows.
        return Response(_user_body(user, message="Profile updated successfully"))


class ProfileImageUploadApi(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        tags=TAGS,
        request={"multipart/form-data": ProfileImageSerializer},
        responses={
            200: ProfileImageUploadedSerializer,
            400: _error("No file in the field `image`."),
            401: _error("Not signed in."),
            413: _error("The image is larger than the limit (`auth.image_too_large`)."),
            415: _error("Not a PNG, JPEG, WebP or GIF image, or not multipart (`auth.image_unsupported`)."),
        },
    )
    def post(self, request):
        if profile_pictures.upload_body_too_large(request):
            raise ImageTooLarge()
        try:
            serializer = ProfileImageSerializer(data=request.data)
        except UnsupportedMediaType as exc:
            raise ImageNotMultipart() from exc
        serializer.is_valid(raise_exception=True)
        user = services.profile_image_upload(
            user=authenticated_user(request),
            image=serializer.validated_data["image"],
            site_url=request.build_absolute_uri("/"),
        )
        return Response(_user_body(user, profile_picture=user.profile_picture))


class EmailConfirmApi(PublicAuthApi):
    @extend_schema(
        tags=TAGS,
        request=EmailConfirmSerializer,
        responses={
            200: ProfileUpdatedSerializer,
            400: _error("The link is invalid, expired, used or superseded (`auth.invalid_email_token`)."),
            409: _error("Another account took the address meanwhile (`auth.email_taken`)."),
        },
        description=(
            "Confirms an address with the token of the link mailed to it. A changed address becomes the "
            "account's, and every session but the one that asked for the change ends."
        ),
    )
    def post(self, request):
        serializer = EmailConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        outcome = services.email_confirm(token=serializer.validated_data["token"])
        message = "Email address changed" if outcome.changed else "Email address confirmed"
        return Response(_user_body(outcome.user, message=message))


class EmailResendApi(APIView):
    @extend_schema(
        tags=TAGS,
        request=None,
        responses={
            200: AuthMessageSerializer,
            400: _error("No address waits for confirmation (`auth.nothing_to_confirm`)."),
            401: _error("Not signed in."),
            429: _error("Too many links asked for; see Retry-After."),
            503: _error("The request could not be counted against its limit (`server.rate_limit_unavailable`)."),
        },
        description="Mails the confirmation link again: for a pending change, else for the unproven address.",
    )
    def post(self, request):
        user = authenticated_user(request)
        enforce_rate_limit(
            request,
            group="auth.email.resend",
            key=lambda group, req: str(user.pk),
            rate=settings.EMAIL_CONFIRM_RESEND_RATE_LIMIT,
        )
        services.email_change_resend(
            user=user, session=request_session(request), link_template=confirm_link_template(request)
        )
        return Response({"success": True, "message": "Confirmation link sent"})
