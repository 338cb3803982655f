"""Saved queries (`/contracts/save-query`, `/contracts/saved-queries`)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user
from contracts import selectors
from contracts.apis.responses import ERRORS, envelope
from contracts.serializers.saved_queries import SavedQueryCreateSerializer, SavedQuerySerializer
from contracts.services import saved_queries as saved_query_services


class SavedQueryCreateApi(APIView):
    @extend_schema(
        tags=["contracts"],
        request=SavedQueryCreateSerializer,
        description="Saves a query as the app's contract-events page sends it. `contracts` items are address "
        "strings or `{address, name}` objects (an address given twice keeps the first name given); `chain` is "
        "matched without regard to case; `contractInfo` is kept with the query; other keys are ignored. The "
        "stored `query` holds `contracts`, `contractNames` (address -> name), `fromDate`, `toDate`, `events`, "
        "`stats` and `contractInfo`.",
        responses={
            201: envelope(
                "SavedQueryCreated", data=inline_serializer("SavedQueryId", {"queryId": serializers.IntegerField()})
            ),
            400: ERRORS[400],
            401: ERRORS[401],
            409: OpenApiResponse(description="Saved query limit reached."),
        },
    )
    def post(self, request):
        serializer = SavedQueryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        saved = saved_query_services.saved_query_create(user=authenticated_user(request), **serializer.validated_data)
        return Response({"success": True, "data": {"queryId": saved.pk}}, status=201)


class SavedQueryListApi(APIView):
    @extend_schema(
        tags=["contracts"],
        responses={
            200: envelope(
                "SavedQueryList", data=inline_serializer("SavedQueries", {"queries": SavedQuerySerializer(many=True)})
            ),
            401: ERRORS[401],
        },
    )
    def get(self, request):
        queries = selectors.saved_query_list(user=authenticated_user(request))
        return Response({"success": True, "data": {"queries": SavedQuerySerializer(queries, many=True).data}})
