"""Backoff delays and client-side rate limiting, with a fake clock."""
from __future__ import annotations

import threading

import pytest

from scormproxy.upstream.ratelimit import RateLimiter
from scormproxy.upstream.retry import BackoffPolicy


@pytest.mark.parametrize("rand", [0.0, 0.5, 0.999])
def test_delays_double_with_bounded_jitter(rand):
    policy = BackoffPolicy(retries=4, backoff=0.05, backoff_max=30.0, jitter=0.25)
    delays = [policy.delay(n, rand=lambda: rand) for n in (1, 2, 3, 4)]
    for delay, base in zip(delays, (0.05, 0.1, 0.2, 0.4)):
        assert base <= delay <= base * 1.25
        assert delay == pytest.approx(base * (1 + 0.25 * rand))


def test_delays_and_retry_after_are_capped():
    policy = BackoffPolicy(backoff=1.0, backoff_max=3.0, jitter=0.0)
    assert [policy.delay(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, 3.0]
    assert policy.delay(1, retry_after=2.0) == 2.0
    assert policy.delay(1, retry_after=600.0) == 3.0
    assert policy.delay(2, retry_after=0.0) == 2.0  # "retry now" falls back to the backoff


def test_negative_settings_are_refused():
    with pytest.raises(ValueError):
        BackoffPolicy(retries=-1)


class FakeTime:
    def __init__(self):
        self.now = 100.0
        self.lock = threading.Lock()

    def clock(self):
        return self.now

    def sleep(self, seconds):
        with self.lock:
            self.now += seconds


def test_rate_limiter_spaces_requests_evenly():
    fake = FakeTime()
    limiter = RateLimiter(4.0, clock=fake.clock, sleep=fake.sleep)
    times = []
    for _ in range(5):
        limiter.acquire()
        times.append(fake.now)
    assert [round(b - a, 6) for a, b in zip(times, times[1:])] == [0.25] * 4


def test_rate_limiter_off_never_waits():
    fake = FakeTime()
    limiter = RateLimiter(0, clock=fake.clock, sleep=fake.sleep)
    assert [limiter.acquire() for _ in range(100)] == [0.0] * 100
    assert fake.now == 100.0
