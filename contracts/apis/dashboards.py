"""Dashboards: the builder (`/dashboard-builder...`: dashboards, widgets, and visualization suggestions for
the caller's saved queries) and the app's `POST /dashboards`."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user
from contracts import selectors
from contracts.apis.responses import ERRORS, SuccessMessage, envelope
from contracts.serializers.dashboards import (
    AppDashboardCreateSerializer,
    DashboardCreateSerializer,
    DashboardSerializer,
    DashboardWidgetEntrySerializer,
    SuggestionSerializer,
    WidgetCreateSerializer,
    WidgetLayoutSerializer,
    WidgetSerializer,
)
from contracts.serializers.saved_queries import SavedQuerySerializer
from contracts.services import dashboards as dashboard_services

_DashboardCreated = envelope("DashboardCreated", dashboard=DashboardSerializer())
_DASHBOARD_LIMIT = OpenApiResponse(description="Dashboard limit reached (`contracts.dashboard_limit_reached`).")


class DashboardListCreateApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        operation_id="dashboard_builder_list",
        responses={200: envelope("DashboardList", dashboards=DashboardSerializer(many=True)), 401: ERRORS[401]},
    )
    def get(self, request):
        dashboards = selectors.dashboard_list(user=authenticated_user(request))
        return Response({"success": True, "dashboards": DashboardSerializer(dashboards, many=True).data})

    @extend_schema(
        tags=["dashboard-builder"],
        request=DashboardCreateSerializer,
        responses={201: _DashboardCreated, 400: ERRORS[400], 401: ERRORS[401], 409: _DASHBOARD_LIMIT},
    )
    def post(self, request):
        serializer = DashboardCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dashboard = dashboard_services.dashboard_create(user=authenticated_user(request), **serializer.validated_data)
        return Response({"success": True, "dashboard": DashboardSerializer(dashboard).data}, status=201)


class DashboardCreateApi(APIView):
    """`POST /dashboards`: the app's contract-events page saves a dashboard with its widget objects
    (served beside bounties' `GET /dashboards` through blocra.routing)."""

    @extend_schema(
        tags=["dashboards"],
        operation_id="dashboards_create",
        request=AppDashboardCreateSerializer,
        description="Creates a dashboard as `POST /dashboard-builder` does, from the body the app sends: `title` "
        "is its name, `widgets` (the app's widget objects) is kept as its `layout`, `tags` as its tags. Keys "
        "not named here are ignored.",
        responses={201: _DashboardCreated, 400: ERRORS[400], 401: ERRORS[401], 409: _DASHBOARD_LIMIT},
    )
    def post(self, request):
        serializer = AppDashboardCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dashboard = dashboard_services.dashboard_create(user=authenticated_user(request), **serializer.validated_data)
        return Response({"success": True, "dashboard": DashboardSerializer(dashboard).data}, status=201)


class DashboardDetailApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        responses={
            200: envelope(
                "DashboardDetail",
                data=inline_serializer(
                    "DashboardWithWidgets",
                    {"dashboard": DashboardSerializer(), "widgets": DashboardWidgetEntrySerializer(many=True)},
                ),
            ),
            401: ERRORS[401],
            404: ERRORS[404],
        },
    )
    def get(self, request, pk):
        dashboard = selectors.dashboard_get(user=authenticated_user(request), dashboard_id=pk)
        widgets = selectors.dashboard_widget_list(dashboard=dashboard)
        data = {
            "dashboard": DashboardSerializer(dashboard).data,
            "widgets": DashboardWidgetEntrySerializer(widgets, many=True).data,
        }
        return Response({"success": True, "data": data})

    @extend_schema(tags=["dashboard-builder"], responses={200: SuccessMessage, 401: ERRORS[401], 404: ERRORS[404]})
    def delete(self, request, pk):
        dashboard_services.dashboard_delete(user=authenticated_user(request), dashboard_id=pk)
        return Response({"success": True, "message": "Dashboard deleted"})


_WidgetAnswer = envelope("WidgetAnswer", widget=WidgetSerializer())


class WidgetCreateApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        request=WidgetCreateSerializer,
        responses={
            201: _WidgetAnswer,
            400: ERRORS[400],
            401: ERRORS[401],
            404: ERRORS[404],
            409: OpenApiResponse(description="Widget limit of the dashboard reached."),
        },
    )
    def post(self, request, pk):
        serializer = WidgetCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        widget = dashboard_services.widget_create(
            user=authenticated_user(request), dashboard_id=pk, **serializer.validated_data
        )
        return Response({"success": True, "widget": WidgetSerializer(widget).data}, status=201)


class WidgetDetailApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        request=WidgetLayoutSerializer,
        responses={200: _WidgetAnswer, 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404]},
    )
    def put(self, request, pk):
        serializer = WidgetLayoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        widget = dashboard_services.widget_update(
            user=authenticated_user(request), widget_id=pk, **serializer.validated_data
        )
        return Response({"success": True, "widget": WidgetSerializer(widget).data})

    @extend_schema(
        tags=["dashboard-builder"],
        request=WidgetLayoutSerializer,
        responses={200: _WidgetAnswer, 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404]},
        description="Same as PUT: only the fields sent change.",
    )
    def patch(self, request, pk):
        return self.put(request, pk)

    @extend_schema(tags=["dashboard-builder"], responses={200: SuccessMessage, 401: ERRORS[401], 404: ERRORS[404]})
    def delete(self, request, pk):
        dashboard_services.widget_delete(user=authenticated_user(request), widget_id=pk)
        return Response({"success": True, "message": "Widget deleted"})


class BuilderQueryListApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        responses={200: envelope("BuilderQueryList", queries=SavedQuerySerializer(many=True)), 401: ERRORS[401]},
    )
    def get(self, request):
        queries = selectors.saved_query_list(user=authenticated_user(request))
        return Response({"success": True, "queries": SavedQuerySerializer(queries, many=True).data})


class SuggestApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        responses={
            200: envelope(
                "VisualizationSuggestions",
                suggestions=SuggestionSerializer(many=True),
                has_suggestions=serializers.BooleanField(),
            ),
            401: ERRORS[401],
            404: ERRORS[404],
        },
    )
    def get(self, request, query_id):
        report = selectors.saved_query_suggestions(user=authenticated_user(request), query_id=query_id)
        return Response({"success": True, **report})
