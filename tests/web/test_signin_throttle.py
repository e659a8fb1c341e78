"""Wrong admin tokens: a client that keeps guessing is refused for a while, on the API and the sign-in page."""
from __future__ import annotations

import pytest
import requests

from scormproxy.web.signin_throttle import FailureThrottle, TooManyFailures
from tests.plugins.service import ADMIN_TOKEN, serving


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_counts_failures_in_a_sliding_window():
    clock = Clock()
    throttle = FailureThrottle(3, window=60, clock=clock)
    for _ in range(3):
        throttle.check("10.0.0.1")
        throttle.failed("10.0.0.1")
        clock.now += 10
    with pytest.raises(TooManyFailures) as caught:
        throttle.check("10.0.0.1")
    assert caught.value.retry_after == 31  # the first failure leaves the window at 1060
    throttle.check("10.0.0.2")  # another client is not affected
    clock.now = 1060.5
    throttle.check("10.0.0.1")


def test_clients_are_bounded_and_zero_disables():
    throttle = FailureThrottle(1, max_clients=100)
    for n in range(1000):
        throttle.failed(f"10.0.{n // 256}.{n % 256}")
    assert len(throttle._failures) == 100
    off = FailureThrottle(0)
    for _ in range(50):
        off.failed("10.0.0.1")
        off.check("10.0.0.1")


def test_a_guessing_client_is_refused_even_with_the_right_token(make_service):
    app = make_service(admin_signin_failures_per_minute=3)
    with serving(app) as base:
        wrong = {"Authorization": "Bearer wrong"}
        right = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        assert requests.get(f"{base}/api/packages", headers=right, timeout=10).status_code == 200
        for _ in range(2):
            assert requests.get(f"{base}/api/packages", headers=wrong, timeout=10).status_code == 403
        page = requests.post(f"{base}/admin/login", data={"token": "guess"}, allow_redirects=False, timeout=10)
        assert page.status_code == 403  # the third failure, on the sign-in page: one budget for both
        for response in (requests.get(f"{base}/api/packages", headers=right, timeout=10),
                         requests.post(f"{base}/admin/login", data={"token": ADMIN_TOKEN}, allow_redirects=False,
                                       timeout=10)):
            assert response.status_code == 429
            assert 1 <= int(response.headers["Retry-After"]) <= 61
            assert "Set-Cookie" not in response.headers
        assert requests.get(f"{base}/api/packages", headers=right, timeout=10).json()["error"]["code"] == \
            "too_many_failed_sign_ins"
