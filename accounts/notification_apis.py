"""HTTP API of the in-app inbox (`/api/notifications`): the signed-in user's notifications, and marking
them read. Each view scopes to the caller: another user's notification is a 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import Token

from accounts import selectors
from accounts.authentication import authenticated_user
from accounts.notification_serializers import NOTIFICATION, NotificationListQuerySerializer, NotificationSerializer
from accounts.services.notifications import notification_mark_read, notifications_mark_all_read
from accounts.socket_auth import socket_ticket_issue
from blocra.pagination import PAGE_PARAMETERS, HeaderPagination

TAGS = ["notifications"]
UNREAD_COUNT_HEADER = "X-Unread-Count"


class NotificationListApi(APIView):
    @extend_schema(
        parameters=[
            NotificationListQuerySerializer,
            *PAGE_PARAMETERS,
            OpenApiParameter(
                UNREAD_COUNT_HEADER,
                OpenApiTypes.INT,
                OpenApiParameter.HEADER,
                response=[200],
                description="How many of your notifications are unread, whatever the filter and page: the badge.",
            ),
        ],
        responses={200: NotificationSerializer(many=True)},
        tags=TAGS,
        summary="My notifications, newest first (pagination, `unread` filter, unread count in a header)",
        description=(
            "A bare array with `X-Total-Count` (rows matching the filter) and `Link`, like every list, and "
            f"`{UNREAD_COUNT_HEADER}`: all your unread notifications."
        ),
    )
    def get(self, request: Request) -> Response:
        user = authenticated_user(request)
        unread = NotificationListQuerySerializer(data=request.query_params)
        unread.is_valid(raise_exception=True)
        paginator = HeaderPagination()
        page = paginator.paginate_queryset(
            selectors.notification_list(user=user, unread=unread.validated_data["unread"]), request, view=self
        )
        response = paginator.get_paginated_response([NOTIFICATION.from_instance(item) for item in page])
        # With `?unread=true` the total is the unread count: no second COUNT.
        unread_count = (
            paginator.total if unread.validated_data["unread"] else selectors.notification_unread_count(user=user)
        )
        response[UNREAD_COUNT_HEADER] = str(unread_count)
        return response


class NotificationReadApi(APIView):
    @extend_schema(
        request=None,
        responses={
            200: NotificationSerializer,
            404: OpenApiResponse(description="No such notification of yours (`notifications.not_found`)."),
        },
        tags=TAGS,
        summary="Mark one of my notifications read (idempotent: a read one keeps its `read_at`)",
    )
    def post(self, request: Request, pk: int) -> Response:
        notification = notification_mark_read(user=authenticated_user(request), notification_id=pk)
        return Response(NOTIFICATION.from_instance(notification))


class NotificationReadAllApi(APIView):
    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "NotificationsMarkedRead",
                {
                    "success": serializers.BooleanField(),
                    "data": inline_serializer(
                        "NotificationsMarkedReadData",
                        {"marked_read": serializers.IntegerField(help_text="How many were unread until now.")},
                    ),
                },
            )
        },
        tags=TAGS,
        summary="Mark all my notifications read",
    )
    def post(self, request: Request) -> Response:
        marked = notifications_mark_all_read(user=authenticated_user(request))
        return Response({"success": True, "data": {"marked_read": marked}})


class NotificationTicketApi(APIView):
    @extend_schema(
        request=None,
        responses={
            201: inline_serializer(
                "SocketTicket",
                {
                    "success": serializers.BooleanField(),
                    "data": inline_serializer(
                        "SocketTicketData",
                        {
                            "ticket": serializers.CharField(help_text="Add to the socket's URL as `?ticket=`."),
                            "expires_in": serializers.IntegerField(help_text="Seconds it may wait to be used."),
                        },
                    ),
                },
            )
        },
        tags=TAGS,
        summary="A one-use ticket opening my notifications socket (ws/notifications?ticket=...)",
        description=(
            "For clients that cannot send the access token as the subprotocol `bearer.<JWT>`: the ticket goes in "
            "the socket's URL, opens one socket within `expires_in` seconds, and never again. The socket ends when "
            "the access token of this request would have expired (see the description of this API: Real time)."
        ),
    )
    def post(self, request: Request) -> Response:
        user = authenticated_user(request)
        if not isinstance(request.auth, Token):  # only a bearer JWT authenticates the API
            raise NotAuthenticated()
        ticket = socket_ticket_issue(user=user, token=request.auth)
        return Response(
            {"success": True, "data": {"ticket": ticket.ticket, "expires_in": ticket.expires_in}}, status=201
        )
