"""Delta debugging (Zeller's ddmin): the smallest subset of fired faults that still fails."""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

T = TypeVar("T")


def ddmin(items: Sequence[T], fails: Callable[[list[T]], bool]) -> list[T]:
    """A 1-minimal failing subset of `items` (removing any one of its items makes it pass),
    given that `fails(list(items))` is true. Results are cached by subset."""
    cache: dict[tuple[int, ...], bool] = {}

    def test(indices: list[int]) -> bool:
        key = tuple(indices)
        if key not in cache:
            cache[key] = fails([items[i] for i in indices])
        return cache[key]

    current = list(range(len(items)))
    granularity = 2
    while len(current) >= 2:
        size = max(1, len(current) // granularity)
        chunks = [current[i:i + size] for i in range(0, len(current), size)]
        reduced = False
        for chunk in chunks:  # a chunk alone fails: keep only it
            if test(chunk):
                current, granularity, reduced = chunk, 2, True
                break
        if not reduced:
            for chunk in chunks:  # the rest without a chunk fails: drop the chunk
                rest = [i for i in current if i not in chunk]
                if rest and test(rest):
                    current, granularity, reduced = rest, max(granularity - 1, 2), True
                    break
        if not reduced:
            if granularity >= len(current):
                break
            granularity = min(len(current), granularity * 2)
    return [items[i] for i in current]
