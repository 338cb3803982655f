"""One declaration per API shape (blocra.shapes): rows and instances render alike, and the schema's
serializer is built from the same keys and types."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from rest_framework import serializers

from accounts.models import User
from blocra.shapes import Key, Shape, amount_text, datetime_text, key, same, text
from bounties.models import Bounty
from bounties.representations import BOUNTY
from tests.factories import BountyFactory, UserFactory

SHAPE = Shape(
    "Example",
    {
        "id": key("id", text, serializers.CharField),
        "email": key("email", same, serializers.EmailField),
        "pair": Key(("id", "username"), lambda pk, name: f"{pk}:{name}", serializers.CharField),
    },
)


def test_shape_reads_each_column_once_in_first_use_order():
    assert SHAPE.columns == ("id", "email", "username")
    assert SHAPE.from_row((7, "a@example.com", "ada")) == {"id": "7", "email": "a@example.com", "pair": "7:ada"}


def test_shape_only_fields_name_relations_by_their_field():
    assert BOUNTY.only_fields()[BOUNTY.columns.index("created_by_id")] == "created_by"
    assert "created_by__username" in BOUNTY.only_fields()


@pytest.mark.django_db
def test_shape_renders_an_instance_like_its_row():
    user = UserFactory(username="ada")
    row = User.objects.filter(pk=user.pk).values_list(*SHAPE.columns).get()
    assert (
        SHAPE.from_instance(user)
        == SHAPE.from_row(row)
        == {"id": str(user.pk), "email": user.email, "pair": f"{user.pk}:ada"}
    )


@pytest.mark.django_db
def test_shape_follows_relations_and_nulls():
    bounty = BountyFactory(created_by=UserFactory(username=None, wallet_address=None))
    rendered = BOUNTY.from_instance(Bounty.objects.for_listing().get(pk=bounty.pk))
    assert rendered["creator"] == {"id": bounty.created_by_id, "username": None, "wallet_address": None}


def test_shape_serializer_documents_every_key_in_order():
    serializer = SHAPE.serializer()
    assert serializer.__name__ == "ExampleSerializer"
    fields = serializer().fields
    assert list(fields) == ["id", "email", "pair"]
    assert isinstance(fields["email"], serializers.EmailField)


def test_shape_renderers_keep_money_exact_and_times_in_utc():
    assert amount_text(Decimal("12345678901.123456789012345678")) == "12345678901.123456789012345678"
    assert amount_text(None) is None
    assert datetime_text(datetime(2026, 12, 2, 10, 0, tzinfo=UTC)) == "2026-12-02T10:00:00Z"
    assert datetime_text(None) is None
