"""Reward tokens: a known symbol (STRK, ETH, USDC, USDT) or an ERC-20 contract address, and how many
decimals an amount of each may carry."""

import re
from decimal import Decimal
from typing import Any

from django.conf import settings

from blocra.schema import ADDRESS_SCHEMA
from blocra.starknet import InvalidAddress, normalize_address


def token_input_schema() -> dict[str, Any]:
    """The OpenAPI schema of a token as clients send it: a configured symbol in any case, or an address."""
    symbols = "|".join(
        "".join(f"[{char.upper()}{char.lower()}]" if char.isalpha() else re.escape(char) for char in symbol)
        for symbol in settings.STARKNET_TOKENS
    )
    return {
        "oneOf": [{"type": "string", "pattern": f"^({symbols})$"}, ADDRESS_SCHEMA],
        "description": f"A token symbol ({', '.join(settings.STARKNET_TOKENS)}, in any case) or a token contract "
        "address.",
    }


# An unknown ERC-20 given by address may use up to the 18 decimals Starknet tokens conventionally have.
ADDRESS_TOKEN_MAX_DECIMALS = 18


def token_normalize(value: str) -> str:
    """The stored form of a token: an upper-case known symbol or a normalised address. Raises ValueError."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Give a token symbol (STRK, ETH, USDC, USDT) or a token contract address.")
    text = value.strip()
    if text.upper() in settings.STARKNET_TOKENS:
        return text.upper()
    if text[:2].lower() == "0x":
        try:
            return normalize_address(text)
        except InvalidAddress as exc:
            raise ValueError(str(exc)) from None
    raise ValueError(f"Unknown token; use one of {', '.join(settings.STARKNET_TOKENS)} or a token contract address.")


def token_decimals(token: str) -> int:
    """Decimals of a stored token: the configured token's for a symbol or a known address, else 18."""
    known = settings.STARKNET_TOKENS.get(token)
    if known is not None:
        return int(known["decimals"])
    for config in settings.STARKNET_TOKENS.values():
        if normalize_address(str(config["address"])) == token:
            return int(config["decimals"])
    return ADDRESS_TOKEN_MAX_DECIMALS


def amount_precision_problem(*, amount: Decimal, token: str) -> str | None:
    """Why `amount` cannot be a reward in `token` (more decimals than the token has), or None."""
    decimals = token_decimals(token)
    if decimal_places(amount) > decimals:
        return f"{token} amounts have at most {decimals} decimal places."
    return None


def decimal_places(amount: Decimal) -> int:
    """Significant fractional digits: Decimal('1.50') has 1, Decimal('100') has 0, Decimal('1e-9999')
    has 9999. Exact, without a context (normalize() would round extreme exponents away)."""
    _sign, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return 0
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    exponent += trailing_zeros
    return -exponent if exponent < 0 else 0


def token_contract(token: str) -> int:
    """The ERC-20 contract of a stored token, as an int: the configured address of a symbol, or the
    token's own address."""
    known = settings.STARKNET_TOKENS.get(token)
    return int(normalize_address(str(known["address"]) if known is not None else token), 16)
