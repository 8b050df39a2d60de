"""Servers on 127.0.0.1 that misbehave on purpose: they answer with raw bytes, as slowly as asked."""

from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator


@dataclass
class Dripping:
    """What the server did: `finished` is set once it sent its whole answer."""

    url: str = ""
    finished: threading.Event = field(default_factory=threading.Event)


@contextmanager
def dripping_server(head: bytes, body: bytes, interval: float) -> Iterator[Dripping]:
    """Answers every request with `head` and `body`; the part to drip (`head` when `body` is empty,
    else `body`) goes one byte per `interval` seconds, the rest at once. Stops at once on exit."""
    stop = threading.Event()
    state = Dripping()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    state.url = f"http://127.0.0.1:{listener.getsockname()[1]}"

    def answer(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                slow = body or head
                if body:
                    conn.sendall(head)
                for i in range(len(slow)):
                    if stop.wait(interval):
                        return
                    conn.sendall(slow[i : i + 1])
                state.finished.set()
            except OSError:  # the client hung up: what the test wants
                return

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        try:
            listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept (close alone may not)
        except OSError:
            pass
        listener.close()
        thread.join(5)


def http_head(status: int = 200, length: int | None = None, **headers: str) -> bytes:
    """A response's status line and headers."""
    lines = [f"HTTP/1.1 {status} X"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()
