"""`_retries`, the backoff every generated package carries, tested as code (a fixed clock and draw)."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest
from specbind.codegen.runtime._retries import RETRY_STATUSES, RetryPolicy

NOW = 1_750_000_000.0


def policy(**changes: float) -> RetryPolicy:
    return RetryPolicy(clock=lambda: NOW, random=lambda: 0.5, **changes)  # type: ignore[arg-type]


def answer(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_waits_double_up_to_the_cap_shortened_by_the_jitter_draw() -> None:
    waits = [policy().backoff(n) for n in range(6)]
    assert waits == [
        0.4375,
        0.875,
        1.75,
        3.5,
        7.0,
        7.0,
    ]  # (0.5 * 2**n, at most 8) * (1 - 0.25 * 0.5)
    assert RetryPolicy(random=lambda: 0.0).backoff(0) == 0.5


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("3", 3.0), (" 2.5 ", 2.5), ("-4", 0.0), (formatdate(NOW + 20, usegmt=True), 20.0)],
)
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str, seconds: float) -> None:
    assert policy().retry_after(header) == seconds


def test_an_http_date_in_the_past_means_now() -> None:
    assert policy().retry_after(formatdate(NOW - 60, usegmt=True)) == 0.0


@pytest.mark.parametrize("header", [None, "", "soon", "Mon, 99 Foo 2025", "nan", "inf", "1e400"])
def test_an_absent_or_unreadable_retry_after_is_none(header: str | None) -> None:
    assert policy().retry_after(header) is None


def test_retry_after_replaces_the_backoff_and_is_capped() -> None:
    assert policy().delay(0, answer(429, **{"retry-after": "5"})) == 5.0
    assert policy().delay(0, answer(429, **{"retry-after": "600"})) == 60.0
    assert policy(max_retry_after=120.0).delay(0, answer(503, **{"retry-after": "600"})) == 120.0
    assert policy().delay(1, answer(503)) == 0.875
    assert policy().delay(1, None) == 0.875


def test_only_idempotent_requests_are_retried_and_only_for_the_retry_statuses() -> None:
    p = policy()
    assert all(p.should_retry(0, True, answer(status)) for status in RETRY_STATUSES)
    assert not p.should_retry(0, True, answer(500))
    assert not p.should_retry(0, False, answer(503))
    assert p.should_retry(0, True, None)  # a connection error
    assert p.should_retry(1, True, None) and not p.should_retry(2, True, None)
    assert not RetryPolicy(max_retries=0).should_retry(0, True, None)
