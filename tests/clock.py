"""A clock the tests move by hand (blocra.clock): time passes without sleeping."""

import time

from blocra.clock import Clock


class FakeClock(Clock):
    """Starts at the real time; `advance` moves wall and monotonic time together; `sleep` advances."""

    def __init__(self) -> None:
        self._time = time.time()
        self._monotonic = time.monotonic()

    def time(self) -> float:
        return self._time

    def monotonic(self) -> float:
        return self._monotonic

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self._time += seconds
        self._monotonic += seconds
