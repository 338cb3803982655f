"""Token amounts are exact at every size the schema stores (40 digits, 18 decimals): parsing,
formatting, sums, base units, and the database on SQLite and PostgreSQL alike. Python's default
Decimal context keeps 28 digits; nothing here may go through it."""

from decimal import Decimal, Inexact

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from blocra.amounts import (
    amount_from_base_units,
    amount_to_base_units,
    amounts_total,
    format_amount,
    parse_amount,
)
from bounties.models import Bounty
from tests.factories import BountyFactory
from tests.properties import AUDIT, FORTY, SMALLEST, WIDEST, amount_of_units, amounts, example_rolled_back

DB_EXAMPLES = settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])

# --- parsing and formatting -------------------------------------------------------------------------


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


@pytest.mark.parametrize("amount", [AUDIT, FORTY, WIDEST, SMALLEST])
def test_format_amount_keeps_every_digit_of_the_widest_stored_amount(amount):
    assert format_amount(Decimal(amount.text)) == amount.text
    # as the database hands it back: 18 decimals, trailing zeros
    assert format_amount(Decimal(f"{amount.units}E-18")) == amount.text


def test_format_amount_is_exact_beyond_any_context():
    # 78 digits (a u256 transfer shown in a refusal), and an exponent a context's Emax would overflow
    assert format_amount(Decimal(2**256 - 1)) == str(2**256 - 1)
    assert format_amount(Decimal("1E+1000000")) == "1" + "0" * 1_000_000
    assert format_amount(Decimal("-0.000")) == "0"


@pytest.mark.parametrize("value", ["NaN", "Infinity"])
def test_format_amount_refuses_non_finite(value):
    with pytest.raises(ValueError):
        format_amount(Decimal(value))


@given(amount=amounts(), padding=st.integers(0, 30))
@settings(max_examples=100)
def test_format_amount_gives_the_canonical_text_of_any_stored_amount(amount, padding):
    # The same number written three ways: canonical, with trailing zeros, as base units and an exponent.
    padded = amount.text + ("" if "." in amount.text else ".") + "0" * padding
    for written in (amount.text, padded, f"{amount.units}E-18"):
        assert format_amount(parse_amount(written)) == amount.text


# --- sums --------------------------------------------------------------------------------------------


def test_amounts_total_is_exact_at_forty_digits():
    widest = Decimal(WIDEST.text)
    assert amounts_total([widest, widest, Decimal("0.000000000000000002")]) == Decimal("20000000000000000000000")
    assert format_amount(amounts_total([Decimal(AUDIT.text), Decimal(FORTY.text)])) == (
        "1234567890135802467913.469135690246913569"
    )


@given(parts=st.lists(amounts(), min_size=1, max_size=20))
@settings(max_examples=100)
def test_amounts_total_equals_the_sum_of_base_units(parts):
    total = amounts_total(Decimal(part.text) for part in parts)
    assert amount_to_base_units(total, 18) == sum(part.units for part in parts)
    assert format_amount(total) == amount_of_units(sum(part.units for part in parts)).text


def test_amounts_total_refuses_to_round():
    with pytest.raises(Inexact):
        amounts_total([Decimal("1E+70"), Decimal("1E-18")])


# --- base units ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "decimals", "expected"),
    [
        ("150.5", 18, 150_500_000_000_000_000_000),
        ("25.5", 6, 25_500_000),
        ("1E+3", 6, 1_000_000_000),
        ("0.000001", 6, 1),
        ("7.000", 0, 7),
        (AUDIT.text, 18, AUDIT.units),
        (FORTY.text, 18, FORTY.units),
        (WIDEST.text, 18, WIDEST.units),
    ],
)
def test_amount_to_base_units_exact(amount, decimals, expected):
    assert amount_to_base_units(Decimal(amount), decimals) == expected
    assert amount_from_base_units(expected, decimals) == Decimal(amount)


@pytest.mark.parametrize(("amount", "decimals"), [("0.0000001", 6), ("1.5", 0), ("NaN", 18), ("Infinity", 18)])
def test_amount_to_base_units_refuses_what_the_token_cannot_hold(amount, decimals):
    with pytest.raises(ValueError):
        amount_to_base_units(Decimal(amount), decimals)


def test_amount_from_base_units_is_exact_for_any_u256():
    units = 2**256 - 1
    whole, fraction = divmod(units, 10**18)
    assert format_amount(amount_from_base_units(units, 18)) == f"{whole}.{fraction:018d}"


@given(amount=amounts())
@settings(max_examples=100)
def test_base_units_round_trip_every_stored_amount(amount):
    assert amount_to_base_units(Decimal(amount.text), 18) == amount.units
    assert format_amount(amount_from_base_units(amount.units, 18)) == amount.text
    with pytest.raises(ValueError):
        amount_to_base_units(Decimal(f"{amount.units * 10 + 1}E-19"), 18)


# --- the database ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [AUDIT, FORTY, WIDEST, SMALLEST])
def test_amount_field_stores_forty_digits_exactly(amount):
    bounty = BountyFactory(reward_amount=Decimal(amount.text))
    stored = Bounty.objects.get(pk=bounty.pk).reward_amount
    assert stored == Decimal(amount.text)
    assert format_amount(stored) == amount.text


@pytest.mark.django_db
@given(amount=amounts(), other=amounts())
@DB_EXAMPLES
@example(amount=WIDEST, other=FORTY)
@example(amount=SMALLEST, other=AUDIT)
def test_amount_field_round_trips_and_compares_exactly(amount, other):
    with example_rolled_back():
        # given
        bounty = BountyFactory(reward_amount=Decimal(amount.text))
        BountyFactory(reward_amount=Decimal(other.text))
        # then: read back, found by equality, compared and ordered as numbers (SQLite: as padded text)
        assert Bounty.objects.get(pk=bounty.pk).reward_amount == Decimal(amount.text)
        assert Bounty.objects.filter(pk=bounty.pk, reward_amount=Decimal(amount.text)).exists()
        above = Bounty.objects.filter(pk=bounty.pk, reward_amount__gt=Decimal(other.text)).exists()
        assert above == (amount.units > other.units)
        ordered = list(Bounty.objects.order_by("reward_amount", "id").values_list("reward_amount", flat=True))
        assert ordered == sorted(ordered) and set(ordered) == {Decimal(amount.text), Decimal(other.text)}


@pytest.mark.django_db
def test_amounts_order_and_compare_numerically():
    for value in ["9", "10", "100.5", "0.000000000000000001", "2"]:
        BountyFactory(reward_amount=Decimal(value))
    ordered = list(Bounty.objects.order_by("reward_amount").values_list("reward_amount", flat=True))
    assert ordered == [Decimal(v) for v in ["0.000000000000000001", "2", "9", "10", "100.5"]]
    assert Bounty.objects.filter(reward_amount__gt=Decimal("9.5")).count() == 2
    assert Bounty.objects.filter(reward_amount=Decimal("100.50")).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "value",
    [
        "10000000000000000000000",  # 23 integer digits
        "1.0000000000000000001",  # 19 decimals: refused, never rounded to 1
        "0.0000000000000000001",  # would round to 0
    ],
)
def test_amount_field_refuses_what_it_cannot_store_exactly(value):
    with pytest.raises(ValueError), transaction.atomic():
        BountyFactory(reward_amount=Decimal(value))
    assert not Bounty.objects.exists()


@pytest.mark.django_db
def test_amount_sql_sum_is_exact_or_refused():
    # given: two amounts whose sum has 41 digits
    BountyFactory(reward_amount=Decimal(WIDEST.text))
    BountyFactory(reward_amount=Decimal(AUDIT.text))
    exact = amount_of_units(WIDEST.units + AUDIT.units).text
    if connection.vendor == "sqlite":
        # SQLite sums the text column as floats: the field refuses the result rather than round it.
        with pytest.raises(TypeError, match="amounts_total"):
            Bounty.objects.aggregate(total=Sum("reward_amount"))
    else:
        assert format_amount(Bounty.objects.aggregate(total=Sum("reward_amount"))["total"]) == exact
