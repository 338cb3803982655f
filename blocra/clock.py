"""The application's clock: wall time, monotonic time and waiting, replaceable as a whole.

Code that decides by time (rate-limit windows, cache freshness, uptime, polling) reads it here, so a
test moves time forward instead of sleeping (`clock_replaced`).
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager


class Clock:
    """The real clock."""

    def time(self) -> float:
        """Seconds since the Unix epoch."""
        return time.time()

    def monotonic(self) -> float:
        """Seconds from an arbitrary start, never going back."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


_current: Clock = Clock()


def clock() -> Clock:
    return _current


@contextmanager
def clock_replaced(replacement: Clock) -> Iterator[Clock]:
    """Use `replacement` as the application's clock for the duration of the block."""
    global _current
    previous, _current = _current, replacement
    try:
        yield replacement
    finally:
        _current = previous
