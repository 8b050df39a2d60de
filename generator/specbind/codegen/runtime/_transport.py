"""A total deadline per attempt: connect to last byte, whatever the server does.

httpx's timeouts bound each read and write, so a server that drips its answer one byte at a time
can stretch a call without limit. `Client` keeps the deadline itself: every socket operation of
`DeadlineTransport` waits at most until the current attempt's deadline (set with `deadline`).
`AsyncClient` needs none of this: it cancels the attempt (`asyncio.timeout`).
"""

from __future__ import annotations

import contextlib
import ssl
import time
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

# When the attempt running in this thread (or task) must be over, on the `time.monotonic` clock.
DEADLINE: ContextVar[float | None] = ContextVar("DEADLINE", default=None)


def total_seconds(timeout: float | httpx.Timeout | None) -> float | None:
    """The deadline a timeout gives an attempt: a number is the whole attempt's; an `httpx.Timeout`
    gives its longest value; None (or a Timeout with a None in it) sets no deadline."""
    if not isinstance(timeout, httpx.Timeout):
        return timeout
    values = (timeout.connect, timeout.read, timeout.write, timeout.pool)
    return None if any(v is None for v in values) else max(v for v in values if v is not None)


@contextlib.contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Run the block as one attempt that must end within `seconds` (None: no deadline)."""
    token = DEADLINE.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        DEADLINE.reset(token)


def check_deadline() -> None:
    """Raise httpx.ReadTimeout when the current attempt's deadline has passed."""
    _wait(None, httpx.ReadTimeout)


def _wait(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout`, shortened to what is left before the deadline; `error` once nothing is left."""
    at = DEADLINE.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _wait(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _wait(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        wait = _wait(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, wait))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        wait = _wait(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_tcp(host, port, wait, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        wait = _wait(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, wait, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


# httpcore's exceptions as httpx's, most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextlib.contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for theirs, ours in _ERRORS:
            if isinstance(exc, theirs):
                raise ours(str(exc)) from None
        raise


class _Body(httpx.SyncByteStream):
    def __init__(self, stream: Iterable[bytes]) -> None:
        self._stream = stream

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self._stream

    def close(self) -> None:
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class DeadlineTransport(httpx.BaseTransport):
    """A pool of HTTP/1.1 connections, like httpx's default transport, whose every connect, read
    and write ends by the current attempt's deadline."""

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        self._pool = httpcore.ConnectionPool(ssl_context=ssl_context, network_backend=_Backend())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)  # a sync pool's body
        return httpx.Response(
            answer.status,
            headers=answer.headers,
            stream=_Body(answer.stream),
            extensions=answer.extensions,
        )

    def close(self) -> None:
        self._pool.close()


def http_client() -> httpx.Client:
    """The httpx client a `Client` makes for itself: requests go through `DeadlineTransport`,
    except where the environment's proxy settings send them through a proxy (`HTTPS_PROXY`, ...),
    where httpx's own transport keeps only its per-read timeouts."""
    context = httpx.create_ssl_context()
    return httpx.Client(verify=context, mounts={"all://": DeadlineTransport(context)})
