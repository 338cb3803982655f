"""Contract queries (`/contracts/query`, `/contracts/queries`, `/queries`): run one on Starknet now, list
and read the caller's, delete one."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user
from contracts import selectors
from contracts.apis.responses import ERRORS, UPSTREAM, SuccessMessage
from contracts.serializers.queries import ContractQueryRunSerializer, ContractQuerySerializer
from contracts.services import queries as query_services


@extend_schema(tags=["contracts"], responses={200: ContractQuerySerializer(many=True), 401: ERRORS[401]})
class ContractQueryListApi(ListAPIView):
    """The caller's contract queries, newest first, paginated (`/contracts/queries` and `/queries`)."""

    serializer_class = ContractQuerySerializer

    def get_queryset(self):
        return selectors.contract_query_list(user=authenticated_user(self.request))


class ContractQueryDetailApi(APIView):
    @extend_schema(tags=["contracts"], responses={200: ContractQuerySerializer, 401: ERRORS[401], 404: ERRORS[404]})
    def get(self, request, pk):
        query = selectors.contract_query_get(user=authenticated_user(request), query_id=pk)
        return Response(ContractQuerySerializer(query).data)


class QueryDetailApi(ContractQueryDetailApi):
    """`/queries/{id}`: like `/contracts/queries/{id}`, and the owner or an admin may delete it."""

    @extend_schema(tags=["contracts"], responses={200: SuccessMessage, 401: ERRORS[401], 404: ERRORS[404]})
    def delete(self, request, pk):
        query_services.query_delete(user=authenticated_user(request), query_id=pk)
        return Response({"success": True, "message": "Query deleted"})


class ContractQueryRunMixin:
    """POST runs a contract query: `/contracts/query`, and `/queries` next to its list."""

    @extend_schema(
        tags=["contracts"],
        request=ContractQueryRunSerializer,
        responses={
            201: ContractQuerySerializer,
            400: OpenApiResponse(
                description="Invalid input, or the contract refused the call (`contracts.entry_point_not_found`, "
                "`contracts.call_reverted`, `contracts.unexpected_answer`; the failed query's id is `query_id`)."
            ),
            401: ERRORS[401],
            404: OpenApiResponse(
                description="No such contract, transaction or block (`contracts.contract_not_found`, "
                "`contracts.transaction_not_found`, `contracts.block_not_found`; `query_id` names the failed query)."
            ),
            **UPSTREAM,
        },
        description="Runs the query on Starknet now and records it, failed or not. Every failure after "
        "validation carries the recorded query's id as `query_id`.",
    )
    def post(self, request):
        serializer = ContractQueryRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        query = query_services.contract_query_run(user=authenticated_user(request), **serializer.validated_data)
        return Response(ContractQuerySerializer(query).data, status=201)


class ContractQueryRunApi(ContractQueryRunMixin, APIView):
    """`POST /contracts/query` (the caller's list lives at `/contracts/queries`)."""


class QueryListRunApi(ContractQueryRunMixin, ContractQueryListApi):
    """`/queries`: GET lists the caller's queries, POST runs one."""
