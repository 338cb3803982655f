"""Reward tokens: contract addresses and exact base units."""

from decimal import Decimal

import pytest

from bounties.errors import InvalidTransactionHash
from bounties.services.payouts import transaction_hash_normalize
from bounties.tokens import base_units, display_amount, token_contract


@pytest.mark.parametrize(
    ("amount", "decimals", "expected"),
    [
        ("150.5", 18, 150_500_000_000_000_000_000),
        ("25.5", 6, 25_500_000),
        ("1E+3", 6, 1_000_000_000),
        ("0.000001", 6, 1),
        ("7.000", 0, 7),
        # 40 significant digits: more than Decimal's default context holds, still exact
        ("9999999999999999999999.999999999999999999", 18, 9999999999999999999999999999999999999999),
    ],
)
def test_base_units_exact(amount, decimals, expected):
    assert base_units(Decimal(amount), decimals) == expected
    assert display_amount(expected, decimals) == Decimal(amount)


@pytest.mark.parametrize(("amount", "decimals"), [("0.0000001", 6), ("1.5", 0), ("NaN", 18), ("Infinity", 18)])
def test_base_units_refuses_what_the_token_cannot_hold(amount, decimals):
    with pytest.raises(ValueError):
        base_units(Decimal(amount), decimals)


def test_token_contract_of_symbol_and_address(settings):
    settings.STARKNET_TOKENS = {"USDC": {"address": "0x0ABC", "decimals": 6}}
    assert token_contract("USDC") == 0xABC
    assert token_contract(f"0x{0xDEF:064x}") == 0xDEF


def test_transaction_hash_normalised():
    assert transaction_hash_normalize(" 0xABC ") == f"0x{0xABC:064x}"
    for bad in ("0x0", "0X1", "1", "0x" + "f" * 64):
        with pytest.raises(InvalidTransactionHash):
            transaction_hash_normalize(bad)
