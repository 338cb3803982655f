"""The circuit breaker: a node that keeps timing out is skipped instead of holding each request for
STARKNET_RPC_TIMEOUT.

One circuit per node URL, shared by this machine's workers through a small JSON file in
STARKNET_STATE_DIR (replaced atomically; every change is made under an `flock`):

- closed: operations use the node. STARKNET_BREAKER_THRESHOLD timeouts in a row open the circuit.
- open: for STARKNET_BREAKER_COOLDOWN seconds the client skips the node at once (the next node is tried,
  or the operation fails with 503 and Retry-After: the rest of the cool-down).
- half-open: after the cool-down one operation (the probe) uses the node again, the others still skip it.
  An answer closes the circuit; another timeout opens it for a new cool-down. A probe that never
  reports (its worker died) is replaced after one operation's time.

Only timeouts count: a node that refuses or answers badly fails fast and stalls nobody, so any answer
that is not a timeout resets the count. Time comes from `blocra.clock`.
"""

import fcntl
import hashlib
import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

from django.conf import settings

from blocra.clock import clock

logger = logging.getLogger("blocra.starknet")

_STATE_FILE = "breaker.json"
_LOCK_FILE = "breaker.lock"


class Circuit(TypedDict):
    timeouts: int  # timeouts in a row
    open_until: float  # Unix time the cool-down ends (when timeouts >= threshold)
    probe_until: float  # Unix time the current probe's operation must have ended by


def _key(url: str) -> str:
    # URLs may embed API keys: the state file names nodes by a digest only.
    return hashlib.sha256(url.encode()).hexdigest()[:24]


def _directory() -> Path:
    return Path(settings.STARKNET_STATE_DIR)


def _read(directory: Path) -> dict[str, Circuit]:
    try:
        state = json.loads((directory / _STATE_FILE).read_text())
    except FileNotFoundError:
        return {}
    except ValueError:
        logger.error("starknet: the circuit breaker's state file is not JSON; starting afresh")
        return {}
    return state if isinstance(state, dict) else {}


@contextmanager
def _changing() -> Iterator[dict[str, Circuit]]:
    """The state, read under an exclusive lock and written back (atomically) when the block ends."""
    directory = _directory()
    directory.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(directory / _LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # held for a read and a write of a few bytes
        state = _read(directory)
        yield state
        scratch = directory / f"{_STATE_FILE}.{os.getpid()}.{threading.get_ident()}"
        scratch.write_text(json.dumps(state))
        os.replace(scratch, directory / _STATE_FILE)
    finally:
        os.close(descriptor)


def circuit_wait(url: str) -> float | None:
    """None when an operation may use the node now (its circuit is closed, or this caller is the
    half-open probe); otherwise the seconds until the node may be tried again."""
    threshold = settings.STARKNET_BREAKER_THRESHOLD
    if threshold <= 0:
        return None
    key = _key(url)
    try:
        circuit = _read(_directory()).get(key)
        if circuit is None or circuit["timeouts"] < threshold:
            return None
        now = clock().time()
        if now < circuit["open_until"]:
            return circuit["open_until"] - now
        if now < circuit["probe_until"]:
            return circuit["probe_until"] - now
        with _changing() as state:
            circuit = state.get(key)
            if circuit is None or circuit["timeouts"] < threshold:
                return None
            if now < circuit["open_until"]:
                return circuit["open_until"] - now
            if now < circuit["probe_until"]:
                return circuit["probe_until"] - now
            circuit["probe_until"] = now + settings.STARKNET_RPC_TIMEOUT + 1
            return None
    except OSError:
        logger.exception("starknet: the circuit breaker's state is unusable; using the node")
        return None


def circuit_record(url: str, *, timed_out: bool) -> bool:
    """Record how an operation on the node ended: a timeout, or any answer. True when this timeout
    opened the circuit (for the caller to log)."""
    threshold = settings.STARKNET_BREAKER_THRESHOLD
    if threshold <= 0:
        return False
    key = _key(url)
    try:
        if not timed_out and key not in _read(_directory()):
            return False  # the usual case: a healthy node, nothing to write
        with _changing() as state:
            if not timed_out:
                state.pop(key, None)
                return False
            circuit = state.setdefault(key, {"timeouts": 0, "open_until": 0.0, "probe_until": 0.0})
            circuit["timeouts"] += 1
            if circuit["timeouts"] < threshold:
                return False
            circuit["open_until"] = clock().time() + settings.STARKNET_BREAKER_COOLDOWN
            circuit["probe_until"] = 0.0
            return True
    except OSError:
        logger.exception("starknet: the circuit breaker's state is unusable; not recorded")
        return False
