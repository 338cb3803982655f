"""HTTP API of the endpoints that read Starknet: running a contract query, events, analysis, stats.

Thin views over contracts/chain.py and contracts/analytics.py. Definitive chain answers arrive as API
errors with a `contracts.*` code (404/400); node trouble is answered 502/503/504 by the exception handler. A query
that failed on the chain is still recorded; its id comes back as `query_id` in the error body.
"""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user
from blocra.ratelimits import enforce_rate_limit
from contracts import analytics, chain
from contracts.apis import ContractQueryListApi
from contracts.chain_serializers import (
    ChainStatsQuerySerializer,
    ContractAnalyzeSerializer,
    ContractEventsSerializer,
    ContractQueryRunSerializer,
)
from contracts.serializers import ContractQuerySerializer

_UPSTREAM = {
    502: OpenApiResponse(description="The Starknet node answered incorrectly (`starknet.bad_gateway`)."),
    503: OpenApiResponse(description="No Starknet node is reachable (`starknet.unavailable`)."),
    504: OpenApiResponse(description="The Starknet node did not answer in time (`starknet.timeout`)."),
}
_BAD_REQUEST = OpenApiResponse(description="Invalid input (`errors` names the fields).")
_UNAUTHORIZED = OpenApiResponse(description="Not authenticated.")


def _string(**kwargs) -> serializers.CharField:
    return serializers.CharField(**kwargs)


_Events = inline_serializer(
    "ContractEvent",
    many=True,
    fields={
        "block_number": serializers.IntegerField(),
        "transaction_hash": _string(),
        "from_address": _string(),
        "keys": serializers.ListField(child=_string()),
        "data": serializers.ListField(child=_string()),
        "event_name": _string(allow_null=True, help_text="`Transfer`, `Approval`, or null for other events."),
        "decoded_data": serializers.DictField(
            child=_string(),
            allow_null=True,
            help_text="Transfer: from, to, value; Approval: owner, spender, value (u256 as a decimal string).",
        ),
        "timestamp": serializers.DateTimeField(),
    },
)


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
            401: _UNAUTHORIZED,
            404: OpenApiResponse(
                description="No such contract, transaction or block (`contracts.contract_not_found`, "
                "`contracts.transaction_not_found`, `contracts.block_not_found`; `query_id` names the failed query)."
            ),
            **_UPSTREAM,
        },
        description="Runs the query on Starknet now and records it, failed or not. Every failure after "
        "validation carries the recorded query's id as `query_id`.",
    )
    def post(self, request):
        serializer = ContractQueryRunSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        query = chain.contract_query_run(user=authenticated_user(request), **serializer.validated_data)
        return Response(ContractQuerySerializer(query).data, status=201)


class ContractQueryRunApi(ContractQueryRunMixin, APIView):
    """`POST /contracts/query` (the caller's list lives at `/contracts/queries`)."""


class QueryListRunApi(ContractQueryRunMixin, ContractQueryListApi):
    """`/queries`: GET lists the caller's queries, POST runs one."""


class ContractEventsApi(APIView):
    @extend_schema(
        tags=["contracts"],
        request=ContractEventsSerializer,
        responses={
            200: inline_serializer(
                "ContractEvents",
                {
                    "success": serializers.BooleanField(),
                    "data": inline_serializer(
                        "ContractEventsData",
                        {
                            "events": _Events,
                            "fromBlock": serializers.IntegerField(),
                            "toBlock": serializers.IntegerField(),
                            "totalEvents": serializers.IntegerField(help_text="Events in this answer."),
                            "truncated": serializers.BooleanField(
                                help_text="More events match than one answer holds: narrow the range."
                            ),
                        },
                    ),
                },
            ),
            400: OpenApiResponse(
                description="Invalid input, or a span wider than CONTRACT_EVENTS_MAX_SPAN blocks "
                "(`contracts.block_range_too_large` for date ranges)."
            ),
            401: _UNAUTHORIZED,
            404: OpenApiResponse(description="The range starts after the latest block (`contracts.block_not_found`)."),
            **_UPSTREAM,
        },
    )
    def post(self, request):
        serializer = ContractEventsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = chain.contract_events_fetch(**serializer.validated_data)
        data = {
            "events": result.events,
            "fromBlock": result.from_block,
            "toBlock": result.to_block,
            "totalEvents": len(result.events),
            "truncated": result.truncated,
        }
        return Response({"success": True, "data": data})


_Fee = _string(allow_null=True, help_text="Decimal string in STRK.")


class ContractAnalyzeApi(APIView):
    """Public, rate limited per client (ANALYZE_RATE_LIMIT) and cached (ANALYZE_CACHE_SECONDS)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["contracts"],
        auth=[],
        request=ContractAnalyzeSerializer,
        responses={
            200: inline_serializer(
                "ContractAnalysis",
                {
                    "success": serializers.BooleanField(),
                    "data": inline_serializer(
                        "ContractAnalysisData",
                        {
                            "contract_address": _string(),
                            "status": serializers.ChoiceField(choices=["Active", "No Recent Activity"]),
                            "transaction_count": serializers.IntegerField(),
                            "avg_fee": _Fee,
                            "total_fees": _Fee,
                            "total_fees_eth": _string(help_text="Fees paid in ETH (legacy transactions)."),
                            "fee_token": _string(),
                            "unique_senders": serializers.IntegerField(),
                            "blocks_analyzed": serializers.IntegerField(),
                            "current_block": serializers.IntegerField(),
                            "from_block": serializers.IntegerField(),
                            "to_block": serializers.IntegerField(),
                            "range_from_block": serializers.IntegerField(
                                help_text="First block of the requested range; only its last blocks are analysed."
                            ),
                            "transactions": serializers.ListField(child=serializers.DictField()),
                        },
                    ),
                },
            ),
            400: _BAD_REQUEST,
            404: OpenApiResponse(description="No block in the date range (`contracts.block_not_found`)."),
            429: OpenApiResponse(description="Rate limited (`Retry-After`)."),
            **_UPSTREAM,
        },
        description="A transaction of the contract is one it sent (an account) or one whose receipt holds an "
        "event it emitted. At most ANALYZE_MAX_BLOCKS blocks are read: the latest, or the last of the range.",
    )
    def post(self, request):
        enforce_rate_limit(request, group="contracts.analyze", key="ip", rate=settings.ANALYZE_RATE_LIMIT)
        serializer = ContractAnalyzeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"success": True, "data": analytics.contract_activity_analyze(**serializer.validated_data)})


_Count = serializers.IntegerField
_Unmeasured = serializers.IntegerField(allow_null=True, help_text="Always null: not measurable from one block.")


class ChainStatsApi(APIView):
    """Public; figures of the latest block, read at most once per CHAIN_STATS_CACHE_SECONDS."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["dashboards"],
        auth=[],
        parameters=[OpenApiParameter("chain", str, enum=["starknet"], required=False)],
        responses={
            200: inline_serializer(
                "ChainStats",
                {
                    "success": serializers.BooleanField(),
                    "block_number": _Count(),
                    "timestamp": serializers.DateTimeField(),
                    "stats": inline_serializer(
                        "ChainStatsFigures",
                        {
                            "total_transactions": _Count(),
                            "active_users": _Unmeasured,
                            "unique_senders": _Count(),
                            "total_fees": _Fee,
                            "avg_fee": _Fee,
                            "fee_token": _string(),
                            "successful_txs": _Count(),
                            "failed_txs": _Count(),
                            "pending_txs": _Unmeasured,
                            "gas_used": _Unmeasured,
                            "volume": _Unmeasured,
                            "tvl": _Unmeasured,
                        },
                    ),
                    "block_info": inline_serializer(
                        "ChainStatsBlock",
                        {
                            "block_number": _Count(),
                            "timestamp": serializers.DateTimeField(),
                            "transaction_count": _Count(),
                        },
                    ),
                },
            ),
            400: OpenApiResponse(description="Unknown chain."),
            **_UPSTREAM,
        },
    )
    def get(self, request):
        serializer = ChainStatsQuerySerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response({"success": True, **analytics.chain_stats_latest(**serializer.validated_data)})
