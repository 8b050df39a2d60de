"""Worker processes for one generation, so its stages can overlap on every core.

On Linux, in a process without other threads, the workers are forked: they inherit every module
already imported and cost a few milliseconds to start. Anywhere else, and when one core is all there
is, work runs inline when it is submitted; the results are the same either way, only the time differs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any, Callable, Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """A result that may still be computed elsewhere; `get()` waits for it (and re-raises its error)."""

    def __init__(self, get: Callable[[], T], done: bool = False) -> None:
        self.get = get
        self.done = done  # known already (from a cache): nothing to wait for


class Workers:
    """A pool of forked workers, or none: `submit` and `map` behave the same in both cases. The pool
    starts with the first job given to it, after any `apart` job started before (a fork is then
    made while this process has no pool threads yet)."""

    def __init__(self, processes: int) -> None:
        self._processes = processes if processes >= 2 else 0
        self._pool: Any = None
        self._apart: list[Any] = []  # processes started by `apart`

    @property
    def parallel(self) -> bool:
        return self._processes >= 2

    def _started(self) -> Any:
        if self._pool is None:
            with _forking() as context:
                self._pool = context.Pool(self._processes)
        return self._pool

    def submit(self, fn: Callable[..., T], *args: Any) -> Pending[T]:
        if not self.parallel:
            # inline: runs when first asked for, like a stage in turn
            return Pending(cache(lambda: fn(*args)))
        return Pending(self._started().apply_async(fn, args).get)

    def apart(self, fn: Callable[..., T], *args: Any) -> Pending[T]:
        """`submit`, but in a process of its own that ends with the job: a job that builds much it
        does not return (datamodel-code-generator) gives its memory back, where a pool worker would
        keep it while it formats. The process is forked, so `args` are not copied to it."""
        if not self.parallel:
            return self.submit(fn, *args)
        with _forking() as context:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_run_apart, args=(sender, fn, args), daemon=True)
            process.start()
        sender.close()
        self._apart.append(process)

        def get() -> T:
            try:
                ok, value = receiver.recv()
            except EOFError:
                raise RuntimeError(
                    f"the worker process running {fn.__name__} ended early"
                ) from None
            finally:
                receiver.close()
                process.join()
            if not ok:
                raise value
            return value  # type: ignore[no-any-return]

        return Pending(cache(get))

    def map(self, fn: Callable[[Any], T], items: list[Any]) -> Pending[list[T]]:
        if not self.parallel:
            return self.submit(lambda: [fn(item) for item in items])
        return Pending(self._started().map_async(fn, items, chunksize=1).get)

    def close(self) -> None:
        for process in self._apart:
            if process.is_alive():
                process.terminate()  # work nobody waits for any more
            process.join()
        self._apart = []
        if self._pool is not None:
            self._pool.terminate()  # also stops work nobody waits for any more (a spec that failed validation)
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def _forking() -> Iterator[Any]:
    """The fork context, with the collector's view of this process frozen meanwhile: the children's
    collector then never walks (and so copies) the parent's objects."""
    import gc
    import multiprocessing

    gc.freeze()
    try:
        yield multiprocessing.get_context("fork")
    finally:
        gc.unfreeze()


def _run_apart(sender: Any, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
    try:
        result = (True, fn(*args))
    except BaseException as exc:  # sent back, raised where the result is asked for
        result = (False, exc)
    sender.send(result)
    sender.close()


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
