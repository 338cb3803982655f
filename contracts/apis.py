"""HTTP API of contract queries, saved queries, dashboards and the dashboard builder.

Thin views: validate with a serializer, call one selector or service, shape the answer.
Endpoints that run queries on Starknet live with the chain client's step, on top of these.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user
from contracts import selectors, services
from contracts.serializers import (
    ContractQuerySerializer,
    DashboardCreateSerializer,
    DashboardSerializer,
    DashboardWidgetEntrySerializer,
    SavedQueryCreateSerializer,
    SavedQuerySerializer,
    SuggestionSerializer,
    WidgetCreateSerializer,
    WidgetLayoutSerializer,
    WidgetSerializer,
)


def _envelope(name: str, **fields: serializers.Field) -> serializers.Serializer:
    """The schema of a `{"success": true, ...}` answer."""
    return inline_serializer(name, {"success": serializers.BooleanField(), **fields})


SuccessMessage = _envelope("ContractsSuccessMessage", message=serializers.CharField())
_ERRORS = {
    400: OpenApiResponse(description="Invalid input (`errors` names the fields)."),
    401: OpenApiResponse(description="Not authenticated."),
    404: OpenApiResponse(description="Not found, or not yours."),
}


# --- Contract queries ---------------------------------------------------------------------------------
@extend_schema(tags=["contracts"], responses={200: ContractQuerySerializer(many=True), 401: _ERRORS[401]})
class ContractQueryListApi(ListAPIView):
    """The caller's contract queries, newest first, paginated (`/contracts/queries` and `/queries`)."""

    serializer_class = ContractQuerySerializer

    def get_queryset(self):
        return selectors.contract_query_list(user=authenticated_user(self.request))


class ContractQueryDetailApi(APIView):
    @extend_schema(tags=["contracts"], responses={200: ContractQuerySerializer, 401: _ERRORS[401], 404: _ERRORS[404]})
    def get(self, request, pk):
        query = selectors.contract_query_get(user=authenticated_user(request), query_id=pk)
        return Response(ContractQuerySerializer(query).data)


class QueryDetailApi(ContractQueryDetailApi):
    """`/queries/{id}`: like `/contracts/queries/{id}`, and the owner or an admin may delete it."""

    @extend_schema(tags=["contracts"], responses={200: SuccessMessage, 401: _ERRORS[401], 404: _ERRORS[404]})
    def delete(self, request, pk):
        services.query_delete(user=authenticated_user(request), query_id=pk)
        return Response({"success": True, "message": "Query deleted"})


# --- Saved queries ------------------------------------------------------------------------------------
class SavedQueryCreateApi(APIView):
    @extend_schema(
        tags=["contracts"],
        request=SavedQueryCreateSerializer,
        responses={
            201: _envelope(
                "SavedQueryCreated", data=inline_serializer("SavedQueryId", {"queryId": serializers.IntegerField()})
            ),
            400: _ERRORS[400],
            401: _ERRORS[401],
            409: OpenApiResponse(description="Saved query limit reached."),
        },
    )
    def post(self, request):
        serializer = SavedQueryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = services.saved_query_create(user=authenticated_user(request), **serializer.validated_data)
        return Response({"success": True, "data": {"queryId": saved.pk}}, status=201)


class SavedQueryListApi(APIView):
    @extend_schema(
        tags=["contracts"],
        responses={
            200: _envelope(
                "SavedQueryList", data=inline_serializer("SavedQueries", {"queries": SavedQuerySerializer(many=True)})
            ),
            401: _ERRORS[401],
        },
    )
    def get(self, request):
        queries = selectors.saved_query_list(user=authenticated_user(request))
        return Response({"success": True, "data": {"queries": SavedQuerySerializer(queries, many=True).data}})


# --- Dashboard builder --------------------------------------------------------------------------------
class DashboardListCreateApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        operation_id="dashboard_builder_list",
        responses={200: _envelope("DashboardList", dashboards=DashboardSerializer(many=True)), 401: _ERRORS[401]},
    )
    def get(self, request):
        dashboards = selectors.dashboard_list(user=authenticated_user(request))
        return Response({"success": True, "dashboards": DashboardSerializer(dashboards, many=True).data})

    @extend_schema(
        tags=["dashboard-builder"],
        request=DashboardCreateSerializer,
        responses={
            201: _envelope("DashboardCreated", dashboard=DashboardSerializer()),
            400: _ERRORS[400],
            401: _ERRORS[401],
            409: OpenApiResponse(description="Dashboard limit reached."),
        },
    )
    def post(self, request):
        serializer = DashboardCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dashboard = services.dashboard_create(user=authenticated_user(request), **serializer.validated_data)
        return Response({"success": True, "dashboard": DashboardSerializer(dashboard).data}, status=201)


class DashboardDetailApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        responses={
            200: _envelope(
                "DashboardDetail",
                data=inline_serializer(
                    "DashboardWithWidgets",
                    {"dashboard": DashboardSerializer(), "widgets": DashboardWidgetEntrySerializer(many=True)},
                ),
            ),
            401: _ERRORS[401],
            404: _ERRORS[404],
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

    @extend_schema(tags=["dashboard-builder"], responses={200: SuccessMessage, 401: _ERRORS[401], 404: _ERRORS[404]})
    def delete(self, request, pk):
        services.dashboard_delete(user=authenticated_user(request), dashboard_id=pk)
        return Response({"success": True, "message": "Dashboard deleted"})


_WidgetAnswer = _envelope("WidgetAnswer", widget=WidgetSerializer())


class WidgetCreateApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        request=WidgetCreateSerializer,
        responses={
            201: _WidgetAnswer,
            400: _ERRORS[400],
            401: _ERRORS[401],
            404: _ERRORS[404],
            409: OpenApiResponse(description="Widget limit of the dashboard reached."),
        },
    )
    def post(self, request, pk):
        serializer = WidgetCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        widget = services.widget_create(user=authenticated_user(request), dashboard_id=pk, **serializer.validated_data)
        return Response({"success": True, "widget": WidgetSerializer(widget).data}, status=201)


class WidgetDetailApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        request=WidgetLayoutSerializer,
        responses={200: _WidgetAnswer, 400: _ERRORS[400], 401: _ERRORS[401], 404: _ERRORS[404]},
    )
    def put(self, request, pk):
        serializer = WidgetLayoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        widget = services.widget_update(user=authenticated_user(request), widget_id=pk, **serializer.validated_data)
        return Response({"success": True, "widget": WidgetSerializer(widget).data})

    @extend_schema(
        tags=["dashboard-builder"],
        request=WidgetLayoutSerializer,
        responses={200: _WidgetAnswer, 400: _ERRORS[400], 401: _ERRORS[401], 404: _ERRORS[404]},
        description="Same as PUT: only the fields sent change.",
    )
    def patch(self, request, pk):
        return self.put(request, pk)

    @extend_schema(tags=["dashboard-builder"], responses={200: SuccessMessage, 401: _ERRORS[401], 404: _ERRORS[404]})
    def delete(self, request, pk):
        services.widget_delete(user=authenticated_user(request), widget_id=pk)
        return Response({"success": True, "message": "Widget deleted"})


class BuilderQueryListApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        responses={200: _envelope("BuilderQueryList", queries=SavedQuerySerializer(many=True)), 401: _ERRORS[401]},
    )
    def get(self, request):
        queries = selectors.saved_query_list(user=authenticated_user(request))
        return Response({"success": True, "queries": SavedQuerySerializer(queries, many=True).data})


class SuggestApi(APIView):
    @extend_schema(
        tags=["dashboard-builder"],
        responses={
            200: _envelope(
                "VisualizationSuggestions",
                suggestions=SuggestionSerializer(many=True),
                has_suggestions=serializers.BooleanField(),
            ),
            401: _ERRORS[401],
            404: _ERRORS[404],
        },
    )
    def get(self, request, query_id):
        report = selectors.saved_query_suggestions(user=authenticated_user(request), query_id=query_id)
        return Response({"success": True, **report})
