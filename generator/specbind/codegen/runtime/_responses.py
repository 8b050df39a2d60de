"""What `client.with_raw_response` and `client.with_streaming_response` return.

`RawResponse` holds a read response: its status, headers and the `httpx.Response`, and `.parse()`
gives what the plain method returns. Its body was read within the call's deadline and the client's
`max_body_size` (a larger success body raises ApiResponseError, as the plain method does).
`StreamedResponse` (`AsyncStreamedResponse` for the async client) holds a response whose body has not
been read: iterate over it in chunks, inside a `with` block. The call's deadline covers it up to the
headers only: you read the body, at your pace; its `.parse()` reads at most `max_body_size` bytes.
Error statuses raise before either is returned, as the plain methods raise them.
"""

from __future__ import annotations

from types import TracebackType
from typing import (
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Generic,
    Iterator,
    ParamSpec,
    TypeVar,
    cast,
)

import httpx

from ._http import Body, RequestSpec, read

P = ParamSpec("P")
T = TypeVar("T")


class RawResponse(Generic[T]):
    """A response as it came: `status_code`, `headers`, `http_response`; `parse()` decodes the body."""

    def __init__(
        self, response: httpx.Response, spec: RequestSpec[T], max_body_size: int | None = None
    ) -> None:
        self.http_response = response
        self._spec = spec
        self._max_body_size = max_body_size

    @property
    def status_code(self) -> int:
        """The HTTP status."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers."""
        return self.http_response.headers

    def parse(self) -> T:
        """What the plain method returns (a body that does not fit raises ApiResponseError)."""
        return read(self._spec, self.http_response)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} [{self.status_code}]>"


class StreamedResponse(RawResponse[T]):
    """A response whose body is read as you iterate; use it in a `with` block, which closes it."""

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The body in chunks, decompressed (`chunk_size` bytes each, the last one shorter)."""
        return self.http_response.iter_bytes(chunk_size)

    def parse(self) -> T:
        """Read the rest of the body (at most max_body_size bytes, else ApiResponseError) and decode
        it as the plain method would."""
        body = Body(self.http_response, self._max_body_size)
        for chunk in self.http_response.iter_bytes():
            if not body.add(chunk):
                break
        return read(self._spec, body.response())

    def close(self) -> None:
        """Release the connection (the end of the `with` block does it)."""
        self.http_response.close()

    def __enter__(self) -> StreamedResponse[T]:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class AsyncStreamedResponse(RawResponse[T]):
    """A response whose body is read as you iterate; use it in an `async with` block, which closes it."""

    def aiter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        """The body in chunks, decompressed (`chunk_size` bytes each, the last one shorter)."""
        return self.http_response.aiter_bytes(chunk_size)

    iter_bytes = aiter_bytes  # the name openai-python uses on its async responses

    async def parse(self) -> T:  # type: ignore[override]
        """Read the rest of the body (at most max_body_size bytes, else ApiResponseError) and decode
        it as the plain method would."""
        body = Body(self.http_response, self._max_body_size)
        async for chunk in self.http_response.aiter_bytes():
            if not body.add(chunk):
                break
        return read(self._spec, body.response())

    async def close(self) -> None:
        """Release the connection (the end of the `async with` block does it)."""
        await self.http_response.aclose()


class AsyncStreamContext(Generic[T]):
    """`async with` around a call that has not been awaited yet: the response on entry, closed on exit."""

    def __init__(self, call: Awaitable[AsyncStreamedResponse[T]]) -> None:
        self._call = call
        self._response: AsyncStreamedResponse[T] | None = None

    async def __aenter__(self) -> AsyncStreamedResponse[T]:
        self._response = await self._call
        return self._response

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._response is not None:
            await self._response.close()

    def __await__(self) -> Generator[Any, None, AsyncStreamedResponse[T]]:
        return self._call.__await__()


# The views below call the methods of a client copy whose `send` returns the wrapper instead of the
# result; these functions only tell the type checker so, with each method's parameters kept.


def raw(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """A method of a raw-mode client, typed as what it returns."""
    return cast(Callable[P, RawResponse[T]], method)


def async_raw(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    """A method of a raw-mode async client, typed as what it returns."""
    return cast(Callable[P, Awaitable[RawResponse[T]]], method)


def streamed(method: Callable[P, T]) -> Callable[P, StreamedResponse[T]]:
    """A method of a streaming-mode client, typed as what it returns."""
    return cast(Callable[P, StreamedResponse[T]], method)


def async_streamed(method: Callable[P, Awaitable[T]]) -> Callable[P, AsyncStreamContext[T]]:
    """A method of a streaming-mode async client, returning what `async with` takes."""

    def call(*args: P.args, **kwargs: P.kwargs) -> AsyncStreamContext[T]:
        response = cast(Awaitable[AsyncStreamedResponse[T]], method(*args, **kwargs))
        return AsyncStreamContext(response)

    return call
