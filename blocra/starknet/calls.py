"""Calls of contract view functions (`starknet_call`), with RPC errors turned into domain errors."""

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from blocra.starknet.errors import (
    BlockNotFound,
    ContractCallReverted,
    ContractNotFound,
    EntryPointNotFound,
    StarknetError,
)
from blocra.starknet.felts import address_to_int
from blocra.starknet.transport import (
    RPC_BLOCK_NOT_FOUND,
    RPC_CONTRACT_ERROR,
    RPC_CONTRACT_NOT_FOUND,
    RPC_ENTRY_POINT_NOT_FOUND,
    block_kwargs,
    rpc_code,
    run,
)
from blocra.starknet.types import BlockId

if TYPE_CHECKING:
    from starknet_py.net.full_node_client import FullNodeClient

logger = logging.getLogger("blocra.starknet")


async def call_on(
    client: "FullNodeClient", address: int, function_name: str, calldata: Sequence[int], block: BlockId
) -> list[int]:
    """One call on an open client. Raises ContractNotFound (20), EntryPointNotFound (21),
    BlockNotFound (24), ContractCallReverted (40); anything else is node trouble for the caller."""
    from starknet_py.hash.selector import get_selector_from_name
    from starknet_py.net.client_models import Call

    call = Call(to_addr=address, selector=get_selector_from_name(function_name), calldata=list(calldata))
    try:
        return await client.call_contract(call, **block_kwargs(block))
    except Exception as exc:
        code = rpc_code(exc)
        if code == RPC_CONTRACT_NOT_FOUND:
            raise ContractNotFound() from exc
        if code == RPC_ENTRY_POINT_NOT_FOUND:
            raise EntryPointNotFound() from exc
        if code == RPC_CONTRACT_ERROR:
            data = getattr(exc, "data", None)
            revert_error = data.get("revert_error") if isinstance(data, dict) else data
            logger.info("starknet call %s reverted: %s", function_name, str(revert_error)[:500])
            raise ContractCallReverted(revert_error=revert_error) from exc
        if code == RPC_BLOCK_NOT_FOUND:
            raise BlockNotFound() from exc
        raise


async def call_first_on(
    client: "FullNodeClient", address: int, names: Sequence[str], calldata: Sequence[int], block: BlockId
) -> list[int]:
    """Call the first of `names` the contract has: a missing entry point (21) or a revert (40, how
    Cairo 1 nodes report a missing one) moves on to the next name."""
    last: StarknetError = EntryPointNotFound()
    for function_name in names:
        try:
            return await call_on(client, address, function_name, calldata, block)
        except (EntryPointNotFound, ContractCallReverted) as exc:
            last = exc
    raise last


def camel_case(function_name: str) -> str:
    """`balance_of` -> `balanceOf`: the name older (Cairo 0) contracts use."""
    head, *rest = function_name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def call_contract(address: str, function_name: str, calldata: Sequence[int], block: BlockId = "latest") -> list[int]:
    """Call a view function; the result felts as ints.

    Raises ContractNotFound, EntryPointNotFound, ContractCallReverted, BlockNotFound, NodeError.
    """
    target = address_to_int(address)
    block_kwargs(block)

    async def operation(client: "FullNodeClient") -> list[int]:
        return await call_on(client, target, function_name, calldata, block)

    return run(operation, "call")


def call_view(address: str, function_name: str, calldata: Sequence[int], block: BlockId = "latest") -> list[int]:
    """call_contract with the snake_case name, falling back to its camelCase twin on 21 or 40."""
    target = address_to_int(address)
    names = list(dict.fromkeys([function_name, camel_case(function_name)]))
    block_kwargs(block)

    async def operation(client: "FullNodeClient") -> list[int]:
        return await call_first_on(client, target, names, calldata, block)

    return run(operation, "call")
