"""List pagination: bare arrays, X-Total-Count and Link headers, bounded page sizes."""

import pytest
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.serializers import ModelSerializer
from rest_framework.test import APIRequestFactory

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


class _UserIds(ModelSerializer):
    class Meta:
        model = User
        fields = ["id"]


class _Listing(ListAPIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    serializer_class = _UserIds
    queryset = User.objects.order_by("id")


def get(query: str):
    request = APIRequestFactory().get(f"/api/things{query}")
    response = _Listing.as_view()(request)
    response.render()
    return response


def test_pagination_returns_bare_array_with_headers():
    UserFactory.create_batch(5)
    response = get("?page=2&page_size=2")
    assert response.status_code == 200
    assert len(response.data) == 2
    assert response["X-Total-Count"] == "5"
    link = response["Link"]
    for rel in ("first", "last", "prev", "next"):
        assert f'rel="{rel}"' in link
    assert "page=3" in link and "page=1" in link


def test_pagination_past_last_page_is_empty():
    UserFactory.create_batch(2)
    response = get("?page=9")
    assert response.status_code == 200
    assert response.data == []
    assert response["X-Total-Count"] == "2"


@pytest.mark.parametrize("query", ["?page=0", "?page=x", "?page_size=101", "?page_size=-1"])
def test_pagination_rejects_bad_parameters(query):
    response = get(query)
    assert response.status_code == 400
    assert response.data["code"] == "request.validation_failed"
