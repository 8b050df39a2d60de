"""Serving a `Mock` over HTTP: an ASGI app (Starlette's request and response types) run by uvicorn.

`run(...)` serves in the foreground until SIGINT or SIGTERM (the `specbind mock` command);
`serve_mock(spec)` serves from a background thread for the length of a `with` block (tests).
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
from specbind.mock.routing import Mock, Request, problem_response
from starlette.requests import Request as HttpRequest
from starlette.responses import Response as HttpResponse

log = logging.getLogger("specbind.mock")

GRACE_SECONDS = 5  # open connections get this long to finish when the server stops


def asgi_app(mock: Mock) -> Callable[..., Any]:
    """An ASGI application answering every HTTP request with `mock.handle`."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        incoming = HttpRequest(scope, receive)
        headers: dict[str, str] = {}
        for name, value in incoming.headers.items():
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        request = Request(
            method=incoming.method,
            path=scope.get("raw_path", b"").decode("latin-1").split("?")[0] or incoming.url.path,
            query=list(incoming.query_params.multi_items()),
            headers=headers,
            body=await incoming.body(),
        )
        try:
            answer = mock.handle(request)
        except Exception as exc:  # a construct of the spec the mock cannot serve: say so, go on
            log.exception("specbind mock cannot answer %s %s", request.method, request.path)
            answer = problem_response(
                500, f"the mock cannot answer this: {type(exc).__name__}: {exc}"
            )
        response = HttpResponse(answer.body, answer.status)
        response.raw_headers = [h for h in response.raw_headers if h[0] != b"content-type"] + [
            (k.lower().encode("latin-1"), v.encode("latin-1", "replace")) for k, v in answer.headers
        ]
        await response(scope, receive, send)

    return app


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


def _config(mock: Mock, quiet: bool) -> uvicorn.Config:
    return uvicorn.Config(
        asgi_app(mock),
        lifespan="off",
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        timeout_graceful_shutdown=GRACE_SECONDS,
        server_header=False,
    )


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on exactly `host` (never all interfaces unless asked); port 0 picks a free one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def run(mock: Mock, host: str, port: int, announce: Callable[[str], None] = print) -> str | None:
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
        server = _Server(_config(mock, quiet=False), lambda: announce(url))
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        sock.close()
    return signal.Signals(received[0]).name if received else None


@contextmanager
def serve_mock(spec: str | Path | Mock, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve a mock of `spec` from a background thread; yields its base URL (`http://127.0.0.1:PORT`).

    The server validates every request against the spec and answers from the spec's examples;
    it stops when the block ends.
    """
    mock = spec if isinstance(spec, Mock) else Mock.from_spec(spec)
    sock = bind(host, port)
    started = threading.Event()
    server = _Server(_config(mock, quiet=True), started.set)
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
