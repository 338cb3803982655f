"""Input validation and output shapes of the auth API (`/api/auth`)."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from rest_framework import serializers

from accounts import profile_pictures
from accounts.models import User
from blocra.schema import NonEmptyBody
from blocra.strict_fields import StrictCharField

# --- Output -----------------------------------------------------------------------------------------


class UserSerializer(serializers.ModelSerializer):
    """The contract's `User`, with where its address stands: proven or not, and a change waiting."""

    email_verified = serializers.BooleanField(
        read_only=True, help_text="Whether the owner of `email` confirmed it (a link mailed to it, or Google)."
    )
    pending_email = serializers.EmailField(
        read_only=True,
        allow_null=True,
        help_text="A new address waiting for its confirmation link; `email` stays the account's until then.",
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "username",
            "wallet_address",
            "role",
            "profile_picture",
            "created_at",
            "email_verified",
            "pending_email",
        ]
        read_only_fields = fields


class AuthResponseSerializer(serializers.Serializer):
    """The contract's `AuthResponse`."""

    success = serializers.BooleanField(default=True)
    token = StrictCharField(help_text="Access JWT (short-lived).")
    refresh_token = StrictCharField(help_text="Refresh JWT; single use, rotated by /auth/refresh.")
    user = UserSerializer()


class UserDataSerializer(serializers.Serializer):
    user = UserSerializer()


class UserEnvelopeSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    data = UserDataSerializer()  # type: ignore[assignment]  # the API names this field "data"


class ProfileUpdatedSerializer(UserEnvelopeSerializer):
    message = StrictCharField()


class ProfileImageUploadedSerializer(UserEnvelopeSerializer):
    profile_picture = StrictCharField()


class AuthMessageSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    message = StrictCharField()


class GoogleConfigSerializer(serializers.Serializer):
    clientId = StrictCharField(allow_blank=True)  # camelCase: the app reads this name


class StarknetConfigSerializer(serializers.Serializer):
    chainId = serializers.ChoiceField(choices=["SN_MAIN", "SN_SEPOLIA"])  # camelCase: the app reads this name


class OAuthConfigDataSerializer(serializers.Serializer):
    google = GoogleConfigSerializer()
    starknet = StarknetConfigSerializer()


class OAuthConfigSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    data = OAuthConfigDataSerializer()  # type: ignore[assignment]  # the API names this field "data"


# --- Input ------------------------------------------------------------------------------------------


def _normalise_email(value: str) -> str:
    return value.strip().lower()


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(write_only=True, trim_whitespace=False, max_length=1024)
    username = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=150)

    def validate_email(self, value: str) -> str:
        return _normalise_email(value)

    def validate(self, attrs: dict) -> dict:
        # Django's validators compare the password with the email and username, hence the unsaved user.
        candidate = User(email=attrs["email"], username=attrs.get("username") or None)
        try:
            validate_password(attrs["password"], user=candidate)
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"password": list(exc.messages)}) from exc
        return attrs


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(write_only=True, trim_whitespace=False, max_length=1024)

    def validate_email(self, value: str) -> str:
        return _normalise_email(value)


class GoogleSignInSerializer(serializers.Serializer):
    token = StrictCharField(max_length=8192, help_text="The Google ID token (a JWT) from Google Identity Services.")


class RefreshSerializer(serializers.Serializer):
    refresh_token = StrictCharField(max_length=8192)


class LogoutSerializer(serializers.Serializer):
    refresh_token = StrictCharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=8192,
        help_text="The refresh token to revoke; without it every session of the user is revoked.",
    )


_https_url = URLValidator(schemes=["https"])


class ProfileUpdateSerializer(NonEmptyBody):
    """PUT and PATCH alike: every field optional, at least one required. Needs `user` in the context."""

    username = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=150)
    email = serializers.EmailField(required=False, max_length=254)
    profile_picture = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=500)

    def validate_username(self, value: str | None) -> str | None:
        return value or None

    def validate_email(self, value: str) -> str:
        return _normalise_email(value)

    def validate_profile_picture(self, value: str | None) -> str | None:
        if not value:
            return None
        # One of our uploads may only be kept, never taken from another account: replacing a picture
        # deletes the file it names.
        if profile_pictures.uploaded_picture_name(value) is not None:
            if value != self.context["user"].profile_picture:
                raise serializers.ValidationError("Only your own uploaded picture can be used.")
            return value
        try:
            _https_url(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError("Must be an https URL or your uploaded picture.") from exc
        return value


class EmailConfirmSerializer(serializers.Serializer):
    token = StrictCharField(max_length=1024, help_text="The token of the confirmation link.")


class ProfileImageSerializer(serializers.Serializer):
    image = serializers.FileField(allow_empty_file=False, help_text="PNG, JPEG, WebP or GIF, at most 2 MB.")
