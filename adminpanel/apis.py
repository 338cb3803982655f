"""HTTP API of the admin panel."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from adminpanel.serializers import FeedbackSubmitSerializer
from adminpanel.services import feedback_create
from blocra.ratelimits import enforce_rate_limit

SuccessMessage = inline_serializer(
    "SuccessMessage", {"success": serializers.BooleanField(), "message": serializers.CharField()}
)


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
