"""HTTP API of the admin panel: feedback from the app, and the staff API under `/api/admin`.

Every `/api/admin` endpoint but the login needs a staff account (an active admin or moderator):
anonymous 401, anyone else 403. Moderators read everything; only admins change users.
"""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user
from accounts.services import user_moderate
from accounts.signin_limits import signin_attempt
from adminpanel import selectors
from adminpanel.permissions import IsStaff
from adminpanel.serializers import (
    ActivityQuerySerializer,
    AdminActivityEntrySerializer,
    AdminDashboardSerializer,
    AdminLoginResponseSerializer,
    AdminLoginSerializer,
    AdminQueryLogSerializer,
    AdminUserDetailSerializer,
    AdminUserSummarySerializer,
    FeedbackSubmitSerializer,
    QueryLogQuerySerializer,
    UserListQuerySerializer,
    UserModerateSerializer,
)
from adminpanel.services import admin_login, feedback_create
from blocra.pagination import PAGE_PARAMETERS, HeaderPagination
from blocra.ratelimits import enforce_rate_limit
from blocra.strict_fields import StrictCharField

SuccessMessage = inline_serializer(
    "SuccessMessage", {"success": serializers.BooleanField(), "message": StrictCharField()}
)

ADMIN = ["admin"]
DEFINITIONS = (
    ' "Today" runs from 00:00 UTC of the server clock\'s current day; "the last 30 days" from now minus '
    "30 days. A sign-in is an activity row `auth.login`, `auth.google_login`, `auth.wallet_login` or "
    "`auth.admin_login`; a report is a contract analysis run (activity `contract.analyzed`); a query is a "
    "recorded contract query. `last_activity` is the time of the user's latest activity row, or null."
)
STAFF_ONLY = OpenApiResponse(description="Signed in, but not staff (an active admin or moderator).")
USER_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The user's id.")


def envelope(name: str, data: serializers.Field) -> serializers.Serializer:
    """The schema of a `{"success": true, "data": ...}` answer."""
    return inline_serializer(name, {"success": serializers.BooleanField(), "data": data})


def query_params(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    # A plain dict, not the QueryDict: DRF reads a boolean missing from form-like data as false. A blank
    # value (`?limit=`) is read as not sent, as everywhere in the API (the schema's allowEmptyValue).
    data = {name: value for name, value in request.query_params.dict().items() if value != ""}
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def paginated(
    request: Request, view: APIView, queryset: Any, serializer_class: type[serializers.Serializer]
) -> Response:
    """One page of `queryset` as `{"success": true, "data": [...]}`, with X-Total-Count and Link headers."""
    paginator = HeaderPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response({"success": True, "data": serializer_class(page, many=True).data})


class FeedbackSubmitApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        request=FeedbackSubmitSerializer,
        responses={
            201: SuccessMessage,
            429: OpenApiResponse(description="Too many submissions from this address (`Retry-After`)."),
            503: OpenApiResponse(description="The submission could not be counted (`server.rate_limit_unavailable`)."),
        },
        tags=["feedback"],
    )
    def post(self, request):
        enforce_rate_limit(request, group="feedback", key="ip", rate=settings.FEEDBACK_RATE_LIMIT)
        serializer = FeedbackSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        feedback_create(**serializer.validated_data, user=request.user)
        return Response({"success": True, "message": "Thank you for your feedback!"}, status=201)


class AdminLoginApi(APIView):
    # Sign-in needs no credentials; a stale token the app still sends must not block it.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=ADMIN,
        request=AdminLoginSerializer,
        responses={
            200: AdminLoginResponseSerializer,
            400: OpenApiResponse(description="Malformed input (no password, an email that is not one)."),
            401: OpenApiResponse(
                description="Wrong password, unknown or disabled account, an account that is not staff, or no "
                "email and no ADMIN_EMAIL: one answer for all (`auth.invalid_credentials`)."
            ),
            429: OpenApiResponse(
                description="Too many failed sign-ins (`request.rate_limited`, Retry-After): the API's sign-in "
                "lock-out rule, with the same counters."
            ),
            503: OpenApiResponse(
                description="The attempt could not be counted (`server.rate_limit_unavailable`): sign-in fails closed."
            ),
        },
        summary="Sign a staff account in with its own password",
        description="Tokens as `/auth/login` issues them. Without `email`, the account the server's "
        "ADMIN_EMAIL names signs in.",
    )
    def post(self, request: Request) -> Response:
        serializer = AdminLoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email, password = serializer.validated_data["email"], serializer.validated_data["password"]
        with signin_attempt(request, email=email):
            user, tokens = admin_login(email=email, password=password)
        return Response(
            {
                "success": True,
                "token": tokens.access,
                "refresh_token": tokens.refresh,
                "user": {"id": user.pk, "email": user.email, "role": user.role},
            }
        )


class StaffApi(APIView):
    permission_classes = [IsStaff]


class AdminDashboardApi(StaffApi):
    @extend_schema(
        tags=ADMIN,
        responses={200: envelope("AdminDashboardResponse", AdminDashboardSerializer()), 403: STAFF_ONLY},
        summary="Platform figures for staff",
        description="Users, today's activity, queries and reports, the most queried contracts and the "
        "most active users over the last 30 days, and the latest activity." + DEFINITIONS,
    )
    def get(self, request: Request) -> Response:
        return Response({"success": True, "data": AdminDashboardSerializer(selectors.admin_dashboard()).data})


class AdminUserListApi(StaffApi):
    @extend_schema(
        tags=ADMIN,
        parameters=[UserListQuerySerializer, *PAGE_PARAMETERS],
        responses={200: envelope("AdminUserListResponse", AdminUserSummarySerializer(many=True)), 403: STAFF_ONLY},
        operation_id="admin_users_list",
        summary="Users with their activity figures, newest account first (paginated)",
        description="X-Total-Count and Link headers as every list." + DEFINITIONS,
    )
    def get(self, request: Request) -> Response:
        filters = query_params(UserListQuerySerializer, request)
        return paginated(request, self, selectors.user_admin_list(**filters), AdminUserSummarySerializer)


class AdminUserDetailApi(StaffApi):
    @extend_schema(
        tags=ADMIN,
        parameters=[USER_ID],
        responses={200: envelope("AdminUserResponse", AdminUserDetailSerializer()), 403: STAFF_ONLY},
        summary="One user with their activity figures",
        description=DEFINITIONS.strip(),
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response({"success": True, "data": AdminUserDetailSerializer(selectors.user_admin_get(user_id=pk)).data})

    @extend_schema(
        tags=ADMIN,
        parameters=[USER_ID],
        request=UserModerateSerializer,
        responses={
            200: envelope("AdminUserUpdatedResponse", AdminUserDetailSerializer()),
            400: OpenApiResponse(
                description="Neither role nor is_active sent (`adminpanel.nothing_to_change`), an unknown role, "
                "or another field (`request.validation_failed`)."
            ),
            403: OpenApiResponse(
                description="Not an admin (`adminpanel.admin_required`; moderators only read), or a superuser "
                "changed by someone who is not one (`adminpanel.superuser_protected`)."
            ),
            409: OpenApiResponse(
                description="Admins cannot demote or deactivate themselves (`adminpanel.self_lockout`)."
            ),
        },
        summary="Change a user's role or activation (admins)",
        description="Deactivation ends the user's sessions at once; a role change applies to live sessions at "
        "once (tokens carry no role). Each change is in the activity log: `admin.user_role_change`, "
        "`admin.user_deactivate`, `admin.user_activate`, with `{from, to}`.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        serializer = UserModerateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_moderate(actor=authenticated_user(request), user_id=pk, **serializer.validated_data)
        return Response({"success": True, "data": AdminUserDetailSerializer(selectors.user_admin_get(user_id=pk)).data})


class AdminQueryLogApi(StaffApi):
    @extend_schema(
        tags=ADMIN,
        parameters=[QueryLogQuerySerializer],
        responses={200: envelope("AdminQueryLogResponse", AdminQueryLogSerializer(many=True)), 403: STAFF_ONLY},
        summary="The latest contract queries, newest first, of everyone or one user",
        description="`limit` is 1 to 1000 (default 100); anything else is a 400.",
    )
    def get(self, request: Request) -> Response:
        params = query_params(QueryLogQuerySerializer, request)
        return Response(
            {"success": True, "data": AdminQueryLogSerializer(selectors.query_log_list(**params), many=True).data}
        )


class AdminActivityApi(StaffApi):
    @extend_schema(
        tags=ADMIN,
        parameters=[ActivityQuerySerializer, *PAGE_PARAMETERS],
        responses={200: envelope("AdminActivityResponse", AdminActivityEntrySerializer(many=True)), 403: STAFF_ONLY},
        summary="The activity log, newest first, filtered (paginated)",
        description="Sign-ins, bounty and reward changes, moderation: who, from which address, with which "
        "request id, when. Filters combine; X-Total-Count and Link headers as every list.",
    )
    def get(self, request: Request) -> Response:
        filters = query_params(ActivityQuerySerializer, request)
        return paginated(request, self, selectors.activity_list(**filters), AdminActivityEntrySerializer)
