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
from contracts.apis.responses import ERRORS, UPSTREAM, fee, string, unix_seconds
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
                            "avg_fee": fee(),
                            "total_fees": fee(),
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
                            "transactions": inline_serializer(
                                "ContractAnalysisTransaction",
                                many=True,
                                help_text="The contract's latest transactions in the blocks read, newest "
                                "first, at most 10.",
                                fields={
                                    "transaction_hash": string(),
                                    "block_number": serializers.IntegerField(),
                                    "timestamp": unix_seconds(help_text="Unix seconds: the time of its block."),
                                    "sender_address": string(allow_null=True),
                                    "type": string(),
                                    "status": serializers.ChoiceField(choices=["SUCCEEDED", "REVERTED"]),
                                    "fee": string(help_text="Decimal string in `fee_token`."),
                                    "fee_token": string(help_text="`STRK` (FRI) or `ETH` (WEI)."),
                                },
                            ),
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


class ChainStatsApi(APIView):
    """Public; figures of the latest CHAIN_STATS_WINDOW_BLOCKS blocks, read at most once per
    CHAIN_STATS_CACHE_SECONDS."""

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
                    "block_number": _Count(help_text="The latest block."),
                    "timestamp": unix_seconds(help_text="Unix seconds: the latest block's time."),
                    "stats": inline_serializer(
                        "ChainStatsFigures",
                        {
                            "window_blocks": _Count(
                                help_text="How many blocks the figures cover: the latest ones, up to "
                                "CHAIN_STATS_WINDOW_BLOCKS (fewer while the chain is shorter)."
                            ),
                            "total_transactions": _Count(help_text="Transactions in the window's blocks."),
                            "active_users": _Count(help_text="Distinct sender addresses over the window."),
                            "unique_senders": _Count(help_text="The same as `active_users`."),
                            "total_fees": fee(),
                            "avg_fee": fee(),
                            "fee_token": string(),
                            "successful_txs": _Count(help_text="Transactions of the window that succeeded."),
                            "failed_txs": _Count(help_text="Transactions of the window that reverted."),
                            "pending_txs": _Count(
                                help_text="Transactions in the pre-confirmed block (0 when it is empty or "
                                "the node has none)."
                            ),
                            "gas_used": _Count(help_text="L2 gas consumed by the window's transactions."),
                            "volume": serializers.FloatField(
                                help_text="STRK moved by the STRK contract's Transfer events over the window "
                                "(fee transfers included), in STRK rounded to 6 decimals: a display figure."
                            ),
                            "tvl": serializers.FloatField(
                                allow_null=True,
                                help_text="Always null: not measured (it needs every "
                                "contract's balances and their prices).",
                            ),
                        },
                    ),
                    "block_info": inline_serializer(
                        "ChainStatsBlock",
                        {
                            "block_number": _Count(),
                            "timestamp": unix_seconds(help_text="Unix seconds: the latest block's time."),
                            "transaction_count": _Count(help_text="Transactions in the latest block."),
                        },
                    ),
                },
            ),
            400: OpenApiResponse(description="Unknown chain."),
            **UPSTREAM,
            503: OpenApiResponse(
                description="No Starknet node is reachable (`starknet.unavailable`), this server runs as many "
                "Starknet calls as it allows (`starknet.busy`), or another request's read of the chain did "
                "not finish in time (`contracts.stats_busy`)."
            ),
        },
        description="Figures over the latest CHAIN_STATS_WINDOW_BLOCKS blocks (`stats.window_blocks` says "
        "how many), measured from their receipts and the pre-confirmed block, read from the node at most once "
        "per CHAIN_STATS_CACHE_SECONDS. `block_number`, `timestamp` and `block_info` describe the latest "
        "block. Chain times are Unix seconds.",
    )
    def get(self, request):
        serializer = ChainStatsQuerySerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        return Response({"success": True, **analytics.chain_stats_latest(**serializer.validated_data)})
