"""Run the same test against Client and AsyncClient, with waits between retries recorded, not slept.

Test modules import the `api` and `server` fixtures from here:

    from tests.calling import Api, api, server, shared_server  # noqa: F401  (pytest fixtures)
"""

from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import contextmanager
from types import ModuleType
from typing import Any, Iterator

import httpx
import pytest

from tests.http_server import ScriptedServer, serve

KEY = "s3cr3t-key-5f2c9a"
NOW = 1_750_000_000.0  # the injected clock: seconds since the epoch


class Api:
    """call(name, *args) on a fresh Client or AsyncClient (by `flavour`) against `url`."""

    def __init__(self, flavour: str, package: ModuleType, url: str) -> None:
        self.flavour = flavour
        self.package = package
        self.url = url
        self.sleeps: list[float] = []

    def policy(self, **changes: Any) -> Any:
        """A RetryPolicy with a fixed clock and a fixed jitter draw (0.5)."""
        fixed: dict[str, Any] = {"clock": lambda: NOW, "random": lambda: 0.5}
        return self.package.RetryPolicy(**{**fixed, **changes})

    def options(self, options: dict[str, Any] | None) -> dict[str, Any]:
        merged = {"api_key": KEY, "base_url": self.url, "retry_policy": self.policy()}
        merged.update(options or {})
        return merged

    def call(
        self, name: str, *args: Any, client: dict[str, Any] | None = None, **kwargs: Any
    ) -> Any:
        """The result of one method call; `client` holds options for the client's constructor.

        Unless given one, the client gets an httpx client without TLS set up: building the default
        TLS context costs ~0.1 s per client, and the server here speaks plain HTTP anyway.
        """
        options = self.options(client)
        if self.flavour == "sync":
            with httpx.Client(verify=False) as http:
                options.setdefault("http_client", http)
                with self.package.Client(sleep=self.sleeps.append, **options) as sync:
                    return getattr(sync, name)(*args, **kwargs)

        async def sleep(seconds: float) -> None:
            self.sleeps.append(seconds)

        async def go() -> Any:
            async with httpx.AsyncClient(verify=False) as http:
                options.setdefault("http_client", http)
                async with self.package.AsyncClient(sleep=sleep, **options) as asynchronous:
                    return await getattr(asynchronous, name)(*args, **kwargs)

        return asyncio.run(go())

    def client(self, **options: Any) -> Any:
        """A client of this flavour (for repr checks); the caller closes it."""
        kind = self.package.Client if self.flavour == "sync" else self.package.AsyncClient
        return kind(**self.options(options))


@pytest.fixture(scope="session")
def shared_server() -> Iterator[ScriptedServer]:
    """One server for the session, shared by the tests of one worker (routes reset per test)."""
    with serve() as script:
        yield script


@pytest.fixture
def server(shared_server: ScriptedServer) -> ScriptedServer:
    """The scripted server on 127.0.0.1, with no routes and no requests seen yet."""
    shared_server.routes.clear()
    shared_server.seen.clear()
    return shared_server


@pytest.fixture(params=["sync", "async"])
def api(request: pytest.FixtureRequest, chat: ModuleType, server: ScriptedServer) -> Api:
    """The chat-api client, sync or async, pointed at the scripted server."""
    return Api(request.param, chat, server.url)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@contextmanager
def silent_server() -> Iterator[str]:
    """A URL on 127.0.0.1 that accepts connections and never answers (requests time out)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@contextmanager
def truncating_server(
    announced: int, sent: bytes, content_type: str = "application/octet-stream"
) -> Iterator[str]:
    """A URL on 127.0.0.1 whose one answer promises `announced` bytes, sends `sent`, and hangs up."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)

        def answer() -> None:
            conn, _ = sock.accept()
            with conn:
                conn.recv(65536)
                head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {announced}\r\n\r\n"
                conn.sendall(head.encode() + sent)

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        thread.join(5)
