"""Transaction receipts."""

from typing import TYPE_CHECKING, Any

from blocra.starknet.errors import TransactionNotFound
from blocra.starknet.transport import RPC_TRANSACTION_NOT_FOUND, rpc_code, run
from blocra.starknet.types import Event, Receipt

if TYPE_CHECKING:
    from starknet_py.net.full_node_client import FullNodeClient


def _receipt(raw: Any) -> Receipt:
    return Receipt(
        transaction_hash=raw.transaction_hash,
        type=raw.type.value,
        execution_status=raw.execution_status.value,
        finality_status=raw.finality_status.value,
        block_number=raw.block_number,
        block_hash=raw.block_hash,
        actual_fee=raw.actual_fee.amount,
        fee_unit=raw.actual_fee.unit.value,
        events=[Event.from_rpc(event) for event in raw.events],
        revert_reason=raw.revert_reason,
    )


def get_transaction_receipt(tx_hash: int) -> Receipt:
    """The receipt of a transaction. Raises TransactionNotFound (29) and NodeError."""

    async def operation(client: "FullNodeClient") -> Receipt:
        try:
            raw = await client.get_transaction_receipt(tx_hash)
        except Exception as exc:
            if rpc_code(exc) == RPC_TRANSACTION_NOT_FOUND:
                raise TransactionNotFound() from exc
            raise
        return _receipt(raw)

    return run(operation, "get_transaction_receipt")
