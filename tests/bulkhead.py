"""Holding the client's chain-call slots from elsewhere, as concurrent requests would."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from blocra import starknet


@contextmanager
def chain_slots_held(count: int = 1) -> Iterator[None]:
    """Hold `count` chain-call slots from other threads (each holds one, as a request in flight does)
    for the duration of the block."""
    held = threading.Barrier(count + 1)
    release = threading.Event()
    failures: list[BaseException] = []

    def hold() -> None:
        try:
            with starknet.chain_slot():
                held.wait(timeout=10)
                release.wait(timeout=60)
        except BaseException as exc:  # reported to the test below
            failures.append(exc)
            held.abort()

    threads = [threading.Thread(target=hold, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    try:
        held.wait(timeout=10)
    except threading.BrokenBarrierError:
        raise AssertionError(f"could not hold {count} chain-call slots: {failures}") from None
    try:
        yield
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=10)
