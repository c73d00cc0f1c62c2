"""The demo's randomness: one seeded source consumed in a fixed order, weighted pickers, hostile free text."""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

from snapsite.authoring.demo.vocabulary import CELL_PREFIXES, HOSTILE_STRINGS

T = TypeVar("T")


class Dice:
    """One `random.Random(seed)` and the cursor over HOSTILE_STRINGS, shared by every part of the demo.

    The same seed gives the same bytes only while every draw happens in the same order.
    """

    def __init__(self, seed: int, hostile: bool) -> None:
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.hostile = hostile
        self.hostile_cursor = 0

    def between(self, low: int, high: int) -> int:
        """Uniform in [low, high]; cheaper than Random.randint in the hot loop."""
        return low + int(self.r() * (high - low + 1))

    def one(self, values: Sequence[T]) -> T:
        """One of `values`, uniformly."""
        return values[int(self.r() * len(values))]

    def spice(self, text: str, rate: float) -> str:
        """`text`, or with probability `rate` carrying the next hostile string (in turn, so all appear)."""
        if not self.hostile or self.r() >= rate:
            return text
        return self.hostile_text(text)

    def hostile_text(self, text: str) -> str:
        """`text` with the next hostile string: before it when that is a spreadsheet formula, else after."""
        hostile = HOSTILE_STRINGS[self.hostile_cursor % len(HOSTILE_STRINGS)]
        self.hostile_cursor += 1
        return f"{hostile} {text}" if hostile.startswith(CELL_PREFIXES) else f"{text} {hostile}"


class Picker(Generic[T]):
    """Weighted choice that first returns every value once, in order, so small demos still cover them all."""

    def __init__(self, values: Sequence[T], weights: Sequence[float], *, cover: bool = True) -> None:
        self.values = tuple(values)
        self.cumulative = cumulative(weights)
        self.total = self.cumulative[-1]
        self.used = 0 if cover else len(self.values)

    def pick(self, random_value: float) -> T:
        if self.used < len(self.values):
            self.used += 1
            return self.values[self.used - 1]
        return self.values[bisect.bisect_right(self.cumulative, random_value * self.total)]


def cumulative(weights: Sequence[float]) -> list[float]:
    """Running totals of `weights`, for bisecting a uniform draw."""
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out
