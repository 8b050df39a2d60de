"""Serving a `Mock` over HTTP: an ASGI app (Starlette's request and response types) run by uvicorn.

`run(...)` serves in the foreground until SIGINT or SIGTERM (the `specbind mock` command);
`serve_mock(spec)` serves from a background thread for the length of a `with` block (tests).

The event loop only moves bytes: each request is checked and answered by `Mock.handle` in a worker
thread, so a slow request (a large body, a pattern that is slow to match) does not hold up the
others, and a body larger than `max_body_size` is refused with 413 before it is read.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import uvicorn
from specbind.mock.routing import Mock, Request, Response, problem_response
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect
from starlette.requests import Request as HttpRequest
from starlette.responses import Response as HttpResponse

log = logging.getLogger("specbind.mock")

GRACE_SECONDS = 5  # open connections get this long to finish when the server stops
MAX_BODY_SIZE = 16 * 1024 * 1024  # bytes of request body the mock reads; beyond: 413
BACKLOG = 2048  # connections waiting to be accepted (as uvicorn's default); 128 made a burst of
# 200 clients wait for SYN retransmits (1 s, 3 s, 7 s)


def asgi_app(mock: Mock, max_body_size: int = MAX_BODY_SIZE) -> Callable[..., Any]:
    """An ASGI application answering every HTTP request with `mock.handle` (in a worker thread),
    or with 413 when the body is larger than `max_body_size` bytes."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        incoming = HttpRequest(scope, receive)
        try:
            body = await _body(incoming, max_body_size)
        except ClientDisconnect:
            return  # nobody is waiting for an answer
        if body is None:
            detail = f"the request body is larger than the mock accepts ({max_body_size} bytes)"
            answer = problem_response(413, detail, (("Connection", "close"),))
        else:
            headers: dict[str, str] = {}
            for name, value in incoming.headers.items():
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            request = Request(
                method=incoming.method,
                path=scope.get("raw_path", b"").decode("latin-1").split("?")[0]
                or incoming.url.path,
                query=list(incoming.query_params.multi_items()),
                headers=headers,
                body=body,
            )
            answer = await run_in_threadpool(_answer, mock, request)
        response = HttpResponse(answer.body, answer.status)
        response.raw_headers = [h for h in response.raw_headers if h[0] != b"content-type"] + [
            (k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in answer.headers
        ]
        await response(scope, receive, send)

    return app


async def _body(incoming: HttpRequest, limit: int) -> bytes | None:
    """The request body, or None as soon as it is known to be longer than `limit` bytes: from
    Content-Length before reading anything, else (chunked) by counting what arrives."""
    declared = incoming.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in incoming.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(mock: Mock, request: Request) -> Response:
    try:
        return mock.handle(request)
    except Exception as exc:  # a construct of the spec the mock cannot serve: say so, go on
        log.exception("specbind mock cannot answer %s %s", request.method, request.path)
        return problem_response(500, f"the mock cannot answer this: {type(exc).__name__}: {exc}")


class _Server(uvicorn.Server):
    """uvicorn's server, telling when it has started listening, and stopping within milliseconds
    when `stop()` is called from another thread (uvicorn looks at `should_exit` every 0.1 s, then
    waits 0.1 s for open connections even when there are none)."""

    def __init__(self, config: uvicorn.Config, ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._ready = ready
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = asyncio.Event()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        await super().startup(sockets)
        if self.started:
            self._ready()

    def stop(self) -> None:
        """Ask the server to stop (from any thread); returns at once."""
        self.should_exit = True
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)

    async def main_loop(self) -> None:
        ticking = asyncio.ensure_future(super().main_loop())
        stopping = asyncio.ensure_future(self._stopping.wait())
        await asyncio.wait({ticking, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in (ticking, stopping):
            task.cancel()
        await asyncio.gather(ticking, stopping, return_exceptions=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for server in self.servers:
            server.close()  # accept no more connections
        for connection in list(self.server_state.connections):
            connection.shutdown()  # an idle keep-alive connection closes now, a busy one after its response
        await asyncio.sleep(0)  # the closed ones leave server_state
        if self.server_state.connections or self.server_state.tasks:
            await super().shutdown(sockets)  # let them finish, up to the grace period
            return
        for server in self.servers:
            await server.wait_closed()  # lifespan is off: nothing else to shut down


def _config(mock: Mock, quiet: bool, max_body_size: int) -> uvicorn.Config:
    return uvicorn.Config(
        asgi_app(mock, max_body_size),
        lifespan="off",
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        timeout_graceful_shutdown=GRACE_SECONDS,
        server_header=False,
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on exactly `host` (never all interfaces unless asked); port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named, not left 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it every answer (headers, then body) waited ~40 ms for the client's delayed ACK
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run(
    mock: Mock,
    host: str,
    port: int,
    announce: Callable[[str], None] = print,
    max_body_size: int = MAX_BODY_SIZE,
) -> str | None:
    """Serve until SIGINT or SIGTERM; returns the name of the signal that stopped the server."""
    sock = bind(host, port)
    url = url_of(sock)
    received: list[int] = []
    # uvicorn stops gracefully on these signals and then re-raises them to the handlers it found:
    # ours only note them, so the process ends normally instead of dying of the signal.
    previous = {
        sig: signal.signal(sig, lambda number, _frame: received.append(number))
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        server = _Server(
            _config(mock, quiet=False, max_body_size=max_body_size), lambda: announce(url)
        )
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    return signal.Signals(received[0]).name if received else None


@contextmanager
def serve_mock(
    spec: str | Path | Mock,
    host: str = "127.0.0.1",
    port: int = 0,
    max_body_size: int = MAX_BODY_SIZE,
) -> Iterator[str]:
    """Serve a mock of `spec` from a background thread; yields its base URL (`http://127.0.0.1:PORT`).

    The server validates every request against the spec and answers from the spec's examples;
    request bodies longer than `max_body_size` bytes get 413. It stops when the block ends.
    """
    mock = spec if isinstance(spec, Mock) else Mock.from_spec(spec)
    sock = bind(host, port)
    started = threading.Event()
    server = _Server(_config(mock, quiet=True, max_body_size=max_body_size), started.set)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="specbind-mock", daemon=True
    )
    thread.start()
    try:
        while not started.wait(0.05):
            if not thread.is_alive():
                raise RuntimeError(
                    "specbind mock server stopped while starting (see the log above)"
                )
        yield url_of(sock)
    finally:
        server.stop()
        thread.join(GRACE_SECONDS + 5)
        sock.close()
