"""Exact token amounts in the database, never floats.

`AmountField` stores a non-negative decimal with up to 18 fractional digits exactly:
`numeric(40, 18)` on PostgreSQL, and on SQLite (which has no exact decimal type and would keep a
DecimalField as a REAL) a fixed-width text, zero-padded so that text order is numeric order and
comparisons and check constraints stay exact. Do not aggregate amounts in SQL on SQLite (SUM over
text yields a float): add them up as Decimals with `amounts_total`.
"""

from collections.abc import Iterable
from decimal import Context, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django import forms
from django.core import exceptions
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

AMOUNT_DECIMALS = 18
AMOUNT_INTEGER_DIGITS = 22
_QUANTUM = Decimal(1).scaleb(-AMOUNT_DECIMALS)
_SQLITE_WIDTH = AMOUNT_INTEGER_DIGITS + 1 + AMOUNT_DECIMALS
_CONTEXT = Context(prec=AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS + 4)
AMOUNT_LIMIT = Decimal(10) ** AMOUNT_INTEGER_DIGITS
# Sums of up to 10**20 stored amounts stay exact.
_SUM_CONTEXT = Context(prec=AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS + 24)


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
    """Plain decimal string without trailing zeros or exponent: Decimal('150.500') -> '150.5'."""
    if amount is None:
        return None
    # The context holds every digit a stored amount can have: the default 28 would round 40-digit ones.
    normalized = amount.normalize(_CONTEXT)
    text = format(normalized, "f")
    return text if text != "-0" else "0"


def amounts_total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum (no rounding for any number of stored amounts: precision to spare)."""
    total = Decimal(0)
    for amount in amounts:
        total = _SUM_CONTEXT.add(total, amount)
    return total


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
        return f"numeric({AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS}, {AMOUNT_DECIMALS})"

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
        if abs(value) >= AMOUNT_LIMIT:
            raise ValueError(f"amounts must be below {AMOUNT_LIMIT}")
        value = value.quantize(_QUANTUM, context=_CONTEXT)
        if connection.vendor == "sqlite":
            # '-' sorts before '0', so negatives compare below every stored amount.
            return format(value, f"0{_SQLITE_WIDTH}.{AMOUNT_DECIMALS}f")
        return value

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Decimal | None:
        if value is None:
            return None
        return Decimal(str(value))

    def value_to_string(self, obj: models.Model) -> str:
        return format_amount(self.value_from_object(obj)) or ""

    def formfield(self, **kwargs: Any) -> forms.Field | None:  # type: ignore[override]
        defaults: dict[str, Any] = {
            "form_class": forms.DecimalField,
            "max_digits": AMOUNT_INTEGER_DIGITS + AMOUNT_DECIMALS,
            "decimal_places": AMOUNT_DECIMALS,
        }
        defaults.update(kwargs)
        return super().formfield(**defaults)
