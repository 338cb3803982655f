"""ERC-20 reads (metadata, balances, supply) and the decoding of Transfer and Approval events."""

from dataclasses import asdict
from typing import TYPE_CHECKING, Literal

from django.conf import settings
from django.core.cache import cache

from blocra.starknet.calls import call_first_on, call_on
from blocra.starknet.errors import UnexpectedContractAnswer
from blocra.starknet.felts import U128, address_to_int, decode_string, felt_hex, u256, u256_from_felts
from blocra.starknet.transport import block_kwargs, run
from blocra.starknet.types import BlockId, Erc20Event, Event, TokenMetadata

if TYPE_CHECKING:
    from starknet_py.net.full_node_client import FullNodeClient

TRANSFER_SELECTOR = 0x99CD8BDE557814842A3121E8DDFD433A539B8C9F14BF31EBF108D12E6196E9
APPROVAL_SELECTOR = 0x134692B230B9E1FFA39098904722134159652B09C5BC41D88D6698779D228FF
ERC20_METADATA_CACHE_SECONDS = 24 * 3600


def erc20_metadata(token_address: str) -> TokenMetadata:
    """Name, symbol (short string or ByteArray) and decimals of an ERC-20, cached per (chain, token).

    Raises ContractNotFound, EntryPointNotFound/ContractCallReverted (not an ERC-20),
    UnexpectedContractAnswer, NodeError.
    """
    token = address_to_int(token_address)
    key = f"starknet:erc20:{settings.STARKNET_CHAIN_ID}:{felt_hex(token)}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return TokenMetadata(**cached)

    async def operation(client: "FullNodeClient") -> TokenMetadata:
        name = decode_string(await call_on(client, token, "name", [], "latest"))
        symbol = decode_string(await call_on(client, token, "symbol", [], "latest"))
        decimals = await call_on(client, token, "decimals", [], "latest")
        if len(decimals) != 1 or not 0 <= decimals[0] <= 255:
            raise UnexpectedContractAnswer("The token's decimals are not a u8.")
        return TokenMetadata(address=felt_hex(token), name=name, symbol=symbol, decimals=decimals[0])

    metadata = run(operation, "erc20_metadata")
    cache.set(key, asdict(metadata), ERC20_METADATA_CACHE_SECONDS)
    return metadata


def erc20_balance_of(token_address: str, account: str, block: BlockId = "latest") -> int:
    """The token balance of `account` in base units (u256 `balance_of`, else `balanceOf`)."""
    token, holder = address_to_int(token_address), address_to_int(account)
    block_kwargs(block)

    async def operation(client: "FullNodeClient") -> int:
        return u256_from_felts(await call_first_on(client, token, ["balance_of", "balanceOf"], [holder], block))

    return run(operation, "erc20_balance_of")


def erc20_total_supply(token_address: str, block: BlockId = "latest") -> int:
    """The token's total supply in base units (u256 `total_supply`, else `totalSupply`)."""
    token = address_to_int(token_address)
    block_kwargs(block)

    async def operation(client: "FullNodeClient") -> int:
        return u256_from_felts(await call_first_on(client, token, ["total_supply", "totalSupply"], [], block))

    return run(operation, "erc20_total_supply")


def decode_erc20_event(event: Event) -> Erc20Event | None:
    """Decode an ERC-20 Transfer or Approval in either layout (keys [sel, a, b] + data [low, high], or
    legacy keys [sel] + data [a, b, low, high]); None for any other event."""
    if not event.keys or event.keys[0] not in (TRANSFER_SELECTOR, APPROVAL_SELECTOR):
        return None
    kind: Literal["Transfer", "Approval"] = "Transfer" if event.keys[0] == TRANSFER_SELECTOR else "Approval"
    if len(event.keys) == 3 and len(event.data) == 2:
        first, second, low, high = event.keys[1], event.keys[2], event.data[0], event.data[1]
    elif len(event.keys) == 1 and len(event.data) == 4:
        first, second, low, high = event.data
    else:
        return None
    if not (0 <= low < U128 and 0 <= high < U128):
        return None
    return Erc20Event(kind=kind, token=event.from_address, sender=first, recipient=second, amount=u256(low, high))
