"""Events of a contract (`/contracts/events`), read with bounded work."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import authenticated_user
from contracts.apis.responses import ERRORS, UPSTREAM, string, unix_seconds
from contracts.serializers.events import ContractEventsSerializer
from contracts.services import events as event_services

_Events = inline_serializer(
    "ContractEvent",
    many=True,
    fields={
        "block_number": serializers.IntegerField(),
        "transaction_hash": string(),
        "from_address": string(),
        "keys": serializers.ListField(child=string()),
        "data": serializers.ListField(child=string()),
        "event_name": string(allow_null=True, help_text="`Transfer`, `Approval`, or null for other events."),
        "decoded_data": serializers.DictField(
            child=string(),
            allow_null=True,
            help_text="Transfer: from, to, value; Approval: owner, spender, value (u256 as a decimal string).",
        ),
        "timestamp": unix_seconds(help_text="Unix seconds: the time of the event's block."),
    },
)


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
            401: ERRORS[401],
            404: OpenApiResponse(description="The range starts after the latest block (`contracts.block_not_found`)."),
            **UPSTREAM,
        },
    )
    def post(self, request):
        serializer = ContractEventsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = event_services.contract_events_fetch(user=authenticated_user(request), **serializer.validated_data)
        data = {
            "events": result.events,
            "fromBlock": result.from_block,
            "toBlock": result.to_block,
            "totalEvents": len(result.events),
            "truncated": result.truncated,
        }
        return Response({"success": True, "data": data})
