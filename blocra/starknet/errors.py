"""Errors of the Starknet client. Each `message` is safe to show an API client: node URLs and node
messages (provider URLs embed API keys) are logged, never put into an exception.

Node trouble (`NodeError` and its subclasses) says nothing about the request: the API's exception
handler (`blocra.errors`) answers it as 503/504/502 everywhere. `ChainAnswer` and its subclasses are
definitive answers of the chain that each app words for its own API.
"""

from typing import Any


class StarknetError(Exception):
    """Base of every error the client raises."""

    message = "The Starknet request failed."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.message
        super().__init__(self.message)


class NodeError(StarknetError):
    """The node could not give an answer (node trouble); the client has tried every configured node.

    `retry_after`: whole seconds after which asking again may succeed, when the client knows (an open
    circuit, busy slots); the API sends it as Retry-After."""

    def __init__(self, message: str | None = None, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NodeUnavailable(NodeError):
    """No node could be reached, or the node refused service (HTTP 429/503). API: 503."""

    message = "The Starknet node is unavailable; try again later."


class NodeBusy(NodeUnavailable):
    """Every chain-call slot of this machine is in use (STARKNET_MAX_CONCURRENT_CALLS): refused at once,
    without asking a node, so that waiting chain calls cannot hold every worker. API: 503 `starknet.busy`."""

    message = "The server is busy with other Starknet requests; try again in a moment."


class NodeCircuitOpen(NodeUnavailable):
    """The node was skipped without being asked: its circuit is open after repeated timeouts
    (`breaker`), with `retry_after` the rest of the cool-down. API: 503 `starknet.unavailable`."""


class NodeTimeout(NodeError):
    """The node did not answer within STARKNET_RPC_TIMEOUT. API: 504."""

    message = "The Starknet node did not answer in time; try again later."


class NodeBadResponse(NodeError):
    """The node answered, but not with a usable answer (HTTP error, malformed body, wrong chain). API: 502."""

    message = "The Starknet node answered incorrectly; try again later."


class ChainAnswer(StarknetError):
    """A definitive answer of the chain: the request cannot succeed as asked (asking again, or another
    node, would give the same answer). Each app words these for its own API."""


class ContractNotFound(ChainAnswer):
    """RPC code 20: no contract is deployed at the address."""

    message = "No contract is deployed at this address."


class AccountNotDeployed(ContractNotFound):
    """RPC code 20 while verifying a signature: the account is counterfactual (not deployed yet)."""

    message = "This account is not deployed on Starknet yet."


class EntryPointNotFound(ChainAnswer):
    """RPC code 21: the contract has no entry point of that name."""

    message = "The contract has no function of this name."


class ContractCallReverted(ChainAnswer):
    """RPC code 40: the call reverted (also how many nodes report a missing Cairo 1 entry point).

    `revert_error` holds the node's explanation, for logs only.
    """

    message = "The contract call reverted."

    def __init__(self, message: str | None = None, *, revert_error: Any = None) -> None:
        super().__init__(message)
        self.revert_error = revert_error


class TransactionNotFound(ChainAnswer):
    """RPC code 29: the node does not know the transaction (it may not have reached it yet)."""

    message = "The transaction is not known to the Starknet node."


class BlockNotFound(ChainAnswer):
    """RPC code 24: no such block."""

    message = "The block does not exist."


class UnexpectedContractAnswer(ChainAnswer):
    """The contract answered, but not in the shape its interface promises (e.g. a non-ERC-20)."""

    message = "The contract's answer has an unexpected shape."


class InvalidAddress(ValueError):
    """The text is not a Starknet address."""
