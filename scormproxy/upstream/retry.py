"""Retry policy of the Open eLMS client: delays, the per-call budget and what each call went through."""
from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from typing import Callable

from .ratelimit import RateLimiter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BackoffPolicy:
    """Exponential backoff: retry n waits backoff * 2**(n-1), plus up to `jitter` of that, capped.

    A Retry-After from the site is honoured instead, capped at the same
    `backoff_max` so one answer cannot park a worker for hours.
    """

    retries: int = 4
    backoff: float = 0.5
    backoff_max: float = 30.0
    jitter: float = 0.25

    def __post_init__(self):
        if self.retries < 0 or self.backoff < 0 or self.backoff_max < 0 or self.jitter < 0:
            raise ValueError("retry settings must not be negative")

    def delay(self, retry_number: int, retry_after: float | None = None,
              rand: Callable[[], float] = random.random) -> float:
        if retry_after is not None and retry_after > 0:
            return min(retry_after, self.backoff_max)
        base = self.backoff * 2 ** (retry_number - 1)
        return min(base * (1.0 + self.jitter * rand()), self.backoff_max)


@dataclass
class CallRecord:
    """One client call: every retry it made (including download restarts) and their delays."""

    method: str
    path: str
    delays: list[float] = field(default_factory=list)
    restarts: int = 0  # downloads whose body was cut and started again
    status: int | None = None
    error: str | None = None

    @property
    def retries(self) -> int:
        return len(self.delays)

    @property
    def attempts(self) -> int:
        return 1 + self.retries


@dataclass
class RetryStats:
    """Totals over the client's life, for metrics and tests."""

    calls: int = 0
    retries: int = 0
    restarts: int = 0


class RetryTracker:
    """Knows the call in flight on each thread; decides whether it may retry and does the waiting.

    urllib3 performs status and connection retries deep inside one request;
    the hooks below let it share the call's budget with the download restart
    loop, so `retries` bounds the whole call, whatever failed.
    """

    def __init__(self, policy: BackoffPolicy, *, sleep: Callable[[float], None], limiter: RateLimiter,
                 rand: Callable[[], float] = random.random):
        self.policy = policy
        self._sleep = sleep
        self._limiter = limiter
        self._rand = rand
        self._local = threading.local()
        self._lock = threading.Lock()
        self.stats = RetryStats()

    def begin(self, method: str, path: str) -> CallRecord:
        record = CallRecord(method, path)
        self._local.record = record
        with self._lock:
            self.stats.calls += 1
        self._limiter.acquire()
        return record

    @property
    def current(self) -> CallRecord | None:
        return getattr(self._local, "record", None)

    def retry_allowed(self) -> bool:
        record = self.current
        return record is None or record.retries < self.policy.retries

    def before_retry(self, retry_after: float | None = None, *, restart: bool = False, reason: str = "") -> float:
        """Wait the policy's delay (and for a rate-limit slot) before the next attempt."""
        record = self.current
        number = 1 + (record.retries if record else 0)
        delay = self.policy.delay(number, retry_after, self._rand)
        if record is not None:
            record.delays.append(delay)
            record.restarts += restart
        with self._lock:
            self.stats.retries += 1
            self.stats.restarts += restart
        log.warning("upstream retry %d of %s %s in %.3f s (%s)", number,
                    record.method if record else "?", record.path if record else "?", delay,
                    reason or ("retry-after" if retry_after else "backoff"),
                    extra={"attempt": number + 1, "delay": round(delay, 3)})
        if delay > 0:
            self._sleep(delay)
        self._limiter.acquire()
        return delay
