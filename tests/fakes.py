"""Test doubles shared by several test folders (imported as ``from fakes import FakeClock``)."""

from __future__ import annotations


class FakeClock:
    """The transport's clock and sleeper at once: sleeping moves the clock, nothing waits."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 3))
        self.now += seconds

    def __call__(self) -> float:
        return self.now
