"""The app's URLs plus one path routed by method to two views with different credentials
(blocra.routing), outside /api so the published schema is not concerned."""

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from blocra.routing import method_router
from blocra.urls import urlpatterns as app_urlpatterns

_SERVED_BY = inline_serializer("RoutedAnswer", {"served_by": serializers.CharField()})


class PublicReadApi(APIView):
    """Anyone may read; no credentials are looked at."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(auth=[], responses={200: _SERVED_BY})
    def get(self, request, **kwargs):
        return Response({"served_by": "public-read", **kwargs})


class PrivateWriteApi(APIView):
    """A signed-in user writes (the API's default credentials and permissions)."""

    @extend_schema(
        request=inline_serializer("RoutedWrite", {"note": serializers.CharField()}), responses={201: _SERVED_BY}
    )
    def post(self, request, **kwargs):
        return Response({"served_by": "private-write", "user_id": request.user.pk, **kwargs}, status=201)


class ReadOnlyApi(APIView):
    def get(self, request):
        return Response({})


ROUTED = method_router(
    {"GET": "tests.blocra.routing_urls.PublicReadApi", "post": "tests.blocra.routing_urls.PrivateWriteApi"},
    name="Routed things",
)

urlpatterns = [
    path("routed", ROUTED, name="routed"),
    path("routed/<int:pk>", ROUTED, name="routed-one"),
    *app_urlpatterns,
]
