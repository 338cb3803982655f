"""Runs every native-code path of the server once (tests/deploy/test_systemd.py runs it under
memory-deny-write-execute): Argon2 through cffi, the Starknet hashes and signatures of crypto-cpp-py
(ctypes) and poseidon-py, pycryptodome's Keccak, cryptography, Pillow and libpq. Prints one line per
path and "all native code ran"; any failure is a traceback and a non-zero exit."""

import io
import mmap

import django

django.setup()


def main() -> None:
    # The guard is in force: a writable and executable mapping is refused.
    try:
        mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    except PermissionError:
        print("writable+executable memory refused")
    else:
        raise SystemExit("a writable and executable mapping was allowed: the guard is not in force")

    from django.contrib.auth.hashers import check_password, make_password

    assert check_password("a passphrase", make_password("a passphrase"))
    print("argon2 (cffi)")

    from starknet_py.hash.selector import get_selector_from_name
    from starknet_py.hash.utils import message_signature, pedersen_hash, private_to_stark_key, verify_message_signature

    from accounts.services.wallet import signin_typed_data
    from blocra.starknet import message_hash

    address = "0x" + "12" * 32
    typed = signin_typed_data(address=address, nonce="n0nce", issued_at=1_700_000_000, expires_at=1_700_000_300)
    digest = message_hash(typed, address)
    assert digest > 0
    key = 0x1234567
    signature = message_signature(digest, key)
    assert verify_message_signature(digest, list(signature), private_to_stark_key(key))
    assert pedersen_hash(1, 2) > 0
    assert get_selector_from_name("transfer") > 0
    print("starknet hashes and signatures (crypto-cpp-py, poseidon-py, pycryptodome)")

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    private.public_key().verify(
        private.sign(b"blocra", ec.ECDSA(hashes.SHA256())), b"blocra", ec.ECDSA(hashes.SHA256())
    )
    print("cryptography")

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    buffer.seek(0)
    assert Image.open(buffer).size == (8, 8)
    print("pillow")

    import psycopg

    assert psycopg.pq.version() > 0
    print("libpq (psycopg)")
    print("all native code ran")


if __name__ == "__main__":
    main()
