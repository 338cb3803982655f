"""Public chain analytics: a contract's recent activity (`/contracts/analyze`) and the latest-block
statistics (`/dashboards/stats`), both cached and bounded."""

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import OptionalBearerJWTAuthentication
from accounts.models import User
from blocra.ratelimits import enforce_rate_limit
from contracts.apis.responses import ERRORS, FEE, UPSTREAM, string
from contracts.serializers.analytics import ChainStatsQuerySerializer, ContractAnalyzeSerializer
from contracts.services import analytics


class ContractAnalyzeApi(APIView):
    """Public, rate limited per client (ANALYZE_RATE_LIMIT) and cached (ANALYZE_CACHE_SECONDS). A valid
    bearer token names the user in the activity log; any other is ignored (never a 401)."""

    authentication_classes = [OptionalBearerJWTAuthentication]
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
                            "contract_address": string(),
                            "status": serializers.ChoiceField(choices=["Active", "No Recent Activity"]),
                            "transaction_count": serializers.IntegerField(),
                            "avg_fee": FEE,
                            "total_fees": FEE,
                            "total_fees_eth": string(help_text="Fees paid in ETH (legacy transactions)."),
                            "fee_token": string(),
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
            400: ERRORS[400],
            404: OpenApiResponse(description="No block in the date range (`contracts.block_not_found`)."),
            429: OpenApiResponse(description="Rate limited (`Retry-After`)."),
            **UPSTREAM,
            503: OpenApiResponse(
                description="No Starknet node is reachable (`starknet.unavailable`), or the request could not be "
                "counted against its rate limit (`server.rate_limit_unavailable`)."
            ),
        },
        description="A transaction of the contract is one it sent (an account) or one whose receipt holds an "
        "event it emitted. At most ANALYZE_MAX_BLOCKS blocks are read: the latest, or the last of the range.",
    )
    def post(self, request):
        enforce_rate_limit(request, group="contracts.analyze", key="ip", rate=settings.ANALYZE_RATE_LIMIT)
        serializer = ContractAnalyzeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor = request.user if isinstance(request.user, User) else None  # anonymous: no actor
        analysis = analytics.contract_activity_analyze(actor=actor, **serializer.validated_data)
        return Response({"success": True, "data": analysis})


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
                            "total_fees": FEE,
                            "avg_fee": FEE,
                            "fee_token": string(),
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
            **UPSTREAM,
        },
    )
    def get(self, request):
        serializer = ChainStatsQuerySerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response({"success": True, **analytics.chain_stats_latest(**serializer.validated_data)})
