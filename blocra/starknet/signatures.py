"""SNIP-12 message hashes and SNIP-6 signature checks by the account contract itself."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from blocra.starknet.calls import call_on
from blocra.starknet.errors import AccountNotDeployed, ContractCallReverted, ContractNotFound, EntryPointNotFound
from blocra.starknet.felts import address_to_int
from blocra.starknet.transport import run

if TYPE_CHECKING:
    from starknet_py.net.full_node_client import FullNodeClient

# SNIP-6 answers: 'VALID' as a short string (current accounts) or 1 (legacy accounts).
SNIP6_VALID = 0x56414C4944
LEGACY_VALID = 1


def message_hash(typed_data: dict[str, Any], address: str | int) -> int:
    """The SNIP-12 message hash of `typed_data` for the signing account `address`."""
    from starknet_py.utils.typed_data import TypedData

    account = address if isinstance(address, int) else int(address, 16)
    return TypedData.from_dict(cast(Any, typed_data)).message_hash(account)


def verify_signature(address: str, msg_hash: int, signature: Sequence[int]) -> bool:
    """Ask the account contract (SNIP-6 `is_valid_signature`, then `isValidSignature`) whether
    `signature` signs `msg_hash`. True only for 'VALID' or 1; a revert or missing entry point is False.

    Raises AccountNotDeployed (code 20) and NodeError subclasses (node trouble).
    """
    account = address_to_int(address)
    calldata = [msg_hash, len(signature), *signature]

    async def operation(client: "FullNodeClient") -> bool:
        for function_name in ("is_valid_signature", "isValidSignature"):
            try:
                result = await call_on(client, account, function_name, calldata, "latest")
            except ContractNotFound as exc:
                raise AccountNotDeployed() from exc
            except (EntryPointNotFound, ContractCallReverted):
                # Accounts revert on a bad signature; older ones only have the camelCase name.
                continue
            return bool(result) and result[0] in (SNIP6_VALID, LEGACY_VALID)
        return False

    return run(operation, "verify_signature")
