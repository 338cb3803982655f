"""Fees shown by the chain endpoints are exact decimal strings at any size: a fee (a felt) in base units
becomes STRK or ETH without a Decimal context rounding it, and totals are sums of base units."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.chain_data import fee_text
from tests.contracts.conftest import ALICE, BOB, TOKEN
from tests.properties import FORTY, WIDEST, amount_of_units
from tests.starknet_node import FEE


@pytest.mark.parametrize(
    ("units", "text"),
    [
        (0, "0"),
        (FEE, "0.001"),
        (FORTY.units, FORTY.text),
        (WIDEST.units, WIDEST.text),
        (2**128 - 1, "340282366920938463463.374607431768211455"),
    ],
)
def test_fee_text_keeps_every_digit(units, text):
    assert fee_text(units) == text


@given(units=st.integers(0, 2**252))
@settings(max_examples=100)
def test_fee_text_of_any_felt_is_its_exact_decimal(units):
    assert fee_text(units) == amount_of_units(units).text


@pytest.mark.django_db
def test_stats_sum_forty_digit_fees_exactly(chain, api_client):
    # given: one block with two transactions whose fees have 40 significant digits
    for fee in (FORTY.units, WIDEST.units):
        tx_hash = chain.transfer(TOKEN, ALICE, BOB, 1, finality="PRE_CONFIRMED")
        chain.txs[tx_hash].fee = fee  # the receipts' actual_fee (the node's fee transfer stays 0.001)
    chain.mine_pending()

    response = api_client.get("/api/dashboards/stats")

    assert response.status_code == 200, response.content
    stats = response.json()["stats"]
    total = FORTY.units + WIDEST.units
    assert stats["total_fees"] == amount_of_units(total).text == "11234567890123456789012.34567890123456789"
    assert stats["avg_fee"] == amount_of_units(total // 2).text
