"""Input validation and output shapes of the admin panel's API (`/api/admin`, `/api/feedback`)."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import ActivityLog, User
from blocra.schema import IP_ADDRESS_SCHEMA, NonEmptyBody
from blocra.strict_fields import StrictCharField
from contracts.serializers.queries import ContractQuerySerializer

MAX_ID = 2**63 - 1


@extend_schema_field(IP_ADDRESS_SCHEMA)
class IpAddressField(serializers.IPAddressField):
    """An IPv4 or IPv6 address, documented as one."""


class FeedbackSubmitSerializer(serializers.Serializer):
    name = StrictCharField(min_length=1, max_length=200, trim_whitespace=True)
    feedback = StrictCharField(min_length=1, max_length=5000, trim_whitespace=True)
    user_email = serializers.EmailField(required=False, allow_null=True, allow_blank=True, max_length=254)


# --- Input ------------------------------------------------------------------------------------------


class AdminLoginSerializer(serializers.Serializer):
    email = serializers.EmailField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=254,
        help_text="The staff account's email; when absent or empty, the server's ADMIN_EMAIL.",
    )
    password = StrictCharField(write_only=True, trim_whitespace=False, max_length=1024)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["email"] = (attrs.get("email") or settings.ADMIN_EMAIL or "").strip().lower()
        return attrs


class UserListQuerySerializer(serializers.Serializer):
    search = StrictCharField(
        required=False, allow_blank=True, max_length=254, help_text="Part of the email, username or wallet address."
    )
    role = serializers.ChoiceField(choices=User.Role.choices, required=False)
    is_active = serializers.BooleanField(required=False, allow_null=True, default=None)


class UserModerateSerializer(NonEmptyBody):
    """At least one of the two (the service says so when none is sent); any other key is refused, so
    that a field this endpoint does not change never looks changed."""

    role = serializers.ChoiceField(choices=User.Role.choices, required=False)
    is_active = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["Unknown field: only role and is_active can be changed here."] for name in unknown}
            )
        return attrs


class QueryLogQuerySerializer(serializers.Serializer):
    user_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=100)


class ActivityQuerySerializer(serializers.Serializer):
    action = StrictCharField(
        required=False, max_length=64, help_text='An exact action, or a prefix ending in "." (`auth.`).'
    )
    actor_id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    target_type = StrictCharField(required=False, max_length=32)
    target_id = StrictCharField(required=False, max_length=64)
    ip = IpAddressField(required=False, help_text="The client's address, exactly.")
    request_id = StrictCharField(required=False, max_length=128)
    since = serializers.DateTimeField(required=False, help_text="RFC 3339; rows at or after it.")
    until = serializers.DateTimeField(required=False, help_text="RFC 3339; rows before it.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        # until == since is an empty range, not a mistake: no row is at or after it and before it.
        if since is not None and until is not None and until < since:
            raise serializers.ValidationError({"until": ["Must not be before since."]})
        return attrs


# --- Output -----------------------------------------------------------------------------------------


ACTOR_SCHEMA = {
    "type": "object",
    "nullable": True,
    "description": "Who did it; null when no one was signed in (or the account is gone).",
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string", "format": "email", "nullable": True},
        "username": {"type": "string", "nullable": True},
    },
    "required": ["id", "email", "username"],
}


# Inline, not a component: OpenAPI 3.0 cannot mark a referenced object nullable.
@extend_schema_field(ACTOR_SCHEMA)
class AdminActorField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: User) -> dict[str, Any]:
        return {"id": value.pk, "email": value.email, "username": value.username}


class AdminActivityEntrySerializer(serializers.ModelSerializer):
    actor = AdminActorField()
    metadata = serializers.DictField(read_only=True)

    class Meta:
        model = ActivityLog
        fields = [
            "id",
            "action",
            "actor",
            "target_type",
            "target_id",
            "ip_address",
            "user_agent",
            "request_id",
            "metadata",
            "created_at",
        ]
        read_only_fields = fields


class AdminUserSummarySerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="pk", read_only=True)
    total_logins = serializers.IntegerField(read_only=True, help_text="Successful sign-ins of any method.")
    total_queries = serializers.IntegerField(read_only=True, help_text="Contract queries run.")
    total_reports = serializers.IntegerField(read_only=True, help_text="Contract analyses run.")
    last_activity = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="The latest activity row of the user, if any."
    )
    recent_activities = AdminActivityEntrySerializer(
        many=True, read_only=True, source="recent_activity_list", help_text="The latest five, newest first."
    )

    class Meta:
        model = User
        fields = [
            "user_id",
            "email",
            "username",
            "role",
            "is_active",
            "total_logins",
            "total_queries",
            "total_reports",
            "last_activity",
            "recent_activities",
        ]
        read_only_fields = fields


class AdminUserDetailSerializer(AdminUserSummarySerializer):
    email_verified = serializers.BooleanField(read_only=True)

    class Meta(AdminUserSummarySerializer.Meta):
        fields = [
            *AdminUserSummarySerializer.Meta.fields,
            "wallet_address",
            "email_verified",
            "is_superuser",
            "created_at",
            "last_login",
        ]
        read_only_fields = fields


class AdminQueryLogSerializer(ContractQuerySerializer):
    """A contract query as `/contracts/queries` shows it, with its user's email."""

    user_email = serializers.EmailField(source="user.email", read_only=True, allow_null=True)

    class Meta(ContractQuerySerializer.Meta):
        fields = ["id", "user_id", "user_email", *ContractQuerySerializer.Meta.fields[2:]]
        read_only_fields = fields


class AdminContractFiguresSerializer(serializers.Serializer):
    contract_address = StrictCharField()
    query_count = serializers.IntegerField()
    unique_users = serializers.IntegerField()


class AdminDashboardStatsSerializer(serializers.Serializer):
    total_users = serializers.IntegerField()
    active_users_today = serializers.IntegerField(help_text="Distinct actors in the activity log since 00:00 UTC.")
    total_queries_today = serializers.IntegerField(help_text="Contract queries since 00:00 UTC.")
    total_reports_today = serializers.IntegerField(help_text="Contract analyses (`contract.analyzed`) since 00:00 UTC.")
    most_queried_contracts = AdminContractFiguresSerializer(many=True, help_text="Top 10 over the last 30 days.")


class AdminTopUserSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="pk", read_only=True)
    total_queries = serializers.IntegerField(read_only=True, help_text="Contract queries over the last 30 days.")
    last_activity = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = User
        fields = ["user_id", "email", "username", "total_queries", "last_activity"]
        read_only_fields = fields


class AdminDashboardSerializer(serializers.Serializer):
    stats = AdminDashboardStatsSerializer()
    recent_activities = AdminActivityEntrySerializer(many=True, help_text="The latest 20 activity rows.")
    top_users = AdminTopUserSerializer(many=True, help_text="Top 10 users by contract queries over the last 30 days.")


class AdminLoginUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(allow_null=True)
    role = serializers.ChoiceField(choices=User.Role.choices)


class AdminLoginResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField(default=True)
    token = StrictCharField(help_text="Access JWT (short-lived).")
    refresh_token = StrictCharField(help_text="Refresh JWT; single use, rotated by /auth/refresh.")
    user = AdminLoginUserSerializer()
