"""What the property tests share: amounts across everything the schema stores (1 to 22 integer digits,
0 to 18 decimals, up to 40 significant digits), each with its canonical text and its base units at 18
decimals, both built from the digits (independent of the code under test); and a rollback per example.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from hypothesis import strategies as st

INTEGER_DIGITS = 22
DECIMALS = 18


class Amount(NamedTuple):
    text: str  # canonical: no exponent, no leading or trailing zero ("150.5", "0.000000000000000001")
    units: int  # the amount * 10**18


@st.composite
def amounts(draw: st.DrawFn) -> Amount:
    """A positive amount with 1..22 integer digits and 0..18 decimals."""
    integer_digits = draw(st.integers(1, INTEGER_DIGITS))
    decimals = draw(st.integers(0, DECIMALS))
    if integer_digits == 1:
        # "0.x" needs decimals; a whole amount starts at 1.
        whole = draw(st.integers(0 if decimals else 1, 9))
    else:
        whole = draw(st.integers(10 ** (integer_digits - 1), 10**integer_digits - 1))
    text = str(whole)
    fraction = ""
    if decimals:
        # The last decimal is not 0, so the text is canonical and has exactly `decimals` decimals.
        fraction = f"{draw(st.integers(0, 10 ** (decimals - 1) - 1)) * 10 + draw(st.integers(1, 9)):0{decimals}d}"
        text += "." + fraction
    return Amount(text, int(str(whole) + fraction.ljust(DECIMALS, "0")))


def amount_of_units(units: int) -> Amount:
    """The Amount of a number of base units (18 decimals), its text written out by hand."""
    whole, fraction = divmod(units, 10**DECIMALS)
    fraction_text = f"{fraction:018d}".rstrip("0")
    return Amount(f"{whole}.{fraction_text}" if fraction_text else str(whole), units)


# The audit's amount: stored exactly, once displayed as "12345678901.12345678901234568" (28 digits).
AUDIT = Amount("12345678901.123456789012345678", 12345678901123456789012345678)
# 40 significant digits, every one different from its neighbour.
FORTY = Amount("1234567890123456789012.345678901234567891", 1234567890123456789012345678901234567891)
# The widest amount stored: 40 nines.
WIDEST = Amount("9" * INTEGER_DIGITS + "." + "9" * DECIMALS, 10**40 - 1)
SMALLEST = Amount("0.000000000000000001", 1)


@contextmanager
def example_rolled_back() -> Iterator[None]:
    """Examples of one test share its database and cache: each runs in a savepoint rolled back at its
    end, with the cache (cached totals, rate-limit counters) emptied first."""
    cache.clear()
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
