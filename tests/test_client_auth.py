"""Issue 13, credentials: one small spec per security scheme kind (tests/specs/auth/) is generated,
and its Client and AsyncClient are run against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
from pathlib import Path
from types import ModuleType
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.calling import server, shared_server  # noqa: F401  (pytest fixtures)
from tests.helpers import generate_and_import
from tests.http_server import Reply, ScriptedServer

SPECS = Path(__file__).parent / "specs" / "auth"
KINDS = ("basic", "bearer", "oauth2_cc", "query_key", "cookie_key", "several")
THING = Reply.json(200, {"id": "t-1"})


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    folder = tmp_path_factory.mktemp("auth")
    return {
        kind: generate_and_import(SPECS / f"{kind}.yaml", f"a_{kind}", folder) for kind in KINDS
    }


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def run(package: ModuleType, flavour: str, use: Callable[[Any], Any], **options: Any) -> Any:
    """`use(client)` on a fresh Client or AsyncClient of `package`, awaiting on the latter."""
    if flavour == "sync":
        with httpx.Client(verify=False) as http:
            with package.Client(http_client=http, **options) as client:
                return use(client)

    async def go() -> Any:
        async with httpx.AsyncClient(verify=False) as http:
            async with package.AsyncClient(http_client=http, **options) as client:
                result = use(client)
                return await result if inspect.isawaitable(result) else result

    return asyncio.run(go())


def get_thing(client: Any) -> Any:
    return client.get_thing("t-1")


def test_basic_sends_username_and_password_encoded(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    server.on("GET", "/things/t-1", THING)
    run(
        packages["basic"], flavour, get_thing, username="ann", password="pa:ss", base_url=server.url
    )
    expected = "Basic " + base64.b64encode(b"ann:pa:ss").decode()
    assert server.seen[-1].headers["authorization"] == expected


def test_bearer_sends_the_token(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    server.on("GET", "/things/t-1", THING)
    run(packages["bearer"], flavour, get_thing, token="tok-1", base_url=server.url)
    assert server.seen[-1].headers["authorization"] == "Bearer tok-1"


def test_query_and_cookie_keys_go_where_the_spec_says(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    server.on("GET", "/things/t-1", THING)
    run(packages["query_key"], flavour, get_thing, api_key="q-key", base_url=server.url)
    assert parse_qs(urlsplit(server.seen[-1].path).query) == {"key": ["q-key"]}
    run(packages["cookie_key"], flavour, get_thing, api_key="c-key", base_url=server.url)
    assert server.seen[-1].headers["cookie"] == "session=c-key"


def test_oauth2_client_credentials_fetch_cache_and_refetch_after_401(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    server.on(
        "POST",
        "/oauth/token",
        Reply.json(200, {"access_token": "at-1", "expires_in": 3600, "token_type": "Bearer"}),
        Reply.json(200, {"access_token": "at-2", "expires_in": 3600, "token_type": "Bearer"}),
    )
    server.on("GET", "/things/t-1", THING, Reply.json(401, {"title": "expired"}), THING)

    def three_calls(client: Any) -> Any:
        if flavour == "sync":
            return [client.get_thing("t-1") for _ in range(3)]

        async def calls() -> Any:
            return [await client.get_thing("t-1") for _ in range(3)]

        return calls()

    run(
        packages["oauth2_cc"],
        flavour,
        three_calls,
        client_id="cid",
        client_secret="cs",
        base_url=server.url,
    )
    seen = [(s.method, s.path, s.headers.get("authorization")) for s in server.seen]
    basic = "Basic " + base64.b64encode(b"cid:cs").decode()
    assert seen == [
        ("POST", "/oauth/token", basic),
        ("GET", "/things/t-1", "Bearer at-1"),
        ("GET", "/things/t-1", "Bearer at-1"),  # cached; the server answers 401
        ("POST", "/oauth/token", basic),  # so the token is fetched again, once
        ("GET", "/things/t-1", "Bearer at-2"),
        ("GET", "/things/t-1", "Bearer at-2"),  # cached
    ]
    form = parse_qs(server.seen[0].body.decode())
    assert form == {"grant_type": ["client_credentials"], "scope": ["things.read"]}


def test_an_expired_oauth2_token_is_fetched_again(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    server.on(
        "POST",
        "/oauth/token",
        Reply.json(200, {"access_token": "short", "expires_in": 1}),  # within the margin: expired
        Reply.json(200, {"access_token": "long", "expires_in": 3600}),
    )
    server.on("GET", "/things/t-1", THING)

    def two_calls(client: Any) -> Any:
        if flavour == "sync":
            return [client.get_thing("t-1"), client.get_thing("t-1")]

        async def calls() -> Any:
            return [await client.get_thing("t-1"), await client.get_thing("t-1")]

        return calls()

    run(
        packages["oauth2_cc"],
        flavour,
        two_calls,
        client_id="cid",
        client_secret="cs",
        base_url=server.url,
    )
    tokens = [s.headers.get("authorization") for s in server.seen if s.method == "GET"]
    assert tokens == ["Bearer short", "Bearer long"]


def test_several_schemes_get_one_parameter_each(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    server.on("GET", "/things/t-1", THING)
    package = packages["several"]
    run(package, flavour, get_thing, api_key_auth="k-1", base_url=server.url)
    assert server.seen[-1].headers["x-api-key"] == "k-1"
    assert "authorization" not in server.seen[-1].headers
    run(
        package,
        flavour,
        get_thing,
        basic_auth_username="u",
        basic_auth_password="p",
        base_url=server.url,
    )
    assert server.seen[-1].headers["authorization"].startswith("Basic ")
    assert "x-api-key" not in server.seen[-1].headers
    params = inspect.signature(package.Client).parameters
    assert {"api_key_auth", "basic_auth_username", "basic_auth_password"} <= set(params)


def test_credentials_and_base_url_come_from_the_environment(
    packages: dict[str, ModuleType],
    flavour: str,
    server: ScriptedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server.on("GET", "/things/t-1", THING)
    monkeypatch.setenv("A_BEARER_TOKEN", "env-token")
    monkeypatch.setenv("A_BEARER_BASE_URL", server.url)
    run(packages["bearer"], flavour, get_thing)
    assert server.seen[-1].headers["authorization"] == "Bearer env-token"


@pytest.mark.parametrize("kind", KINDS)
def test_no_credential_at_all_raises_at_once_naming_both_ways(
    packages: dict[str, ModuleType], kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [n for n in __import__("os").environ if n.startswith("A_")]:
        monkeypatch.delenv(name)
    package = packages[kind]
    for client in (package.Client, package.AsyncClient):
        with pytest.raises(ValueError) as caught:
            client()
        assert isinstance(caught.value, package.ApiError)
        message = str(caught.value)
        assert "=..." in message and f"A_{kind.upper()}_" in message and "environment" in message


def test_the_secret_is_not_in_the_repr(packages: dict[str, ModuleType]) -> None:
    client = packages["oauth2_cc"].Client(client_id="cid-123", client_secret="very-secret")
    assert "very-secret" not in repr(client) and "cid-123" not in repr(client)
    client.close()


# Every credential, passed in or from the environment, is cleaned as the API key is (h2's rule):
# surrounding whitespace dropped; empty or with control characters refused, the value never shown.
GIVEN = {
    "basic": {"username": "ann", "password": "pa:ss"},
    "bearer": {"token": "tok-1"},
    "oauth2_cc": {"client_id": "cid", "client_secret": "cs"},
    "query_key": {"api_key": "k-1"},
    "cookie_key": {"api_key": "k-1"},
    "several": {"basic_auth_username": "ann", "basic_auth_password": "pa:ss"},
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("bad", ["\x00", "\r\nX-Injected: 1", "\x1b[2J", ""])
def test_a_credential_with_control_characters_or_nothing_in_it_is_refused_unshown(
    packages: dict[str, ModuleType], kind: str, bad: str
) -> None:
    package = packages[kind]
    for name, value in GIVEN[kind].items():
        spoiled = "" if not bad else f"secret-{value}{bad}tail"
        options = {**GIVEN[kind], name: spoiled}
        for client in (package.Client, package.AsyncClient):
            with pytest.raises(ValueError) as caught:
                client(**options)
            message = str(caught.value)
            assert name in message and "control characters" in message
            assert spoiled not in message or not spoiled


@pytest.mark.parametrize("kind", KINDS)
def test_whitespace_around_every_credential_is_dropped(
    packages: dict[str, ModuleType], kind: str, server: ScriptedServer
) -> None:
    server.on("POST", "/oauth/token", Reply.json(200, {"access_token": "at-1", "expires_in": 60}))
    server.on("GET", "/things/t-1", THING, THING)
    padded = {name: f"  {value}\n" for name, value in GIVEN[kind].items()}
    run(packages[kind], "sync", get_thing, base_url=server.url, **GIVEN[kind])
    clean = server.seen[-1]
    run(packages[kind], "sync", get_thing, base_url=server.url, **padded)
    padded_request = server.seen[-1]
    assert padded_request.path == clean.path
    for header in ("authorization", "cookie", "x-api-key"):
        assert padded_request.headers.get(header) == clean.headers.get(header)


def test_a_credential_from_the_environment_is_cleaned_and_checked_too(
    packages: dict[str, ModuleType], server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.on("GET", "/things/t-1", THING)
    monkeypatch.setenv("A_BEARER_TOKEN", "env-token\n")
    run(packages["bearer"], "sync", get_thing, base_url=server.url)
    assert server.seen[-1].headers["authorization"] == "Bearer env-token"
    monkeypatch.setenv("A_BEARER_TOKEN", "env-token\x07")
    with pytest.raises(ValueError) as caught:
        packages["bearer"].Client()
    assert "A_BEARER_TOKEN" in str(caught.value) and "env-token" not in str(caught.value)


def test_a_token_endpoint_answering_an_unusable_token_is_an_authentication_error(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    server.on("POST", "/oauth/token", Reply.json(200, {"access_token": "at\r\nX-Evil: 1"}))
    package = packages["oauth2_cc"]
    with pytest.raises(package.AuthenticationError) as caught:
        run(package, flavour, get_thing, client_id="c", client_secret="s", base_url=server.url)
    assert "X-Evil" not in str(caught.value) and "unusable token" in str(caught.value)
    assert [s.path for s in server.seen] == ["/oauth/token"]


def test_a_token_answer_is_read_within_max_body_size(
    packages: dict[str, ModuleType], flavour: str, server: ScriptedServer
) -> None:
    big = {"access_token": "at-1", "padding": "x" * 10_000}
    server.on("POST", "/oauth/token", Reply.json(200, big))
    package = packages["oauth2_cc"]
    with pytest.raises(package.ApiResponseError, match="larger than max_body_size"):
        run(
            package,
            flavour,
            get_thing,
            client_id="c",
            client_secret="s",
            base_url=server.url,
            max_body_size=1000,
        )
    assert [s.path for s in server.seen] == ["/oauth/token"]
