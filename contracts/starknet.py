"""The one client module for Starknet: every chain call of the backend goes through here.

A leaf module: it imports starknet-py and settings, nothing else of ours. starknet-py's heavy parts
(FullNodeClient, TypedData, ...) are imported inside the functions that use them, so importing this
module for address helpers costs nothing.
"""

import re

# 2**251: contract addresses live below it (starknet_py.constants.ADDR_BOUND is 2**251 - 256).
ADDRESS_BOUND = 2**251
_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{1,64}$")


class InvalidAddress(ValueError):
    """The text is not a Starknet address."""


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
