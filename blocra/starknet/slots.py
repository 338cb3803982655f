"""The bulkhead: a cap on the chain operations this machine runs at once, shared by every worker.

A worker waiting on a hung node serves nothing else, so a burst of chain requests could hold every
worker and stall the whole API (`/health` included). Each operation therefore holds one of
STARKNET_MAX_CONCURRENT_CALLS slots while it talks to the nodes, and is refused at once (`NodeBusy`,
503 `starknet.busy`) when all are held: the other workers stay free for everything else.

A slot is a file in STARKNET_STATE_DIR locked with `flock`: the workers of one machine (processes and
threads alike) count against the same slots, and a worker that dies releases its slot with its file
descriptors. The scope is the machine on purpose: the cap protects this machine's worker pool.
"""

import fcntl
import logging
import os
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from blocra.starknet.errors import NodeBusy

logger = logging.getLogger("blocra.starknet")

# Seconds a refused client is told to wait: slots of healthy operations free up within a second or so;
# while the node hangs, the circuit breaker soon answers with the cool-down instead.
BUSY_RETRY_AFTER = 1

_held = threading.local()


def slot_directory() -> Path:
    return Path(settings.STARKNET_STATE_DIR) / "slots"


@contextmanager
def chain_slot() -> Iterator[None]:
    """Hold a chain-call slot for the block. Re-entrant within a thread: code that waits on chain work
    and then runs operations itself holds one slot, not two.

    Raises NodeBusy when every slot is in use. When the slot directory cannot be used the call goes
    ahead without a slot (logged): a broken bulkhead must not stop every chain call.
    """
    limit = settings.STARKNET_MAX_CONCURRENT_CALLS
    if limit <= 0 or getattr(_held, "slot", False):
        yield
        return
    descriptor = _slot_acquire(limit)
    _held.slot = True
    try:
        yield
    finally:
        _held.slot = False
        if descriptor is not None:
            os.close(descriptor)  # releases the lock


def _slot_acquire(limit: int) -> int | None:
    """The descriptor of a freshly locked slot file; None when the directory is unusable."""
    directory = slot_directory()
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Start at a random slot, so that callers do not all queue on the first files.
        first = random.randrange(limit)  # noqa: S311 (spreads load; nothing secret)
        for offset in range(limit):
            descriptor = os.open(directory / f"{(first + offset) % limit}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                continue
            except BaseException:
                os.close(descriptor)
                raise
            return descriptor
    except OSError:
        logger.exception("starknet: the chain-call slots in %s are unusable; calling without a slot", directory)
        return None
    logger.info("starknet: all %d chain-call slots are in use; operation refused", limit)
    raise NodeBusy(retry_after=BUSY_RETRY_AFTER)
