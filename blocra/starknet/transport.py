"""Transport and failover: every operation of the client runs through `run`.

An operation is a coroutine taking a starknet-py `FullNodeClient`. `run` executes it once, from sync
code, against the nodes of `STARKNET_RPC_URLS` in order: each node gets a fresh aiohttp session with
the configured timeouts, and its chain id is checked first (starknet-py sends `starknet_specVersion`
before that), so a node on the wrong chain or spec is skipped. Node trouble (connect error, timeout,
HTTP >= 300, malformed answer, wrong chain or spec) moves on to the next node; definitive RPC answers
(contract, entry point, transaction or block not found, a reverted call) end the loop at once.

Every operation is counted (blocra.metrics) by name and outcome, with its time, and so is every try on
a node: `outcome` names how it ended (ok, chain_answer, timeout, unavailable, bad_response,
breaker_open, busy, error).

The bulkhead guards every operation: it holds a chain-call slot while it runs (`slots`; all slots in use
is a 503 at once), and a node whose circuit is open after repeated timeouts is skipped (`breaker`), so a
hung node costs one STARKNET_RPC_TIMEOUT per operation only until its circuit opens. An operation's worst
case is STARKNET_RPC_TIMEOUT per configured node whose circuit is closed.

starknet-py's heavy modules, and aiohttp under them, are imported inside the functions that use them:
importing the client for address helpers costs nothing at start-up, and each gunicorn worker loads them
at its first chain operation (deploy/gunicorn.conf.py and the README's gunicorn section say why not in
the master).
"""

import asyncio
import logging
import math
import time
import warnings
from collections.abc import Awaitable, Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from asgiref.sync import async_to_sync
from django.conf import settings

from blocra import metrics
from blocra.starknet.breaker import circuit_record, circuit_wait
from blocra.starknet.errors import (
    NodeBadResponse,
    NodeBusy,
    NodeCircuitOpen,
    NodeError,
    NodeTimeout,
    NodeUnavailable,
    StarknetError,
)
from blocra.starknet.slots import chain_slot
from blocra.starknet.types import BLOCK_TAGS, BlockId

if TYPE_CHECKING:
    import aiohttp
    from starknet_py.net.full_node_client import FullNodeClient

logger = logging.getLogger("blocra.starknet")

T = TypeVar("T")
Operation = Callable[["FullNodeClient"], Awaitable[T]]

# JSON-RPC error codes with a definite meaning (Starknet spec 0.10).
RPC_CONTRACT_NOT_FOUND = 20
RPC_ENTRY_POINT_NOT_FOUND = 21
RPC_BLOCK_NOT_FOUND = 24
RPC_TRANSACTION_NOT_FOUND = 29
RPC_CONTRACT_ERROR = 40

_version_warning_is_error = False


def starknet_py_http() -> ModuleType:
    """starknet-py's HTTP module. A node speaking another spec version than the one starknet-py parses
    is node trouble: its IncompatibleRPCVersionWarning is made an error (once per process), which the
    failover loop catches; pyproject.toml does the same for the tests."""
    global _version_warning_is_error
    from starknet_py.net import http_client

    if not _version_warning_is_error:
        warnings.filterwarnings("error", category=http_client.IncompatibleRPCVersionWarning)
        _version_warning_is_error = True
    return http_client


def redacted(url: str) -> str:
    """Scheme and host of a node URL: paths and query strings may carry API keys."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"


def rpc_code(exc: BaseException) -> int | None:
    """The JSON-RPC error code of a starknet-py ClientError (int); None for HTTP errors (str codes)."""
    from starknet_py.net.client_errors import ClientError as RpcClientError

    if isinstance(exc, RpcClientError) and isinstance(exc.code, int) and not isinstance(exc.code, bool):
        return exc.code
    return None


def _classify(exc: BaseException) -> NodeError:
    """Map a transport or parsing failure to the node-trouble class it stands for; re-raise the rest."""
    import aiohttp
    from marshmallow import ValidationError
    from starknet_py.net.client_errors import ClientError as RpcClientError

    http_client = starknet_py_http()
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


def outcome(exc: BaseException | None) -> str:
    """How an operation, or one try of it on a node, ended: the `outcome` label of its metrics."""
    if exc is None:
        return "ok"
    for kind, name in (
        (NodeBusy, "busy"),
        (NodeCircuitOpen, "breaker_open"),
        (NodeTimeout, "timeout"),
        (NodeUnavailable, "unavailable"),
        (NodeError, "bad_response"),
        (StarknetError, "chain_answer"),
    ):
        if isinstance(exc, kind):
            return name
    return "error"


def client_timeout() -> "aiohttp.ClientTimeout":
    import aiohttp

    return aiohttp.ClientTimeout(
        total=settings.STARKNET_RPC_TIMEOUT, sock_connect=settings.STARKNET_RPC_CONNECT_TIMEOUT
    )


def chain_id_text(value: Any) -> str:
    """A node's `starknet_chainId` answer (hex of a short string) as text; NodeBadResponse otherwise."""
    from starknet_py.cairo.felt import decode_shortstring

    if not isinstance(value, str) or not value.startswith("0x"):
        raise NodeBadResponse()
    return decode_shortstring(int(value, 16))


async def _on_node(operation: Operation[T], url: str) -> T:
    """Run `operation` on one node within STARKNET_RPC_TIMEOUT, after checking the node's chain id."""
    import aiohttp
    from starknet_py.net.full_node_client import FullNodeClient

    # aiohttp's timeout bounds each request; asyncio's bounds the whole operation on this node.
    async with (
        asyncio.timeout(settings.STARKNET_RPC_TIMEOUT),
        aiohttp.ClientSession(timeout=client_timeout()) as session,
    ):
        client = FullNodeClient(node_url=url, session=session)
        chain_id = chain_id_text(await client.get_chain_id())
        if chain_id != settings.STARKNET_CHAIN_ID:
            logger.error(
                "starknet node %s is on chain %s, not %s: skipped",
                redacted(url),
                chain_id,
                settings.STARKNET_CHAIN_ID,
            )
            raise NodeBadResponse()
        return await operation(client)


async def _with_node(operation: Operation[T], name: str) -> T:
    """Run `operation` against the configured nodes in order until one answers.

    Each node gets STARKNET_RPC_TIMEOUT seconds for the whole operation; a node whose circuit is open
    is skipped at once. Definitive answers (StarknetError that is not NodeError) end the loop at once;
    node trouble is logged and the next node is tried; when every node failed, the last node's trouble
    is raised (NodeUnavailable with `retry_after` for a skipped one).
    """
    starknet_py_http()
    urls = list(settings.STARKNET_RPC_URLS)
    if not urls:
        raise NodeUnavailable("Starknet RPC is not configured.")
    trouble: NodeError = NodeUnavailable()
    for url in urls:
        wait = circuit_wait(url)
        if wait is not None:
            trouble = NodeCircuitOpen(retry_after=max(1, math.ceil(wait)))
            metrics.starknet_node_attempt(node=redacted(url), outcome=outcome(trouble))
            logger.info("starknet %s skipped %s: its circuit is open", name, redacted(url))
            continue
        try:
            result = await _on_node(operation, url)
        except StarknetError as exc:
            if not isinstance(exc, NodeError):
                metrics.starknet_node_attempt(node=redacted(url), outcome=outcome(exc))
                circuit_record(url, timed_out=False)
                raise
            trouble = exc
            logger.warning("starknet %s failed on %s: %s", name, redacted(url), type(exc).__name__)
        except Exception as exc:  # classified below: anything unknown is re-raised by _classify
            trouble = _classify(exc)
            logger.warning(
                "starknet %s failed on %s: %s: %s",
                name,
                redacted(url),
                type(exc).__name__,
                getattr(exc, "message", None) or str(exc)[:500],
            )
        else:
            metrics.starknet_node_attempt(node=redacted(url), outcome=outcome(None))
            circuit_record(url, timed_out=False)
            return result
        metrics.starknet_node_attempt(node=redacted(url), outcome=outcome(trouble))
        if circuit_record(url, timed_out=isinstance(trouble, NodeTimeout)):
            logger.warning(
                "starknet node %s timed out %d operations in a row: skipped for %s s",
                redacted(url),
                settings.STARKNET_BREAKER_THRESHOLD,
                settings.STARKNET_BREAKER_COOLDOWN,
            )
    raise trouble


def run(operation: Operation[T], name: str) -> T:
    """Run one operation with failover, from sync code (not from inside a running event loop), holding a
    chain-call slot, and count it under `name`. Raises NodeBusy at once when every slot is in use."""
    started = time.perf_counter()
    failure: BaseException | None = None
    try:
        with chain_slot():
            return async_to_sync(_with_node)(operation, name)
    except BaseException as exc:
        failure = exc
        raise
    finally:
        metrics.starknet_operation_observe(
            operation=name, outcome=outcome(failure), seconds=time.perf_counter() - started
        )


def block_kwargs(block: BlockId) -> dict[str, Any]:
    """starknet-py's block argument for `block`; ValueError unless a number >= 0 or a known tag."""
    if isinstance(block, bool) or not ((isinstance(block, int) and block >= 0) or block in BLOCK_TAGS):
        raise ValueError(f"A block is a number >= 0 or one of {', '.join(BLOCK_TAGS)}.")
    return {"block_number": block}
