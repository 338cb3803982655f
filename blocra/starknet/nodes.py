"""The deploy-time check of every configured node (`manage.py check_starknet_nodes`)."""

import json
from typing import TYPE_CHECKING, Any

from asgiref.sync import async_to_sync
from django.conf import settings

from blocra.starknet.errors import NodeBadResponse, StarknetError
from blocra.starknet.transport import chain_id_text, client_timeout, redacted
from blocra.starknet.types import NodeStatus

if TYPE_CHECKING:
    import aiohttp

EXPECTED_SPEC_VERSION = "0.10.2"


async def _raw_call(session: "aiohttp.ClientSession", url: str, method: str) -> Any:
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


async def _check_node(url: str) -> NodeStatus:
    import aiohttp  # loaded by the first chain operation, not at start-up (blocra.starknet.transport)

    spec_version: Any = None
    chain_id: str | None = None
    problem: str | None = None
    try:
        async with aiohttp.ClientSession(timeout=client_timeout()) as session:
            spec_version = await _raw_call(session, url, "starknet_specVersion")
            chain_id = chain_id_text(await _raw_call(session, url, "starknet_chainId"))
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
    return NodeStatus(
        url=redacted(url),
        ok=problem is None,
        spec_version=spec_version if isinstance(spec_version, str) else None,
        chain_id=chain_id,
        problem=problem,
    )


async def _check_all() -> list[NodeStatus]:
    return [await _check_node(url) for url in settings.STARKNET_RPC_URLS]


def check_nodes() -> list[NodeStatus]:
    """Ask every configured node for its spec version and chain id (no failover: each is reported)."""
    return async_to_sync(_check_all)()
