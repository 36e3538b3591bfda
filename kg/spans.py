"""Sorted spans of a text with logarithmic look-ups.

Texts can hold tens of thousands of citations in one run-on sentence; every
"what stands here" question is answered by bisection so that extraction stays
linear in the size of the text.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from operator import sub
from typing import Generic, TypeVar

Item = TypeVar("Item")


class SpanIndex(Generic[Item]):
    """Items with a start and an end, sorted by start."""

    def __init__(self, items: Sequence[Item], start: Callable[[Item], int], end: Callable[[Item], int]):
        self.items = sorted(items, key=start)
        self.starts = list(map(start, self.items))
        self._end = end
        self._longest = max(map(sub, map(end, self.items), self.starts), default=0)

    def __len__(self) -> int:
        return len(self.items)

    def between(self, first: int, last: int) -> list[Item]:
        """Items starting in [first, last)."""
        return self.items[bisect_left(self.starts, first) : bisect_left(self.starts, last)]

    def covering(self, position: int) -> Item | None:
        """An item whose span holds `position`."""
        index = bisect_right(self.starts, position) - 1
        while index >= 0 and self.starts[index] >= position - self._longest:
            if self._end(self.items[index]) > position:
                return self.items[index]
            index -= 1
        return None

    def overlapping(self, first: int, last: int) -> bool:
        """Whether any item overlaps [first, last)."""
        return bool(self.between(first, last)) or self.covering(first) is not None

    def last_ending_by(self, position: int, floor: int = 0) -> Item | None:
        """The nearest item that starts at or after `floor` and ends at or before `position`."""
        index = bisect_left(self.starts, position) - 1
        while index >= 0 and self.starts[index] >= floor:
            if self._end(self.items[index]) <= position:
                return self.items[index]
            index -= 1  # an item that overlaps `position`; at most `_longest` characters of them
        return None

    def starting_at(self, position: int) -> Item | None:
        index = bisect_left(self.starts, position)
        return self.items[index] if index < len(self.items) and self.starts[index] == position else None

    def first_from(self, position: int) -> Item | None:
        index = bisect_left(self.starts, position)
        return self.items[index] if index < len(self.items) else None
