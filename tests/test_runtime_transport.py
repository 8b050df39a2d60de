"""`_transport`, the total deadline per attempt that every generated `Client` keeps, tested as code
against servers on 127.0.0.1."""

from __future__ import annotations

import httpx
import pytest
from specbind.codegen.runtime import _transport

from tests.calling import closed_port_url
from tests.hostile_servers import dripping_server, http_head
from tests.http_server import Reply, serve


@pytest.mark.parametrize(
    ("timeout", "seconds"),
    [
        (1.5, 1.5),
        (None, None),
        (httpx.Timeout(30.0, connect=10.0), 30.0),
        (httpx.Timeout(5.0, read=60.0), 60.0),
        (httpx.Timeout(5.0, read=None), None),
    ],
)
def test_the_deadline_is_the_timeout_or_its_longest_value(
    timeout: float | httpx.Timeout | None, seconds: float | None
) -> None:
    assert _transport.total_seconds(timeout) == seconds


def test_the_deadline_holds_inside_its_block_only() -> None:
    _transport.check_deadline()  # none set: nothing to pass
    with _transport.deadline(0.0):
        with pytest.raises(httpx.ReadTimeout, match="the deadline passed"):
            _transport.check_deadline()
        with _transport.deadline(None):
            _transport.check_deadline()
    _transport.check_deadline()


def client() -> httpx.Client:
    return httpx.Client(transport=_transport.DeadlineTransport(httpx.create_ssl_context()))


def test_the_transport_sends_and_streams_like_httpx_own() -> None:
    with serve() as server, client() as http:
        server.on("POST", "/echo", Reply(201, b"x" * 100_000, {"Content-Type": "text/plain"}))
        with _transport.deadline(10.0):
            answer = http.post(server.url + "/echo?q=1", content=b"hello", headers={"A": "b"})
        assert answer.status_code == 201 and answer.content == b"x" * 100_000
        assert answer.reason_phrase == "Created"
        seen = server.seen[0]
        assert (seen.path, seen.body, seen.headers["a"]) == ("/echo?q=1", b"hello", "b")


def test_a_server_dripping_headers_is_cut_off_at_the_deadline() -> None:
    with dripping_server(http_head(200, 0) + b"x" * 100, b"", 0.05) as drip, client() as http:
        with _transport.deadline(0.3), pytest.raises(httpx.ReadTimeout):
            http.get(drip.url, timeout=5.0)
        assert not drip.finished.is_set()


def test_a_server_dripping_its_body_is_cut_off_at_the_deadline() -> None:
    with dripping_server(http_head(200, 100), b"x" * 100, 0.05) as drip, client() as http:
        with _transport.deadline(0.3), pytest.raises(httpx.ReadTimeout):
            http.get(drip.url, timeout=5.0)
        assert not drip.finished.is_set()


def test_httpcore_errors_arrive_as_httpx_errors() -> None:
    with client() as http, pytest.raises(httpx.ConnectError):
        http.get(closed_port_url())


def test_the_clients_own_http_client_still_honours_proxy_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serve() as proxy:
        proxy.on("GET", "http://api.example.invalid/x", Reply(200, b"via the proxy"))
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        with _transport.http_client() as http:
            answer = http.get("http://api.example.invalid/x")
        assert answer.content == b"via the proxy"
        assert proxy.seen[0].path == "http://api.example.invalid/x"


def test_without_proxy_settings_the_clients_own_http_client_keeps_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)
    with dripping_server(http_head(200, 100), b"x" * 100, 0.05) as drip:
        with _transport.http_client() as http:
            with _transport.deadline(0.3), pytest.raises(httpx.ReadTimeout):
                http.get(drip.url, timeout=5.0)
        assert not drip.finished.is_set()
