"""When to retry a request and how long to wait first: capped exponential backoff with jitter.

Only requests that are safe to repeat are retried (GET, HEAD, PUT, DELETE, OPTIONS, and operations the
spec or the generator's configuration marks idempotent); a POST that sends something is repeated only
after a 429, where the server refused it before doing anything.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Callable

import httpx

RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry and how long to wait in between.

    The n-th retry waits `initial_delay * 2**n` seconds, at most `max_delay`, minus up to `jitter`
    of it at random. A `Retry-After` header (seconds or an HTTP date) replaces that wait when it is
    no longer than `max_retry_after`; with a longer one the client does not wait but raises at once
    (the error's `retry_after` holds the wait; see `too_long`).
    `clock` (seconds since the epoch) and `random` (in [0, 1)) can be replaced, in tests for example.
    """

    max_retries: int = 2
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: float = 0.25
    statuses: frozenset[int] = RETRY_STATUSES
    clock: Callable[[], float] = field(default=time.time, compare=False)
    random: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (0 for the first) without a Retry-After."""
        delay = min(self.initial_delay * 2.0**retry, self.max_delay)
        return delay * (1.0 - self.jitter * self.random())

    def delay(self, retry: int, response: httpx.Response | None) -> float:
        """Seconds to wait before retry number `retry`, honouring the response's Retry-After."""
        if response is not None:
            after = self.retry_after(response.headers.get("retry-after"))
            if after is not None:
                return min(after, self.max_retry_after)
        return self.backoff(retry)

    def retry_after(self, value: str | None) -> float | None:
        """A Retry-After value in seconds from now; None when absent or unreadable."""
        if not value:
            return None
        value = value.strip()
        try:
            seconds = float(value)
        except ValueError:
            pass
        else:  # `nan` and `inf` parse as floats, but say nothing about when to retry
            return max(seconds, 0.0) if math.isfinite(seconds) else None
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # HTTP dates are in GMT
            when = when.replace(tzinfo=timezone.utc)
        return max(when.timestamp() - self.clock(), 0.0)

    def too_long(self, response: httpx.Response) -> float | None:
        """The response's Retry-After in seconds when it is longer than `max_retry_after`, else None."""
        after = self.retry_after(response.headers.get("retry-after"))
        return after if after is not None and after > self.max_retry_after else None

    def should_retry(self, retry: int, idempotent: bool, response: httpx.Response | None) -> bool:
        """Whether retry number `retry` should happen after this response (None: a connection error).

        A 429 is retried for every operation (nothing was done); anything else only when idempotent.
        """
        if retry >= self.max_retries:
            return False
        if response is not None and response.status_code == 429 and 429 in self.statuses:
            return True
        if not idempotent:
            return False
        return response is None or response.status_code in self.statuses
