"""Worker processes for one generation, so its stages can overlap on every core.

On Linux, in a process without other threads, the workers are forked: they inherit every module
already imported and cost a few milliseconds to start. Anywhere else, and when one core is all there
is, work runs inline when it is submitted; the results are the same either way, only the time differs.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """A result that may still be computed elsewhere; `get()` waits for it (and re-raises its error)."""

    def __init__(self, get: Callable[[], T]) -> None:
        self.get = get


class Workers:
    """A pool of forked workers, or none: `submit` and `map` behave the same in both cases."""

    def __init__(self, processes: int) -> None:
        self._pool: Any = None
        if processes >= 2:
            import gc
            import multiprocessing

            gc.freeze()  # the workers' collector then never walks (and copies) the parent's objects
            try:
                self._pool = multiprocessing.get_context("fork").Pool(processes)
            finally:
                gc.unfreeze()

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def submit(self, fn: Callable[..., T], *args: Any) -> Pending[T]:
        if self._pool is None:
            # inline: runs when first asked for, like a stage in turn
            return Pending(cache(lambda: fn(*args)))
        return Pending(self._pool.apply_async(fn, args).get)

    def map(self, fn: Callable[[Any], T], items: list[Any]) -> Pending[list[T]]:
        if self._pool is None:
            return self.submit(lambda: [fn(item) for item in items])
        return Pending(self._pool.map_async(fn, items, chunksize=1).get)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()  # also stops work nobody waits for any more (a spec that failed validation)
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def available() -> int:
    """How many workers are worth starting here: forking is safe only on Linux without other threads."""
    import threading

    if (
        sys.platform != "linux"
        or threading.active_count() > 1
        or os.environ.get("SPECBIND_WORKERS") == "0"
    ):
        return 0
    return min(os.cpu_count() or 1, 8)
