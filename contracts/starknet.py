"""The one client module for Starknet: every chain call of the backend goes through here.

A leaf module: it imports starknet-py, aiohttp and settings, nothing else of ours. starknet-py's heavy
parts (FullNodeClient, TypedData, ...) are imported inside the functions that use them, so importing
this module for address helpers costs nothing.

Each public operation is one `async def` run once by `async_to_sync`: it opens its own aiohttp session
with the configured timeouts, tries the nodes of `STARKNET_RPC_URLS` in order and returns plain
dataclasses. On every node it first checks the chain id (starknet-py sends `starknet_specVersion`
before that), so a node on the wrong chain or spec is skipped. Node trouble (connect error, timeout,
HTTP >= 300, malformed answer, wrong chain or spec) moves on to the next node; definitive RPC answers
(contract, entry point, transaction or block not found, a reverted call) never do. Node URLs and node
messages are logged, never put into an exception message, because provider URLs embed API keys.

Sync callers use the functions below; the `*_async` coroutines are for async code (a sync wrapper
called inside a running event loop raises RuntimeError).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import aiohttp
from asgiref.sync import async_to_sync
from django.conf import settings

if TYPE_CHECKING:
    from starknet_py.net.full_node_client import FullNodeClient

logger = logging.getLogger("blocra.starknet")

# 2**251: contract addresses live below it (starknet_py.constants.ADDR_BOUND is 2**251 - 256).
ADDRESS_BOUND = 2**251
# Account contracts live strictly between 0 and ADDR_BOUND.
ACCOUNT_ADDRESS_BOUND = 2**251 - 256
FIELD_PRIME = 2**251 + 17 * 2**192 + 1
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{1,64}$")

EXPECTED_SPEC_VERSION = "0.10.2"
# SNIP-6 answers: 'VALID' as a short string (current accounts) or 1 (legacy accounts).
SNIP6_VALID = 0x56414C4944
LEGACY_VALID = 1
TRANSFER_SELECTOR = 0x99CD8BDE557814842A3121E8DDFD433A539B8C9F14BF31EBF108D12E6196E9
APPROVAL_SELECTOR = 0x134692B230B9E1FFA39098904722134159652B09C5BC41D88D6698779D228FF
U128 = 2**128

SIGNIN_STATEMENT = "Sign in to {app}. This does not send a transaction or cost a fee."
LINK_STATEMENT = "Link this wallet to your {app} account. This does not send a transaction or cost a fee."

BlockId = int | Literal["latest", "pre_confirmed", "l1_accepted"]
_BLOCK_TAGS = ("latest", "pre_confirmed", "l1_accepted")

# JSON-RPC error codes with a definite meaning (Starknet spec 0.10).
RPC_CONTRACT_NOT_FOUND = 20
RPC_ENTRY_POINT_NOT_FOUND = 21
RPC_BLOCK_NOT_FOUND = 24
RPC_TRANSACTION_NOT_FOUND = 29
RPC_CONTRACT_ERROR = 40

T = TypeVar("T")


# --- Errors -----------------------------------------------------------------------------------------


class StarknetError(Exception):
    """Base of every error this module raises. `message` is safe to show an API client."""

    message = "The Starknet request failed."

    def __init__(self, message: str | None = None):
        self.message = message or self.message
        super().__init__(self.message)


class NodeError(StarknetError):
    """The node could not give an answer (node trouble); the next configured node is tried."""


class NodeUnavailable(NodeError):
    """No node could be reached, or the node refused service (HTTP 429/503). API: 503."""

    message = "The Starknet node is unavailable; try again later."


class NodeTimeout(NodeError):
    """The node did not answer within STARKNET_RPC_TIMEOUT. API: 504."""

    message = "The Starknet node did not answer in time; try again later."


class NodeBadResponse(NodeError):
    """The node answered, but not with a usable answer (HTTP error, malformed body, wrong chain). API: 502."""

    message = "The Starknet node answered incorrectly; try again later."


class ContractNotFound(StarknetError):
    """RPC code 20: no contract is deployed at the address."""

    message = "No contract is deployed at this address."


class AccountNotDeployed(ContractNotFound):
    """RPC code 20 while verifying a signature: the account is counterfactual (not deployed yet)."""

    message = "This account is not deployed on Starknet yet: deploy or activate your account first."


class EntryPointNotFound(StarknetError):
    """RPC code 21: the contract has no entry point of that name."""

    message = "The contract has no function of this name."


class ContractCallReverted(StarknetError):
    """RPC code 40: the call reverted (also how many nodes report a missing Cairo 1 entry point).

    `revert_error` holds the node's explanation, for logs only.
    """

    message = "The contract call reverted."

    def __init__(self, message: str | None = None, *, revert_error: Any = None):
        super().__init__(message)
        self.revert_error = revert_error


class TransactionNotFound(StarknetError):
    """RPC code 29: the node does not know the transaction (it may not have reached it yet)."""

    message = "The transaction is not known to the Starknet node."


class BlockNotFound(StarknetError):
    """RPC code 24: no such block."""

    message = "The block does not exist."


class UnexpectedContractAnswer(StarknetError):
    """The contract answered, but not in the shape its interface promises (e.g. a non-ERC-20)."""

    message = "The contract's answer has an unexpected shape."


class InvalidAddress(ValueError):
    """The text is not a Starknet address."""


# --- Plain results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """An event as carried by a receipt, or (with the block fields) as returned by getEvents."""

    from_address: int
    keys: list[int]
    data: list[int]
    transaction_hash: int | None = None
    block_number: int | None = None
    block_hash: int | None = None
    transaction_index: int | None = None
    event_index: int | None = None


@dataclass(frozen=True)
class Receipt:
    """A transaction receipt. `block_hash` is None while the transaction is pre-confirmed."""

    transaction_hash: int
    type: str
    execution_status: Literal["SUCCEEDED", "REVERTED"]
    finality_status: Literal["PRE_CONFIRMED", "ACCEPTED_ON_L2", "ACCEPTED_ON_L1"]
    block_number: int
    block_hash: int | None
    actual_fee: int
    fee_unit: str
    events: list[Event]
    revert_reason: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.execution_status == "SUCCEEDED"

    @property
    def accepted(self) -> bool:
        """Accepted on L2 or L1; a pre-confirmed transaction is not (yet)."""
        return self.finality_status in ("ACCEPTED_ON_L2", "ACCEPTED_ON_L1")


@dataclass(frozen=True)
class BlockTransaction:
    """One transaction of a block read with its receipt."""

    transaction_hash: int
    type: str
    sender_address: int | None
    execution_status: str
    actual_fee: int
    fee_unit: str
    events: list[Event]


@dataclass(frozen=True)
class Block:
    """A block header plus its transaction hashes (and, from get_block_with_receipts, the transactions)."""

    block_number: int
    block_hash: int | None
    parent_hash: int | None
    timestamp: int
    status: str
    transaction_hashes: list[int]
    transactions: list[BlockTransaction] = field(default_factory=list)


@dataclass(frozen=True)
class EventsPage:
    """Events of a bounded getEvents walk. `continuation_token` is set when more pages were left unread."""

    events: list[Event]
    continuation_token: str | None
    pages: int


@dataclass(frozen=True)
class TokenMetadata:
    address: str
    name: str
    symbol: str
    decimals: int


@dataclass(frozen=True)
class Erc20Event:
    """A decoded ERC-20 Transfer (`sender` -> `recipient`) or Approval (`sender` = owner, `recipient` = spender)."""

    kind: Literal["Transfer", "Approval"]
    token: int
    sender: int
    recipient: int
    amount: int


@dataclass(frozen=True)
class NodeStatus:
    """What `check_nodes` learned about one configured URL; `url` is redacted to scheme and host."""

    url: str
    ok: bool
    spec_version: str | None
    chain_id: str | None
    problem: str | None


# --- Addresses and felts ----------------------------------------------------------------------------


def normalize_address(value: str) -> str:
    """`0x` + 64 lowercase hex digits for a `0x` + 1..64 hex digit address below 2**251.

    Raises InvalidAddress for anything else.
    """
    if not isinstance(value, str) or not _ADDRESS.match(value.strip()):
        raise InvalidAddress("A Starknet address is 0x followed by 1 to 64 hexadecimal digits.")
    number = int(value.strip(), 16)
    if number >= ADDRESS_BOUND:
        raise InvalidAddress("The address is outside the Starknet address range.")
    return f"0x{number:064x}"


def address_to_int(value: str) -> int:
    return int(normalize_address(value), 16)


def normalize_account_address(value: str) -> str:
    """Like normalize_address, but also requires 0 < address < ADDR_BOUND (2**251 - 256), as for accounts."""
    normalized = normalize_address(value)
    if not 0 < int(normalized, 16) < ACCOUNT_ADDRESS_BOUND:
        raise InvalidAddress("The address is outside the range of Starknet account addresses.")
    return normalized


def parse_felt(value: str) -> int:
    """A felt from `0x`-hex or decimal text; ValueError unless it is 0 <= value < FIELD_PRIME."""
    if not isinstance(value, str):
        raise ValueError("A felt is sent as a hex (0x...) or decimal string.")
    text = value.strip()
    if re.fullmatch(r"0x[0-9a-fA-F]{1,64}", text):
        number = int(text, 16)
    elif re.fullmatch(r"[0-9]{1,78}", text):
        number = int(text)
    else:
        raise ValueError("A felt is a hex (0x...) or decimal string.")
    if number >= FIELD_PRIME:
        raise ValueError("The value is not below the Starknet field prime.")
    return number


def u256(low: int, high: int) -> int:
    return low + (high << 128)


# --- SNIP-12 sign-in message ------------------------------------------------------------------------


def signin_typed_data(
    *, address: str, nonce: str, issued_at: int, expires_at: int, statement: str | None = None
) -> dict[str, Any]:
    """The SNIP-12 (revision 1) typed data a wallet signs to sign in: domain = SIGNIN_APP_NAME, version
    "1", chainId = STARKNET_CHAIN_ID; the message names our site, the account, the nonce and the times
    (Unix seconds). `statement` defaults to the sign-in sentence."""
    app = settings.SIGNIN_APP_NAME
    return {
        "types": {
            "StarknetDomain": [
                {"name": "name", "type": "shortstring"},
                {"name": "version", "type": "shortstring"},
                {"name": "chainId", "type": "shortstring"},
                {"name": "revision", "type": "shortstring"},
            ],
            "SignIn": [
                {"name": "domain", "type": "shortstring"},
                {"name": "uri", "type": "string"},
                {"name": "statement", "type": "string"},
                {"name": "address", "type": "ContractAddress"},
                {"name": "nonce", "type": "shortstring"},
                {"name": "issuedAt", "type": "timestamp"},
                {"name": "expiresAt", "type": "timestamp"},
            ],
        },
        "primaryType": "SignIn",
        "domain": {"name": app, "version": "1", "chainId": settings.STARKNET_CHAIN_ID, "revision": "1"},
        "message": {
            "domain": settings.STARKNET_SIGNIN_DOMAIN,
            "uri": settings.STARKNET_SIGNIN_URI,
            "statement": statement if statement is not None else SIGNIN_STATEMENT.format(app=app),
            "address": address,
            "nonce": nonce,
            "issuedAt": int(issued_at),
            "expiresAt": int(expires_at),
        },
    }


def message_hash(typed_data: dict[str, Any], address: str | int) -> int:
    """The SNIP-12 message hash of `typed_data` for the signing account `address`."""
    from starknet_py.utils.typed_data import TypedData

    account = address if isinstance(address, int) else int(address, 16)
    return TypedData.from_dict(typed_data).message_hash(account)


# --- Transport --------------------------------------------------------------------------------------


_version_warning_is_error = False


def _starknet_py():
    """starknet-py's HTTP module. A node speaking another spec version than the one starknet-py parses
    is node trouble: its IncompatibleRPCVersionWarning is made an error (once per process), which the
    failover loop catches; pyproject.toml does the same for the tests."""
    global _version_warning_is_error
    from starknet_py.net import http_client

    if not _version_warning_is_error:
        warnings.filterwarnings("error", category=http_client.IncompatibleRPCVersionWarning)
        _version_warning_is_error = True
    return http_client


def _redacted(url: str) -> str:
    """Scheme and host of a node URL: paths and query strings may carry API keys."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


def _rpc_code(exc: BaseException) -> int | None:
    """The JSON-RPC error code of a starknet-py ClientError (int); None for HTTP errors (str codes)."""
    from starknet_py.net.client_errors import ClientError as RpcClientError

    if isinstance(exc, RpcClientError) and isinstance(exc.code, int) and not isinstance(exc.code, bool):
        return exc.code
    return None


def _classify(exc: BaseException) -> NodeError:
    """Map a transport or parsing failure to the node-trouble class it stands for."""
    from marshmallow import ValidationError
    from starknet_py.net.client_errors import ClientError as RpcClientError

    http_client = _starknet_py()
    if isinstance(exc, NodeError):
        return exc
    # aiohttp's socket timeouts are both TimeoutError and aiohttp.ClientError: timeouts first.
    if isinstance(exc, TimeoutError):
        return NodeTimeout()
    if isinstance(exc, aiohttp.ClientConnectionError):
        return NodeUnavailable()
    if isinstance(exc, RpcClientError) and isinstance(exc.code, str):
        return NodeUnavailable() if exc.code in ("429", "503") else NodeBadResponse()
    if isinstance(
        exc,
        RpcClientError
        | http_client.ServerError
        | http_client.IncompatibleRPCVersionWarning
        | aiohttp.ClientError
        | ValidationError
        | ValueError
        | KeyError
        | TypeError
        | AttributeError
        | IndexError,
    ):
        return NodeBadResponse()
    raise exc


def _client_timeout() -> aiohttp.ClientTimeout:
    return aiohttp.ClientTimeout(
        total=settings.STARKNET_RPC_TIMEOUT, sock_connect=settings.STARKNET_RPC_CONNECT_TIMEOUT
    )


def _chain_id_text(value: Any) -> str:
    from starknet_py.cairo.felt import decode_shortstring

    if not isinstance(value, str) or not value.startswith("0x"):
        raise NodeBadResponse()
    return decode_shortstring(int(value, 16))


async def _with_node(operation: Callable[[FullNodeClient], Awaitable[T]], name: str) -> T:
    """Run `operation` against the configured nodes in order until one answers.

    Each node gets STARKNET_RPC_TIMEOUT seconds for the whole operation. Definitive answers
    (StarknetError that is not NodeError) end the loop at once; node trouble is logged and the next
    node is tried; when every node failed, the last node's trouble is raised.
    """
    from starknet_py.net.full_node_client import FullNodeClient

    _starknet_py()
    urls = list(settings.STARKNET_RPC_URLS)
    if not urls:
        raise NodeUnavailable("Starknet RPC is not configured.")
    trouble: NodeError = NodeUnavailable()
    for url in urls:
        try:
            # aiohttp's timeout bounds each request; asyncio's bounds the whole operation on this node.
            async with (
                asyncio.timeout(settings.STARKNET_RPC_TIMEOUT),
                aiohttp.ClientSession(timeout=_client_timeout()) as session,
            ):
                client = FullNodeClient(node_url=url, session=session)
                chain_id = _chain_id_text(await client.get_chain_id())
                if chain_id != settings.STARKNET_CHAIN_ID:
                    logger.error(
                        "starknet node %s is on chain %s, not %s: skipped",
                        _redacted(url),
                        chain_id,
                        settings.STARKNET_CHAIN_ID,
                    )
                    raise NodeBadResponse()
                return await operation(client)
        except StarknetError as exc:
            if not isinstance(exc, NodeError):
                raise
            trouble = exc
            logger.warning("starknet %s failed on %s: %s", name, _redacted(url), type(exc).__name__)
        except Exception as exc:  # classified below: anything unknown is re-raised by _classify
            trouble = _classify(exc)
            logger.warning(
                "starknet %s failed on %s: %s: %s",
                name,
                _redacted(url),
                type(exc).__name__,
                getattr(exc, "message", None) or str(exc)[:500],
            )
    raise trouble


def _run(coroutine_function: Callable[..., Awaitable[T]], *args: Any, **kwargs: Any) -> T:
    return async_to_sync(coroutine_function)(*args, **kwargs)


def _block_kwargs(block: BlockId) -> dict[str, Any]:
    if isinstance(block, bool) or not ((isinstance(block, int) and block >= 0) or block in _BLOCK_TAGS):
        raise ValueError(f"A block is a number >= 0 or one of {', '.join(_BLOCK_TAGS)}.")
    return {"block_number": block}


async def _call(client: FullNodeClient, address: int, function_name: str, calldata: Sequence[int], block: BlockId):
    from starknet_py.hash.selector import get_selector_from_name
    from starknet_py.net.client_models import Call

    call = Call(to_addr=address, selector=get_selector_from_name(function_name), calldata=list(calldata))
    try:
        return await client.call_contract(call, **_block_kwargs(block))
    except Exception as exc:
        code = _rpc_code(exc)
        if code == RPC_CONTRACT_NOT_FOUND:
            raise ContractNotFound() from exc
        if code == RPC_ENTRY_POINT_NOT_FOUND:
            raise EntryPointNotFound() from exc
        if code == RPC_CONTRACT_ERROR:
            revert_error = exc.data.get("revert_error") if isinstance(exc.data, dict) else exc.data  # type: ignore[attr-defined]
            logger.info("starknet call %s reverted: %s", function_name, str(revert_error)[:500])
            raise ContractCallReverted(revert_error=revert_error) from exc
        if code == RPC_BLOCK_NOT_FOUND:
            raise BlockNotFound() from exc
        raise


async def _call_view(
    client: FullNodeClient, address: int, names: Sequence[str], calldata: Sequence[int], block: BlockId
) -> list[int]:
    """Call the first of `names` the contract has: a missing entry point (21) or a revert (40, how
    Cairo 1 nodes report a missing one) moves on to the next name."""
    last: StarknetError = EntryPointNotFound()
    for function_name in names:
        try:
            return await _call(client, address, function_name, calldata, block)
        except (EntryPointNotFound, ContractCallReverted) as exc:
            last = exc
    raise last


# --- Operations -------------------------------------------------------------------------------------


def _event(raw: Any) -> Event:
    return Event(
        from_address=raw.from_address,
        keys=list(raw.keys),
        data=list(raw.data),
        transaction_hash=getattr(raw, "transaction_hash", None),
        block_number=getattr(raw, "block_number", None),
        block_hash=getattr(raw, "block_hash", None),
        transaction_index=getattr(raw, "transaction_index", None),
        event_index=getattr(raw, "event_index", None),
    )


async def verify_signature_async(address: str, msg_hash: int, signature: Sequence[int]) -> bool:
    """See verify_signature."""
    account = address_to_int(address)
    calldata = [msg_hash, len(signature), *signature]

    async def operation(client: FullNodeClient) -> bool:
        for function_name in ("is_valid_signature", "isValidSignature"):
            try:
                result = await _call(client, account, function_name, calldata, "latest")
            except ContractNotFound as exc:
                raise AccountNotDeployed() from exc
            except (EntryPointNotFound, ContractCallReverted):
                # Accounts revert on a bad signature; older ones only have the camelCase name.
                continue
            return bool(result) and result[0] in (SNIP6_VALID, LEGACY_VALID)
        return False

    return await _with_node(operation, "verify_signature")


def verify_signature(address: str, msg_hash: int, signature: Sequence[int]) -> bool:
    """Ask the account contract (SNIP-6 `is_valid_signature`, then `isValidSignature`) whether
    `signature` signs `msg_hash`. True only for 'VALID' or 1; a revert or missing entry point is False.

    Raises AccountNotDeployed (code 20) and NodeError subclasses (node trouble).
    """
    return _run(verify_signature_async, address, msg_hash, signature)


async def call_contract_async(
    address: str, function_name: str, calldata: Sequence[int], block: BlockId = "latest"
) -> list[int]:
    """See call_contract."""
    target = address_to_int(address)
    _block_kwargs(block)

    async def operation(client: FullNodeClient) -> list[int]:
        return await _call(client, target, function_name, calldata, block)

    return await _with_node(operation, "call")


def call_contract(address: str, function_name: str, calldata: Sequence[int], block: BlockId = "latest") -> list[int]:
    """Call a view function; the result felts as ints.

    Raises ContractNotFound, EntryPointNotFound, ContractCallReverted, BlockNotFound, NodeError.
    """
    return _run(call_contract_async, address, function_name, calldata, block)


def camel_case(function_name: str) -> str:
    """`balance_of` -> `balanceOf`: the name older (Cairo 0) tokens use."""
    head, *rest = function_name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


async def call_view_async(
    address: str, function_name: str, calldata: Sequence[int], block: BlockId = "latest"
) -> list[int]:
    """See call_view."""
    target = address_to_int(address)
    names = list(dict.fromkeys([function_name, camel_case(function_name)]))
    _block_kwargs(block)

    async def operation(client: FullNodeClient) -> list[int]:
        return await _call_view(client, target, names, calldata, block)

    return await _with_node(operation, "call")


def call_view(address: str, function_name: str, calldata: Sequence[int], block: BlockId = "latest") -> list[int]:
    """call_contract with the snake_case name, falling back to its camelCase twin on 21 or 40."""
    return _run(call_view_async, address, function_name, calldata, block)


def decode_string(felts: Sequence[int]) -> str:
    """A Cairo string answer: one felt is a short string, n + 3 felts a ByteArray.

    Raises UnexpectedContractAnswer for anything else.
    """
    from starknet_py.cairo.felt import decode_shortstring
    from starknet_py.serialization.data_serializers.byte_array_serializer import ByteArraySerializer

    try:
        if len(felts) == 1:
            return decode_shortstring(felts[0])
        if len(felts) >= 3 and len(felts) == felts[0] + 3:
            return ByteArraySerializer().deserialize(list(felts))
    except Exception as exc:  # starknet-py raises several error types for undecodable felts
        raise UnexpectedContractAnswer("The contract's string answer cannot be decoded.") from exc
    raise UnexpectedContractAnswer("The contract's string answer is neither a short string nor a ByteArray.")


def _u256(felts: Sequence[int]) -> int:
    if len(felts) != 2 or not all(0 <= part < U128 for part in felts):
        raise UnexpectedContractAnswer("The contract's amount is not a u256.")
    return u256(felts[0], felts[1])


async def erc20_metadata_async(token_address: str) -> TokenMetadata:
    """See erc20_metadata (without the cache)."""
    token = address_to_int(token_address)

    async def operation(client: FullNodeClient) -> TokenMetadata:
        name = decode_string(await _call(client, token, "name", [], "latest"))
        symbol = decode_string(await _call(client, token, "symbol", [], "latest"))
        decimals = await _call(client, token, "decimals", [], "latest")
        if len(decimals) != 1 or not 0 <= decimals[0] <= 255:
            raise UnexpectedContractAnswer("The token's decimals are not a u8.")
        return TokenMetadata(address=f"0x{token:064x}", name=name, symbol=symbol, decimals=decimals[0])

    return await _with_node(operation, "erc20_metadata")


ERC20_METADATA_CACHE_SECONDS = 24 * 3600


def erc20_metadata(token_address: str) -> TokenMetadata:
    """Name, symbol (short string or ByteArray) and decimals of an ERC-20, cached per (chain, token).

    Raises ContractNotFound, EntryPointNotFound/ContractCallReverted (not an ERC-20),
    UnexpectedContractAnswer, NodeError.
    """
    from django.core.cache import cache

    key = f"starknet:erc20:{settings.STARKNET_CHAIN_ID}:{normalize_address(token_address)}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return TokenMetadata(**cached)
    metadata = _run(erc20_metadata_async, token_address)
    cache.set(key, asdict(metadata), ERC20_METADATA_CACHE_SECONDS)
    return metadata


async def erc20_balance_of_async(token_address: str, account: str, block: BlockId = "latest") -> int:
    """See erc20_balance_of."""
    token, holder = address_to_int(token_address), address_to_int(account)
    _block_kwargs(block)

    async def operation(client: FullNodeClient) -> int:
        return _u256(await _call_view(client, token, ["balance_of", "balanceOf"], [holder], block))

    return await _with_node(operation, "erc20_balance_of")


def erc20_balance_of(token_address: str, account: str, block: BlockId = "latest") -> int:
    """The token balance of `account` in base units (u256 `balance_of`, else `balanceOf`)."""
    return _run(erc20_balance_of_async, token_address, account, block)


async def erc20_total_supply_async(token_address: str, block: BlockId = "latest") -> int:
    """See erc20_total_supply."""
    token = address_to_int(token_address)
    _block_kwargs(block)

    async def operation(client: FullNodeClient) -> int:
        return _u256(await _call_view(client, token, ["total_supply", "totalSupply"], [], block))

    return await _with_node(operation, "erc20_total_supply")


def erc20_total_supply(token_address: str, block: BlockId = "latest") -> int:
    """The token's total supply in base units (u256 `total_supply`, else `totalSupply`)."""
    return _run(erc20_total_supply_async, token_address, block)


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
        events=[_event(event) for event in raw.events],
        revert_reason=raw.revert_reason,
    )


async def get_transaction_receipt_async(tx_hash: int) -> Receipt:
    """See get_transaction_receipt."""

    async def operation(client: FullNodeClient) -> Receipt:
        try:
            raw = await client.get_transaction_receipt(tx_hash)
        except Exception as exc:
            if _rpc_code(exc) == RPC_TRANSACTION_NOT_FOUND:
                raise TransactionNotFound() from exc
            raise
        return _receipt(raw)

    return await _with_node(operation, "get_transaction_receipt")


def get_transaction_receipt(tx_hash: int) -> Receipt:
    """The receipt of a transaction. Raises TransactionNotFound (29) and NodeError."""
    return _run(get_transaction_receipt_async, tx_hash)


async def get_block_number_async() -> int:
    """See get_block_number."""

    async def operation(client: FullNodeClient) -> int:
        number = await client.get_block_number()
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise NodeBadResponse()
        return number

    return await _with_node(operation, "get_block_number")


def get_block_number() -> int:
    """The number of the latest accepted block."""
    return _run(get_block_number_async)


def _block(raw: Any, transactions: list[BlockTransaction] | None = None) -> Block:
    status = getattr(raw, "status", None)
    hashes = list(raw.transactions) if transactions is None else [tx.transaction_hash for tx in transactions]
    return Block(
        block_number=raw.block_number,
        block_hash=getattr(raw, "block_hash", None),
        parent_hash=getattr(raw, "parent_hash", None),
        timestamp=raw.timestamp,
        status=status.value if status is not None else "PRE_CONFIRMED",
        transaction_hashes=hashes,
        transactions=transactions or [],
    )


async def _get_block(client: FullNodeClient, block: BlockId, with_receipts: bool) -> Block:
    try:
        if not with_receipts:
            return _block(await client.get_block_with_tx_hashes(**_block_kwargs(block)))
        raw = await client.get_block_with_receipts(**_block_kwargs(block))
    except Exception as exc:
        if _rpc_code(exc) == RPC_BLOCK_NOT_FOUND:
            raise BlockNotFound() from exc
        raise
    transactions = [
        BlockTransaction(
            transaction_hash=item.receipt.transaction_hash,
            type=item.receipt.type.value,
            sender_address=getattr(item.transaction, "sender_address", None),
            execution_status=item.receipt.execution_status.value,
            actual_fee=item.receipt.actual_fee.amount,
            fee_unit=item.receipt.actual_fee.unit.value,
            events=[_event(event) for event in item.receipt.events],
        )
        for item in raw.transactions
    ]
    return _block(raw, transactions)


async def get_block_async(block: BlockId = "latest", *, with_receipts: bool = False) -> Block:
    """See get_block."""
    _block_kwargs(block)

    async def operation(client: FullNodeClient) -> Block:
        return await _get_block(client, block, with_receipts)

    return await _with_node(operation, "get_block")


def get_block(block: BlockId = "latest", *, with_receipts: bool = False) -> Block:
    """A block with its timestamp and transaction hashes; `with_receipts` also reads every transaction
    with its receipt (sender, status, fee, events). Raises BlockNotFound (24) and NodeError."""
    return _run(get_block_async, block, with_receipts=with_receipts)


async def get_block_timestamps_async(block_numbers: Sequence[int]) -> dict[int, int]:
    """See get_block_timestamps."""
    for number in block_numbers:
        _block_kwargs(number)

    async def operation(client: FullNodeClient) -> dict[int, int]:
        out: dict[int, int] = {}
        for number in dict.fromkeys(block_numbers):
            out[number] = (await _get_block(client, number, False)).timestamp
        return out

    return await _with_node(operation, "get_block_timestamps")


def get_block_timestamps(block_numbers: Sequence[int]) -> dict[int, int]:
    """{block number: Unix timestamp} for the given blocks, read in one operation (one call per block:
    callers bound the list)."""
    return _run(get_block_timestamps_async, block_numbers)


async def get_blocks_async(blocks: Sequence[BlockId], *, with_receipts: bool = False) -> list[Block]:
    """See get_blocks."""
    for block in blocks:
        _block_kwargs(block)

    async def operation(client: FullNodeClient) -> list[Block]:
        return [await _get_block(client, block, with_receipts) for block in blocks]

    return await _with_node(operation, "get_blocks")


def get_blocks(blocks: Sequence[BlockId], *, with_receipts: bool = False) -> list[Block]:
    """The given blocks, in order, read in one operation (one call per block: callers bound the list).
    Raises BlockNotFound (24) and NodeError."""
    return _run(get_blocks_async, blocks, with_receipts=with_receipts)


async def first_block_at_async(timestamp: int, *, low: int, high: int) -> int:
    """See first_block_at."""
    if not 0 <= low <= high:
        raise ValueError("first_block_at needs 0 <= low <= high.")

    async def operation(client: FullNodeClient) -> int:
        lo, hi = low, high + 1
        while lo < hi:
            middle = (lo + hi) // 2
            if (await _get_block(client, middle, False)).timestamp >= timestamp:
                hi = middle
            else:
                lo = middle + 1
        return lo

    return await _with_node(operation, "first_block_at")


def first_block_at(timestamp: int, *, low: int, high: int) -> int:
    """The first block in [low, high] whose timestamp is >= `timestamp` (high + 1 when none is), found
    by binary search in one operation: at most ceil(log2(high - low + 2)) block reads.
    Raises BlockNotFound (24) and NodeError."""
    return _run(first_block_at_async, timestamp, low=low, high=high)


async def get_events_async(
    *,
    address: str | None,
    from_block: BlockId,
    to_block: BlockId,
    keys: Sequence[Sequence[int]] | None = None,
    chunk_size: int = 100,
    max_pages: int = 1,
    continuation_token: str | None = None,
) -> EventsPage:
    """See get_events."""
    emitter = address_to_int(address) if address is not None else None
    if chunk_size < 1 or max_pages < 1:
        raise ValueError("chunk_size and max_pages must be at least 1.")
    _block_kwargs(from_block)
    _block_kwargs(to_block)

    async def operation(client: FullNodeClient) -> EventsPage:
        events: list[Event] = []
        token = continuation_token
        pages = 0
        while pages < max_pages:
            chunk = await client.get_events(
                address=emitter,
                keys=[list(position) for position in keys or []],
                from_block_number=from_block,
                to_block_number=to_block,
                chunk_size=chunk_size,
                continuation_token=token,
            )
            pages += 1
            events.extend(_event(event) for event in chunk.events)
            token = chunk.continuation_token
            if token is None:
                break
        return EventsPage(events=events, continuation_token=token, pages=pages)

    return await _with_node(operation, "get_events")


def get_events(
    *,
    address: str | None,
    from_block: BlockId,
    to_block: BlockId,
    keys: Sequence[Sequence[int]] | None = None,
    chunk_size: int = 100,
    max_pages: int = 1,
    continuation_token: str | None = None,
) -> EventsPage:
    """Events emitted by `address` in [from_block, to_block] matching the positional `keys` filter,
    read `chunk_size` at a time for at most `max_pages` pages. A returned continuation token means the
    walk stopped early; pass it back to go on. Node-side 31/33 (page size, token) count as NodeError."""
    return _run(
        get_events_async,
        address=address,
        from_block=from_block,
        to_block=to_block,
        keys=keys,
        chunk_size=chunk_size,
        max_pages=max_pages,
        continuation_token=continuation_token,
    )


async def _contract_state_read(address: str, block: BlockId, method: str, name: str) -> int:
    """One per-contract state read (`client.<method>(address, block)`), with 20 and 24 as domain errors."""
    target = address_to_int(address)
    _block_kwargs(block)

    async def operation(client: FullNodeClient) -> int:
        try:
            return await getattr(client, method)(target, **_block_kwargs(block))
        except Exception as exc:
            if _rpc_code(exc) == RPC_CONTRACT_NOT_FOUND:
                raise ContractNotFound() from exc
            if _rpc_code(exc) == RPC_BLOCK_NOT_FOUND:
                raise BlockNotFound() from exc
            raise

    return await _with_node(operation, name)


async def get_class_hash_at_async(address: str, block: BlockId = "latest") -> int:
    """See get_class_hash_at."""
    return await _contract_state_read(address, block, "get_class_hash_at", "get_class_hash_at")


def get_class_hash_at(address: str, block: BlockId = "latest") -> int:
    """The class hash of the contract at `address`. Raises ContractNotFound (20), BlockNotFound, NodeError."""
    return _run(get_class_hash_at_async, address, block)


async def get_nonce_async(address: str, block: BlockId = "latest") -> int:
    """See get_nonce."""
    return await _contract_state_read(address, block, "get_contract_nonce", "get_nonce")


def get_nonce(address: str, block: BlockId = "latest") -> int:
    """The nonce of the contract at `address`. Raises ContractNotFound (20), BlockNotFound, NodeError."""
    return _run(get_nonce_async, address, block)


async def get_chain_id_async() -> str:
    """See get_chain_id."""

    async def operation(client: FullNodeClient) -> str:
        return _chain_id_text(await client.get_chain_id())

    return await _with_node(operation, "get_chain_id")


def get_chain_id() -> str:
    """The chain id of the first working node, as text (`SN_MAIN`, `SN_SEPOLIA`)."""
    return _run(get_chain_id_async)


# --- Deploy-time check ------------------------------------------------------------------------------


async def _raw_call(session: aiohttp.ClientSession, url: str, method: str) -> Any:
    payload = {"jsonrpc": "2.0", "method": method, "id": 0, "params": []}
    async with session.post(url, json=payload) as response:
        if response.status >= 300:
            raise NodeBadResponse(f"HTTP {response.status} for {method}")
        try:
            body = json.loads(await response.text())
        except ValueError as exc:
            raise NodeBadResponse(f"{method} did not answer JSON") from exc
    if not isinstance(body, dict) or "result" not in body:
        error = body.get("error") if isinstance(body, dict) else None
        code = error.get("code") if isinstance(error, dict) else None
        raise NodeBadResponse(f"{method} answered no result (error code {code})")
    return body["result"]


async def check_nodes_async() -> list[NodeStatus]:
    """See check_nodes."""
    statuses = []
    for url in settings.STARKNET_RPC_URLS:
        spec_version = chain_id = None
        problem = None
        try:
            async with aiohttp.ClientSession(timeout=_client_timeout()) as session:
                spec_version = await _raw_call(session, url, "starknet_specVersion")
                chain_id = _chain_id_text(await _raw_call(session, url, "starknet_chainId"))
        except TimeoutError:
            problem = "timed out"
        except aiohttp.ClientError as exc:
            problem = f"unreachable ({type(exc).__name__})"
        except StarknetError as exc:
            problem = exc.message
        except ValueError:
            problem = "chain id is not a short string"
        if problem is None and spec_version != EXPECTED_SPEC_VERSION:
            problem = f"spec version {spec_version}, expected {EXPECTED_SPEC_VERSION} (use the v0_10 endpoint)"
        if problem is None and chain_id != settings.STARKNET_CHAIN_ID:
            problem = f"chain {chain_id}, expected {settings.STARKNET_CHAIN_ID}"
        statuses.append(
            NodeStatus(
                url=_redacted(url),
                ok=problem is None,
                spec_version=spec_version if isinstance(spec_version, str) else None,
                chain_id=chain_id,
                problem=problem,
            )
        )
    return statuses


def check_nodes() -> list[NodeStatus]:
    """Ask every configured node for its spec version and chain id (no failover: each is reported)."""
    return _run(check_nodes_async)
