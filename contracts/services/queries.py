"""Contract queries: run on Starknet now (one client operation; two for `erc20_info` without cached
metadata; `events` as in contracts.services.events) and recorded, failed or not; deleting them.

A definitive chain answer is worded by `contracts.errors.chain_answer_error` (404/400); node trouble
answers 502/503/504. Either way the failed query is recorded and named in the answer (`query_id`)."""

import time
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction

from accounts.models import User
from accounts.services import activity_record
from blocra import starknet
from blocra.errors import starknet_trouble
from contracts.block_ranges import block_range_resolve
from contracts.chain_data import receipt_json
from contracts.errors import ContractQueryNotFound, chain_answer_error
from contracts.models import ContractQuery
from contracts.selectors import contract_query_visible
from contracts.services.events import events_read


def contract_query_record(
    *,
    user: User,
    contract_address: str,
    query_type: str,
    parameters: dict[str, Any] | None = None,
    result: Any = None,
    error: str | None = None,
    duration_ms: int | None = None,
) -> ContractQuery:
    """Store the outcome of a query already run on the chain: `failed` when `error` is given. Logged
    as `contract.query` in the same transaction.

    `contract_address` must be normalised (blocra.starknet.normalize_address).
    """
    failed = error is not None
    with transaction.atomic():
        query = ContractQuery.objects.create(
            user=user,
            contract_address=contract_address,
            query_type=query_type,
            parameters=parameters or {},
            result=None if failed else result,
            status=ContractQuery.Status.FAILED if failed else ContractQuery.Status.SUCCESS,
            error=error,
            duration_ms=duration_ms,
        )
        activity_record(
            action="contract.query",
            actor=user,
            target_type="contract_query",
            target_id=query.pk,
            metadata={"query_type": query_type, "contract_address": contract_address, "status": query.status},
        )
    return query


def query_delete(*, user: User, query_id: UUID) -> None:
    """Delete a contract query of the caller (any, for an admin; logged as a moderation when it is
    someone else's). Raises ContractQueryNotFound."""
    with transaction.atomic():
        owner_id = contract_query_visible(user=user).filter(pk=query_id).values_list("user_id", flat=True).first()
        if owner_id is None or not ContractQuery.objects.filter(pk=query_id).delete()[0]:
            raise ContractQueryNotFound()
        activity_record(
            action="contract.query_deleted",
            actor=user,
            target_type="contract_query",
            target_id=query_id,
            metadata={"owner_id": owner_id, **({"moderation": True} if owner_id != user.pk else {})},
        )


def _run_call(address: str, parameters: dict[str, Any]) -> Any:
    calldata = [int(item, 16) for item in parameters.get("calldata", [])]
    felts = starknet.call_contract(address, parameters["function"], calldata)
    return {"function": parameters["function"], "result": [hex(value) for value in felts]}


def _run_erc20_info(address: str, parameters: dict[str, Any]) -> Any:
    metadata = starknet.erc20_metadata(address)
    total_supply = starknet.erc20_total_supply(address)
    return {
        "name": metadata.name,
        "symbol": metadata.symbol,
        "decimals": metadata.decimals,
        "total_supply": str(total_supply),
    }


def _run_balance_of(address: str, parameters: dict[str, Any]) -> Any:
    return {"account": parameters["account"], "balance": str(starknet.erc20_balance_of(address, parameters["account"]))}


def _run_events(address: str, parameters: dict[str, Any]) -> Any:
    blocks = block_range_resolve(
        from_block=parameters.get("from_block"),
        to_block=parameters.get("to_block"),
        default_span=settings.CONTRACT_EVENTS_DEFAULT_SPAN,
        max_span=settings.CONTRACT_EVENTS_MAX_SPAN,
    )
    result = events_read(contract_address=address, blocks=blocks, keys=parameters.get("keys"))
    return {
        "from_block": result.from_block,
        "to_block": result.to_block,
        "events": result.events,
        "truncated": result.truncated,
    }


def _run_receipt(address: str, parameters: dict[str, Any]) -> Any:
    return receipt_json(starknet.get_transaction_receipt(int(parameters["transaction_hash"], 16)))


def _run_class_hash(address: str, parameters: dict[str, Any]) -> Any:
    return {"class_hash": hex(starknet.get_class_hash_at(address))}


def _run_nonce(address: str, parameters: dict[str, Any]) -> Any:
    return {"nonce": hex(starknet.get_nonce(address))}


def _run_block_number(address: str, parameters: dict[str, Any]) -> Any:
    return {"block_number": starknet.get_block_number()}


_RUNNERS = {
    ContractQuery.QueryType.CALL: _run_call,
    ContractQuery.QueryType.ERC20_INFO: _run_erc20_info,
    ContractQuery.QueryType.BALANCE_OF: _run_balance_of,
    ContractQuery.QueryType.EVENTS: _run_events,
    ContractQuery.QueryType.RECEIPT: _run_receipt,
    ContractQuery.QueryType.CLASS_HASH: _run_class_hash,
    ContractQuery.QueryType.NONCE: _run_nonce,
    ContractQuery.QueryType.BLOCK_NUMBER: _run_block_number,
}


def contract_query_run(
    *, user: User, contract_address: str, query_type: str, parameters: dict[str, Any]
) -> ContractQuery:
    """Run a validated query on Starknet now and record its outcome (duration included).

    On a chain error the query is recorded as failed with the client-safe message, then the mapped API
    error is raised with the recorded query's id as `query_id` in its body.
    """
    started = time.monotonic()
    try:
        result = _RUNNERS[ContractQuery.QueryType(query_type)](contract_address, parameters)
    except (starknet.ChainAnswer, starknet.NodeError) as exc:
        # Node trouble is recorded too: the history shows every query the user ran, and the answer
        # names the recorded query, which is why this one place words node trouble itself.
        failed = contract_query_record(
            user=user,
            contract_address=contract_address,
            query_type=query_type,
            parameters=parameters,
            error=exc.message,
            duration_ms=_elapsed_ms(started),
        )
        extra = {"query_id": str(failed.pk)}
        if isinstance(exc, starknet.NodeError):
            raise starknet_trouble(exc, extra=extra) from exc
        raise chain_answer_error(exc, extra=extra) from exc
    return contract_query_record(
        user=user,
        contract_address=contract_address,
        query_type=query_type,
        parameters=parameters,
        result=result,
        duration_ms=_elapsed_ms(started),
    )


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
