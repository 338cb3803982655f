"""Felts and addresses: parsing and normalising what clients send, decoding what contracts answer."""

import re
from collections.abc import Sequence

from blocra.starknet.errors import InvalidAddress, UnexpectedContractAnswer

# 2**251: contract addresses live below it (starknet_py.constants.ADDR_BOUND is 2**251 - 256).
ADDRESS_BOUND = 2**251
# Account contracts live strictly between 0 and ADDR_BOUND.
ACCOUNT_ADDRESS_BOUND = 2**251 - 256
FIELD_PRIME = 2**251 + 17 * 2**192 + 1
U128 = 2**128

_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{1,64}$")
_HEX_FELT = re.compile(r"0x[0-9a-fA-F]{1,64}")
_DECIMAL_FELT = re.compile(r"[0-9]{1,78}")


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
    """The address as an int; raises InvalidAddress like normalize_address."""
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
    if _HEX_FELT.fullmatch(text):
        number = int(text, 16)
    elif _DECIMAL_FELT.fullmatch(text):
        number = int(text)
    else:
        raise ValueError("A felt is a hex (0x...) or decimal string.")
    if number >= FIELD_PRIME:
        raise ValueError("The value is not below the Starknet field prime.")
    return number


def felt_hex(value: int) -> str:
    """`0x` + 64 lowercase hex digits: how addresses and hashes are shown."""
    return f"0x{value:064x}"


def u256(low: int, high: int) -> int:
    return low + (high << 128)


def u256_from_felts(felts: Sequence[int]) -> int:
    """A u256 answer ([low, high], each below 2**128); UnexpectedContractAnswer otherwise."""
    if len(felts) != 2 or not all(0 <= part < U128 for part in felts):
        raise UnexpectedContractAnswer("The contract's amount is not a u256.")
    return u256(felts[0], felts[1])


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
