"""Token amounts are exact in the database on SQLite and PostgreSQL alike."""

from decimal import Decimal

import pytest

from blocra.amounts import amounts_total, format_amount, parse_amount
from bounties.models import Bounty
from tests.factories import BountyFactory


@pytest.mark.django_db
def test_amount_round_trips_exactly_with_18_decimals():
    # 34 significant digits: a float (or SQLite's REAL) would lose most of them.
    amount = Decimal("1234567890123456.123456789012345678")
    bounty = BountyFactory(reward_amount=amount)
    assert Bounty.objects.get(pk=bounty.pk).reward_amount == amount


@pytest.mark.django_db
def test_amounts_order_and_compare_numerically():
    for value in ["9", "10", "100.5", "0.000000000000000001", "2"]:
        BountyFactory(reward_amount=Decimal(value))
    ordered = list(Bounty.objects.order_by("reward_amount").values_list("reward_amount", flat=True))
    assert ordered == [Decimal(v) for v in ["0.000000000000000001", "2", "9", "10", "100.5"]]
    assert Bounty.objects.filter(reward_amount__gt=Decimal("9.5")).count() == 2
    assert Bounty.objects.filter(reward_amount=Decimal("100.50")).count() == 1


@pytest.mark.parametrize("value", [1.5, float("nan"), "NaN", "Infinity", "-inf", "abc", "", None, True])
def test_parse_amount_refuses_floats_and_non_numbers(value):
    with pytest.raises(ValueError):
        parse_amount(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [("150.500", "150.5"), ("100", "100"), ("1E+2", "100"), ("0.000000000000000001", "0.000000000000000001")],
)
def test_format_amount_is_plain_decimal(value, text):
    assert format_amount(Decimal(value)) == text


@pytest.mark.parametrize(
    "text",
    ["12345678901.123456789012345678", "9999999999999999999999.999999999999999999", "0.000000000000000001"],
)
def test_format_amount_keeps_every_digit_of_the_widest_stored_amount(text):
    assert format_amount(Decimal(text)) == text


def test_amounts_total_is_exact_at_forty_digits():
    widest = Decimal("9999999999999999999999.999999999999999999")
    assert amounts_total([widest, widest, Decimal("0.000000000000000002")]) == Decimal("20000000000000000000000")
