"""Fixed Starknet test wallets and memoised signing (one STARK signature costs ~70 ms)."""

import functools
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from starknet_py.hash.utils import message_signature, private_to_stark_key

from accounts.models import WalletChallenge
from accounts.services.wallet import signin_typed_data
from blocra import starknet

# Challenges the tests insert directly, so that their signatures can be made once per session.
ISSUED_AT = int(time.time()) // 60 * 60
EXPIRES_AT = ISSUED_AT + 3600


@dataclass(frozen=True)
class Wallet:
    address: str
    private_key: int
    legacy: bool = False
    on_invalid: str = "revert"

    @property
    def public_key(self) -> int:
        return private_to_stark_key(self.private_key)


ALICE = Wallet(address=f"0x{0xA11CE:064x}", private_key=0x1D3F5A7B9C2E4F6081A3C5E7F9B2D4F6)
BOB = Wallet(address=f"0x{0xB0B:064x}", private_key=0x2E4F6081A3C5E7F9B2D4F61D3F5A7B9C)
# Same key as Alice, another account contract: a signature for Alice's address must not work here.
ALICE_SECOND = Wallet(address=f"0x{0xA11CE2:064x}", private_key=ALICE.private_key)
CAROL_LEGACY = Wallet(address=f"0x{0xCA201:064x}", private_key=0x3F5A7B9C1D2E4F6081A3C5E7F9B2D4F6, legacy=True)
DAVE_ZERO = Wallet(address=f"0x{0xDA7E:064x}", private_key=0x4A7B9C1D2E3F5A6081A3C5E7F9B2D4F6, on_invalid="zero")
UNDEPLOYED = Wallet(address=f"0x{0x0DEAD:064x}", private_key=0x5B9C1D2E3F4A6B7081A3C5E7F9B2D4F6)
DEPLOYED_WALLETS = (ALICE, BOB, ALICE_SECOND, CAROL_LEGACY, DAVE_ZERO)


def deploy_wallets(node) -> None:
    for wallet in DEPLOYED_WALLETS:
        node.chain.deploy_account(
            int(wallet.address, 16), wallet.public_key, legacy=wallet.legacy, on_invalid=wallet.on_invalid
        )


def typed_data(address: str, nonce: str, *, chain_id: str | None = None, issued_at=ISSUED_AT, expires_at=EXPIRES_AT):
    data = signin_typed_data(address=address, nonce=nonce, issued_at=issued_at, expires_at=expires_at)
    if chain_id is not None:
        data["domain"]["chainId"] = chain_id
    return data


@functools.cache
def sign(
    address: str,
    nonce: str,
    private_key: int,
    *,
    chain_id: str | None = None,
    issued_at: int = ISSUED_AT,
    expires_at: int = EXPIRES_AT,
    hash_address: str | None = None,
) -> tuple[int, int]:
    """[r, s] by `private_key` over the sign-in typed data of (address, nonce), hashed for
    `hash_address` (default: `address`) on `chain_id` (default: the configured chain)."""
    data = typed_data(address, nonce, chain_id=chain_id, issued_at=issued_at, expires_at=expires_at)
    msg_hash = starknet.message_hash(data, hash_address or address)
    return message_signature(msg_hash, private_key)


def challenge_create(
    wallet_or_address,
    nonce: str,
    *,
    issued_at: int = ISSUED_AT,
    expires_at: int = EXPIRES_AT,
    purpose: str = WalletChallenge.Purpose.SIGNIN,
    chain_id: str = "SN_SEPOLIA",
) -> WalletChallenge:
    address = getattr(wallet_or_address, "address", wallet_or_address)
    return WalletChallenge.objects.create(
        nonce=nonce,
        address=starknet.normalize_address(address),
        chain_id=chain_id,
        purpose=purpose,
        issued_at=datetime.fromtimestamp(issued_at, UTC),
        expires_at=datetime.fromtimestamp(expires_at, UTC),
    )


def hexes(*values: int) -> list[str]:
    return [hex(value) for value in values]
