"""Failed admin-token checks per client address, so the token cannot be guessed at speed."""
from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque

from ..errors import ScormProxyError


class TooManyFailures(ScormProxyError):
    code = "too_many_failed_sign_ins"
    http_status = 429

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed admin sign-ins from this address: try again in {retry_after} s")
        self.retry_after = retry_after


class FailureThrottle:
    """At most `limit` failures per `window` seconds per client; past that, every attempt from
    that client is refused until the oldest failure leaves the window (a correct token too:
    otherwise the guesses would still be checked). Clients are kept in LRU order, at most
    `max_clients` of them, so a flood of addresses cannot grow it without bound. Per
    process: N instances allow N times the limit, still far from a guessing speed."""

    def __init__(self, limit: int, window: float = 60.0, max_clients: int = 10_000, clock=time.monotonic):
        self.limit, self.window, self.max_clients, self.clock = limit, window, max_clients, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raise TooManyFailures while `client` is over the limit."""
        if self.limit <= 0:
            return
        with self._lock:
            failures = self._recent(client)
            if failures is not None and len(failures) >= self.limit:
                raise TooManyFailures(max(1, int(failures[0] + self.window - self.clock()) + 1))

    def failed(self, client: str) -> None:
        if self.limit <= 0:
            return
        with self._lock:
            failures = self._recent(client)
            if failures is None:
                failures = self._failures[client] = deque()
                while len(self._failures) > self.max_clients:
                    self._failures.popitem(last=False)
            failures.append(self.clock())
            self._failures.move_to_end(client)

    def _recent(self, client: str) -> deque[float] | None:
        failures = self._failures.get(client)
        if failures is None:
            return None
        horizon = self.clock() - self.window
        while failures and failures[0] <= horizon:
            failures.popleft()
        if not failures:
            del self._failures[client]
            return None
        return failures
