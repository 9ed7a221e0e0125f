"""A bounded in-process memo for data derived from rows that never change (a frozen tally, a locked ballot).

Keys name immutable rows (a tally's id, when it was computed and the digest of its input), so
every app server may keep its own memo: nothing is shared between processes, nothing needs to
be invalidated, and a new row is a new key. The least recently used entries go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

DEFAULT_SIZE = 512
T = TypeVar("T")


class Memo:
    def __init__(self, size: int = DEFAULT_SIZE):
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()  # each key names its own kind of value
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value kept under ``key``, or ``make()`` kept under it (two threads may both make it once)."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._entries)
