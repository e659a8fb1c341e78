"""Client-side request pacing, so mirroring a large catalogue stays under the site's rate limit."""
from __future__ import annotations

import threading
import time
from typing import Callable


class RateLimiter:
    """At most `rate` requests per second across all threads; 0 or less means no limit.

    Slots are handed out evenly spaced (no burst), which is what a per-second
    quota on the server side rewards.
    """

    def __init__(self, rate: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.rate = float(rate)
        self._interval = 1.0 / self.rate if self.rate > 0 else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0

    def acquire(self) -> float:
        """Wait for the next free slot; returns the seconds waited."""
        if not self._interval:
            return 0.0
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        wait = slot - now
        if wait > 0:
            self._sleep(wait)
        return max(wait, 0.0)
