"""How chain data is shown in the API: addresses and hashes as 0x + 64 hex digits, fees as exact
decimal strings, chain times as integers in Unix seconds (as the chain gives them), events (ERC-20
Transfer and Approval decoded) and receipts."""

from typing import Any

from blocra import starknet
from blocra.amounts import amount_from_base_units, format_amount

FEE_DECIMALS = 18


def address_text(value: int | None) -> str | None:
    return None if value is None else starknet.felt_hex(value)


def fee_text(base_units: int) -> str:
    """A fee in base units (FRI or WEI) as a decimal string of STRK or ETH; exact, never a float."""
    return format_amount(amount_from_base_units(base_units, FEE_DECIMALS)) or "0"


def event_json(event: starknet.Event, timestamp: int | None = None) -> dict[str, Any]:
    """An event as the API shows it; Transfer and Approval (either layout) are decoded. An event read
    from a block range (it has a block number) carries its block's `timestamp` in Unix seconds; one
    from a receipt has neither (a receipt carries no block time)."""
    decoded = starknet.decode_erc20_event(event)
    decoded_data: dict[str, str] | None = None
    if decoded is not None:
        first, second = ("from", "to") if decoded.kind == "Transfer" else ("owner", "spender")
        decoded_data = {
            first: f"0x{decoded.sender:064x}",
            second: f"0x{decoded.recipient:064x}",
            "value": str(decoded.amount),
        }
    body: dict[str, Any] = {
        "block_number": event.block_number,
        "transaction_hash": address_text(event.transaction_hash),
        "from_address": address_text(event.from_address),
        "keys": [hex(key) for key in event.keys],
        "data": [hex(item) for item in event.data],
        "event_name": decoded.kind if decoded is not None else None,
        "decoded_data": decoded_data,
    }
    if event.block_number is not None:
        body["timestamp"] = timestamp
    return body


def receipt_json(receipt: starknet.Receipt) -> dict[str, Any]:
    return {
        "transaction_hash": address_text(receipt.transaction_hash),
        "type": receipt.type,
        "execution_status": receipt.execution_status,
        "finality_status": receipt.finality_status,
        "block_number": receipt.block_number,
        "block_hash": address_text(receipt.block_hash),
        "actual_fee": {"amount": str(receipt.actual_fee), "unit": receipt.fee_unit},
        "revert_reason": receipt.revert_reason,
        "events": [event_json(event) for event in receipt.events],
    }
