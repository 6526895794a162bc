"""Helpers for tests in every folder."""

from __future__ import annotations


class Clock:
    """A clock the test moves by hand, so that play time is exact."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
