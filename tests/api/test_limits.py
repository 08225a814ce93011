"""The login throttle's arithmetic and the origin policy's reading of origins, without a server
(tests/reliability/test_limits.py drives both through the real app)."""

from __future__ import annotations

from api.limits import MAX_LOCKOUT_SECONDS, LoginThrottle
from api.origin import parse_origins


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fail(throttle: LoginThrottle, client: str = "10.0.0.1") -> float | None:
    wait = throttle.admit(client)
    if wait is None:
        throttle.record(client, False)
    return wait


def test_lockout_starts_after_the_allowed_failures_and_doubles():
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, lockout_seconds=10, clock=clock)
    assert [_fail(throttle) for _ in range(3)] == [None, None, None]
    assert _fail(throttle) == 10  # locked out after the third failure
    clock.now += 10
    assert _fail(throttle) is None  # one more try once it ends, and it fails
    assert _fail(throttle) == 20
    clock.now += 20
    assert _fail(throttle) is None
    assert _fail(throttle) == 40
    assert throttle.admit("10.0.0.2") is None  # other clients are not affected


def test_success_resets_and_attempts_run_one_at_a_time():
    clock = Clock()
    throttle = LoginThrottle(max_failures=2, lockout_seconds=5, clock=clock)
    _fail(throttle)
    assert throttle.admit("10.0.0.1") is None
    assert throttle.admit("10.0.0.1") == 1.0  # a second attempt while one is in flight
    throttle.record("10.0.0.1", True)
    assert [_fail(throttle) for _ in range(2)] == [None, None]  # the count started again
    assert _fail(throttle) == 5


def test_lockout_is_capped():
    clock = Clock()
    throttle = LoginThrottle(max_failures=1, lockout_seconds=60, clock=clock)
    for _ in range(40):
        _fail(throttle)
        clock.now += MAX_LOCKOUT_SECONDS
    assert _fail(throttle) is None
    assert _fail(throttle) == MAX_LOCKOUT_SECONDS


def test_allowed_origins_are_read_as_host_and_port():
    assert parse_origins("https://rag.example.org, http://127.0.0.1:8080,") == {
        "rag.example.org",
        "127.0.0.1:8080",
    }
    assert parse_origins("") == set()
