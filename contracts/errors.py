"""Domain errors of contract queries, saved queries and dashboards: stable `contracts.*` codes.

`chain_answer_error` words the chain's definitive answers (`starknet.ChainAnswer`) for this app's API;
node trouble is answered by the API's exception handler (`blocra.errors`).
"""

from typing import Any

from blocra import starknet
from blocra.errors import ApiError, BadRequest, Conflict, NotFound, ServiceUnavailable


class ContractQueryNotFound(NotFound):
    code = "contracts.query_not_found"
    message = "No contract query with this id is visible to you."


class SavedQueryNotFound(NotFound):
    code = "contracts.saved_query_not_found"
    message = "No saved query of yours has this id."


class DashboardNotFound(NotFound):
    code = "contracts.dashboard_not_found"
    message = "No dashboard of yours has this id."


class WidgetNotFound(NotFound):
    code = "contracts.widget_not_found"
    message = "No widget of yours has this id."


class UnknownSavedQuery(BadRequest):
    """A widget named a saved query the caller does not own (or that does not exist)."""

    code = "contracts.unknown_saved_query"
    message = "query_id must be the id of one of your saved queries."

    def __init__(self) -> None:
        super().__init__(errors={"query_id": [self.message]})


class NothingToUpdate(BadRequest):
    code = "contracts.nothing_to_update"
    message = "Send at least one field to change."


class LimitReached(Conflict):
    """A per-user (or per-dashboard) ceiling on stored objects was reached."""

    code = "contracts.limit_reached"
    message = "You have reached the limit for this kind of object."


class SavedQueryLimitReached(LimitReached):
    code = "contracts.saved_query_limit_reached"


class DashboardLimitReached(LimitReached):
    code = "contracts.dashboard_limit_reached"


class WidgetLimitReached(LimitReached):
    code = "contracts.widget_limit_reached"


# --- Chain answers ------------------------------------------------------------------------------------
# Definitive answers of the chain are the caller's problem (4xx): a missing contract, transaction or
# block is a 404; a call the contract refuses (no such function, reverted, unexpected answer) is a 400.
# Node trouble is ours (502/503/504) and says nothing about the request.


class ContractNotFound(NotFound):
    code = "contracts.contract_not_found"
    message = starknet.ContractNotFound.message


class TransactionUnknown(NotFound):
    code = "contracts.transaction_not_found"
    message = starknet.TransactionNotFound.message


class BlockUnknown(NotFound):
    code = "contracts.block_not_found"
    message = starknet.BlockNotFound.message


class EntryPointUnknown(BadRequest):
    code = "contracts.entry_point_not_found"
    message = starknet.EntryPointNotFound.message


class CallReverted(BadRequest):
    code = "contracts.call_reverted"
    message = starknet.ContractCallReverted.message


class UnexpectedAnswer(BadRequest):
    code = "contracts.unexpected_answer"
    message = starknet.UnexpectedContractAnswer.message


class ChainStatsBusy(ServiceUnavailable):
    """Another worker is reading the chain statistics and did not finish within the RPC timeout."""

    code = "contracts.stats_busy"
    message = "Chain statistics are being refreshed; try again in a moment."


class BlockRangeTooLarge(BadRequest):
    code = "contracts.block_range_too_large"
    message = "The block range is too large."


# Definitive chain answers of the client, each with this app's code.
_CHAIN_ANSWERS: list[tuple[type[starknet.ChainAnswer], type[ApiError]]] = [
    (starknet.ContractNotFound, ContractNotFound),
    (starknet.TransactionNotFound, TransactionUnknown),
    (starknet.BlockNotFound, BlockUnknown),
    (starknet.EntryPointNotFound, EntryPointUnknown),
    (starknet.ContractCallReverted, CallReverted),
    (starknet.UnexpectedContractAnswer, UnexpectedAnswer),
]


def chain_answer_error(exc: starknet.ChainAnswer, *, extra: dict[str, Any] | None = None) -> ApiError:
    """The API error for a definitive chain answer; its message is the client-safe `exc.message`.

    404 for a missing contract, transaction or block; 400 for a call the contract refuses.
    """
    for answer_class, api_error in _CHAIN_ANSWERS:
        if isinstance(exc, answer_class):
            return api_error(exc.message, extra=extra)
    return UnexpectedAnswer(exc.message, extra=extra)
