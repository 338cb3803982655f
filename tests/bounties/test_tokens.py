"""Reward tokens: contract addresses; transaction hashes."""

import pytest

from bounties.errors import InvalidTransactionHash
from bounties.services.payouts import transaction_hash_normalize
from bounties.tokens import token_contract


def test_token_contract_of_symbol_and_address(settings):
    settings.STARKNET_TOKENS = {"USDC": {"address": "0x0ABC", "decimals": 6}}
    assert token_contract("USDC") == 0xABC
    assert token_contract(f"0x{0xDEF:064x}") == 0xDEF


def test_transaction_hash_normalised():
    assert transaction_hash_normalize(" 0xABC ") == f"0x{0xABC:064x}"
    for bad in ("0x0", "0X1", "1", "0x" + "f" * 64):
        with pytest.raises(InvalidTransactionHash):
            transaction_hash_normalize(bad)
