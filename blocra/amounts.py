"""Exact token amounts in the database, never floats, and never rounded by a Decimal context.

`AmountField` stores a non-negative decimal with up to 18 fractional digits exactly:
`numeric(40, 18)` on PostgreSQL and MySQL/MariaDB (DECIMAL there), and on SQLite (which has no exact decimal type and would keep a
DecimalField as a REAL) a fixed-width text, zero-padded so that text order is numeric order and
comparisons and check constraints stay exact. Do not aggregate amounts in SQL on SQLite (SUM over
text yields a float, which the field refuses to read): add them up as Decimals with `amounts_total`.

Python's default Decimal context keeps 28 significant digits, and `abs()`, unary minus, arithmetic,
`normalize()`, `quantize()` and `scaleb()` all round to their context; a stored amount has up to 40
digits. So every such call here names a context wide enough that traps Inexact (exactness is the
contract, a rounded amount is a bug), and conversions to and from base units work on the digits.
"""

from collections.abc import Iterable
from decimal import MAX_EMAX, MIN_EMIN, Context, Decimal, Inexact, InvalidOperation, Overflow
from typing import TYPE_CHECKING, Any

from django import forms
from django.core import exceptions
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

AMOUNT_DECIMALS = 18
AMOUNT_INTEGER_DIGITS = 22
AMOUNT_DIGITS = AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS
# Built from text: arithmetic in the default context would round 10**22 - 10**-18 up to 10**22.
AMOUNT_LIMIT = Decimal(f"1E+{AMOUNT_INTEGER_DIGITS}")
AMOUNT_MAX = Decimal("9" * AMOUNT_INTEGER_DIGITS + "." + "9" * AMOUNT_DECIMALS)
_QUANTUM = Decimal(f"1E-{AMOUNT_DECIMALS}")
_SQLITE_WIDTH = AMOUNT_INTEGER_DIGITS + 1 + AMOUNT_DECIMALS
_EXACT_TRAPS = [Inexact, InvalidOperation, Overflow]
_STORED_CONTEXT = Context(prec=AMOUNT_DIGITS, traps=_EXACT_TRAPS)
# Sums of up to 10**24 stored amounts fit; beyond, Inexact is raised rather than a rounded total.
_SUM_CONTEXT = Context(prec=AMOUNT_DIGITS + 24, traps=_EXACT_TRAPS)


def parse_amount(value: object) -> Decimal:
    """A finite Decimal from a Decimal, int or numeric string; floats are refused. Raises ValueError."""
    if isinstance(value, (bool, float)):
        raise ValueError("amounts must be given as strings or integers, not floats")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ValueError(f"{value!r} is not a decimal number") from None
    if not amount.is_finite():
        raise ValueError("amounts must be finite numbers")
    return amount


def format_amount(amount: Decimal | None) -> str | None:
    """Plain decimal string without trailing zeros or exponent, every digit kept at any size:
    Decimal('150.500') -> '150.5', Decimal('1E+2') -> '100'. Raises ValueError for NaN or infinity."""
    if amount is None:
        return None
    if not amount.is_finite():
        raise ValueError("amounts must be finite numbers")
    # normalize() rounds to its context's precision: give it as many digits as the amount has.
    exact = Context(prec=len(amount.as_tuple().digits), Emax=MAX_EMAX, Emin=MIN_EMIN, traps=_EXACT_TRAPS)
    text = format(amount.normalize(exact), "f")
    return text if text != "-0" else "0"


def amounts_total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of stored amounts. Raises decimal.Inexact rather than round (beyond 10**24 of them)."""
    total = Decimal(0)
    for amount in amounts:
        total = _SUM_CONTEXT.add(total, amount)
    return total


def amount_to_base_units(amount: Decimal, decimals: int) -> int:
    """`amount` * 10**decimals as an exact integer, from the amount's digits (no context rounds it).

    Raises ValueError when the amount is not finite or has more fractional digits than the token.
    """
    sign, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int):  # NaN or infinity
        raise ValueError("amounts must be finite numbers")
    number = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    shift = exponent + decimals
    scale: int = 10 ** abs(shift)
    if shift >= 0:
        return number * scale
    whole, rest = divmod(number, scale)
    if rest:
        raise ValueError(f"{format_amount(amount)} has more than {decimals} decimals")
    return whole


def amount_from_base_units(units: int, decimals: int) -> Decimal:
    """`units` / 10**decimals, exactly: built from the digits, as `scaleb()` would round to its context."""
    return Decimal(f"{units}E-{decimals}")


if TYPE_CHECKING:
    _DecimalField = models.Field[Decimal | str | int, Decimal]
else:  # Django's Field is not subscriptable at run time
    _DecimalField = models.Field


class AmountField(_DecimalField):
    description = "Exact decimal token amount (18 fractional digits)"

    def get_internal_type(self) -> str:
        return "AmountField"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        if connection.vendor == "sqlite":
            return "text"
        return f"numeric({AMOUNT_DIGITS}, {AMOUNT_DECIMALS})"

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return parse_amount(value)
        except ValueError as exc:
            raise exceptions.ValidationError(str(exc), code="invalid") from None

    def get_prep_value(self, value: Any) -> Decimal | None:
        value = super().get_prep_value(value)
        return self.to_python(value)

    def get_db_prep_value(self, value: Any, connection: BaseDatabaseWrapper, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        # copy_abs(), not abs(): abs() rounds to the default context's 28 digits.
        if value.copy_abs() >= AMOUNT_LIMIT:
            raise ValueError(f"amounts must be below 10**{AMOUNT_INTEGER_DIGITS}")
        try:
            value = value.quantize(_QUANTUM, context=_STORED_CONTEXT)
        except Inexact:
            raise ValueError(f"amounts have at most {AMOUNT_DECIMALS} decimals, not {value}") from None
        if connection.vendor == "sqlite":
            # '-' sorts before '0', so negatives compare below every stored amount.
            return format(value, f"0{_SQLITE_WIDTH}.{AMOUNT_DECIMALS}f")
        return value

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):
            # SQLite answers SUM() or AVG() over the text column with a float: refuse it, never round.
            raise TypeError("SQL arithmetic on amounts is not exact on SQLite: add them up with amounts_total")
        return Decimal(str(value))

    def value_to_string(self, obj: models.Model) -> str:
        return format_amount(self.value_from_object(obj)) or ""

    def formfield(self, **kwargs: Any) -> forms.Field | None:  # type: ignore[override]
        defaults: dict[str, Any] = {
            "form_class": forms.DecimalField,
            "max_digits": AMOUNT_DIGITS,
            "decimal_places": AMOUNT_DECIMALS,
        }
        defaults.update(kwargs)
        return super().formfield(**defaults)
