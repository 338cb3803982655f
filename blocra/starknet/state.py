"""Per-contract state: class hashes and nonces."""

from typing import TYPE_CHECKING

from blocra.starknet.errors import BlockNotFound, ContractNotFound
from blocra.starknet.felts import address_to_int
from blocra.starknet.transport import RPC_BLOCK_NOT_FOUND, RPC_CONTRACT_NOT_FOUND, block_kwargs, rpc_code, run
from blocra.starknet.types import BlockId

if TYPE_CHECKING:
    from starknet_py.net.full_node_client import FullNodeClient


def _state_read(address: str, block: BlockId, method: str, name: str) -> int:
    """One per-contract state read (`client.<method>(address, block)`), with 20 and 24 as domain errors."""
    target = address_to_int(address)
    block_kwargs(block)

    async def operation(client: "FullNodeClient") -> int:
        try:
            value: int = await getattr(client, method)(target, **block_kwargs(block))
            return value
        except Exception as exc:
            if rpc_code(exc) == RPC_CONTRACT_NOT_FOUND:
                raise ContractNotFound() from exc
            if rpc_code(exc) == RPC_BLOCK_NOT_FOUND:
                raise BlockNotFound() from exc
            raise

    return run(operation, name)


def get_class_hash_at(address: str, block: BlockId = "latest") -> int:
    """The class hash of the contract at `address`. Raises ContractNotFound (20), BlockNotFound, NodeError."""
    return _state_read(address, block, "get_class_hash_at", "get_class_hash_at")


def get_nonce(address: str, block: BlockId = "latest") -> int:
    """The nonce of the contract at `address`. Raises ContractNotFound (20), BlockNotFound, NodeError."""
    return _state_read(address, block, "get_contract_nonce", "get_nonce")
