"""Issue 13: the generated client as its users ask for it, Client and AsyncClient alike, against a
real HTTP server on 127.0.0.1 (success statuses, raw and streamed responses, per-call options, copies).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import httpx
import pytest
import specbind

from tests.calling import KEY, Api, api, server, shared_server  # noqa: F401  (pytest fixtures)
from tests.helpers import generate_and_import
from tests.http_server import Reply, ScriptedServer, serve

MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"
ACCEPTED = {"messageId": MESSAGE_ID, "acceptedAt": "2019-06-26T11:41:28Z"}
STATUS = {"messageId": MESSAGE_ID, "deliveryChannel": "whatsapp", "status": "accepted"}
STATUS_AT = f"/messages/{MESSAGE_ID}/status"


def run(api: Api, use: Callable[[Any], Any], **options: Any) -> Any:
    """`use(client)` on a fresh Client or AsyncClient (awaiting what it returns on the latter)."""
    options = api.options(options)
    if api.flavour == "sync":
        with httpx.Client(verify=False) as http:
            options.setdefault("http_client", http)
            with api.package.Client(**options) as client:
                return use(client)

    async def go() -> Any:
        async with httpx.AsyncClient(verify=False) as http:
            options.setdefault("http_client", http)
            async with api.package.AsyncClient(**options) as client:
                result = use(client)
                return await result if inspect.isawaitable(result) else result

    return asyncio.run(go())


def message(api: Api) -> Any:
    return api.package.models.MessageRequest.from_dict(
        {
            "to": "+1233423454",
            "channels": ["whatsapp"],
            "whatsapp": {"from": "5", "contentType": "text", "text": "hi"},
        }
    )


# 1. Success is success


def test_an_undocumented_2xx_is_decoded_with_the_documented_success_model(
    api: Api, server: ScriptedServer
) -> None:
    server.on("POST", "/messages", Reply.json(200, ACCEPTED))  # the spec documents 202
    result = api.call("send_message", message(api))
    assert str(result.message_id) == MESSAGE_ID
    assert len(server.seen) == 1


def test_a_2xx_body_that_does_not_fit_says_the_request_was_accepted(
    api: Api, server: ScriptedServer
) -> None:
    server.on("POST", "/messages", Reply(201, b"<html>ok</html>", {"X-Trace": "t-1"}))
    with pytest.raises(api.package.ApiResponseError) as caught:
        api.call("send_message", message(api))
    error = caught.value
    assert error.status_code == 201
    assert error.headers["x-trace"] == "t-1"
    assert error.body == "<html>ok</html>"
    assert "accepted the request" in str(error)
    assert len(server.seen) == 1  # never repeated


def test_an_error_status_still_raises_the_status_error(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_AT, Reply.json(404, {"title": "gone"}))
    with pytest.raises(api.package.NotFoundError):
        api.call("check_message_status", MESSAGE_ID)


# 2. Raw and streamed responses, per-request options, copies


def test_with_raw_response_gives_status_headers_and_parse(api: Api, server: ScriptedServer) -> None:
    server.on(
        "GET",
        STATUS_AT,
        Reply(
            200,
            b'{"messageId": "%s", "status": "accepted"}' % MESSAGE_ID.encode(),
            {"X-Request-Id": "r-7", "Content-Type": "application/json"},
        ),
    )
    raw = run(api, lambda client: client.with_raw_response.check_message_status(MESSAGE_ID))
    assert raw.status_code == 200
    assert raw.headers["x-request-id"] == "r-7"
    assert isinstance(raw.http_response, httpx.Response)
    assert raw.parse().status == "accepted"


def test_with_raw_response_raises_errors_as_usual(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_AT, Reply.json(404, {"title": "gone"}))
    with pytest.raises(api.package.NotFoundError):
        run(api, lambda client: client.with_raw_response.check_message_status(MESSAGE_ID))


MEDIA = bytes(range(256)) * 400  # 100 kB: 25 chunks of 4096 bytes


def test_with_streaming_response_reads_the_body_in_chunks(api: Api, server: ScriptedServer) -> None:
    server.on("GET", "/media/m-1", Reply(200, MEDIA, {"Content-Type": "video/mp4"}))
    if api.flavour == "sync":

        def use(client: Any) -> Any:
            with client.with_streaming_response.download_media("m-1") as response:
                chunks = list(response.iter_bytes(4096))
                return response.status_code, response.headers["content-type"], chunks

    else:

        async def use(client: Any) -> Any:  # type: ignore[misc]
            async with client.with_streaming_response.download_media("m-1") as response:
                chunks = [chunk async for chunk in response.aiter_bytes(4096)]
                return response.status_code, response.headers["content-type"], chunks

    status, content_type, chunks = run(api, use)
    assert (status, content_type) == (200, "video/mp4")
    assert [len(chunk) for chunk in chunks] == [4096] * 25 and b"".join(chunks) == MEDIA


def test_with_streaming_response_raises_errors_before_the_block(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", "/media/m-2", Reply.json(404, {"title": "no such media"}))
    entered = []
    if api.flavour == "sync":

        def use(client: Any) -> None:
            with client.with_streaming_response.download_media("m-2"):
                entered.append(True)

    else:

        async def use(client: Any) -> None:  # type: ignore[misc]
            async with client.with_streaming_response.download_media("m-2"):
                entered.append(True)

    with pytest.raises(api.package.NotFoundError, match="no such media"):
        run(api, use)
    assert not entered


def test_extra_headers_and_query_reach_the_server(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_AT, Reply.json(200, STATUS))
    api.call(
        "check_message_status",
        MESSAGE_ID,
        extra_headers={"X-Tenant": "t-9"},
        extra_query={"trace": "on"},
        timeout=5.0,
        max_retries=0,
    )
    seen = server.seen[-1]
    assert seen.headers["x-tenant"] == "t-9" and seen.headers["apikey"] == KEY
    assert seen.path == f"{STATUS_AT}?trace=on"


def test_with_options_returns_a_copy_sharing_the_pool(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_AT, Reply.json(200, STATUS))

    def use(client: Any) -> Any:
        copy = client.with_options(
            timeout=3.0, max_retries=5, base_url=server.url + "/", headers={"X-Copy": "yes"}
        )
        assert copy is not client and copy._http is client._http
        assert (copy.timeout, copy.retry_policy.max_retries) == (3.0, 5)
        assert client.retry_policy.max_retries == 2 and client.timeout != 3.0
        return copy.check_message_status(MESSAGE_ID)

    result = run(api, use)
    assert result.status == "accepted"
    assert server.seen[-1].headers["x-copy"] == "yes"


def test_closing_a_copy_leaves_the_original_usable(api: Api, server: ScriptedServer) -> None:
    server.on("GET", STATUS_AT, Reply.json(200, STATUS))
    if api.flavour == "sync":
        with api.package.Client(api_key=KEY, base_url=server.url) as client:
            with client.with_options(max_retries=0):
                pass
            assert client.check_message_status(MESSAGE_ID).status == "accepted"
        return

    async def go() -> Any:
        async with api.package.AsyncClient(api_key=KEY, base_url=server.url) as client:
            async with client.with_options(max_retries=0):
                pass
            return await client.check_message_status(MESSAGE_ID)

    assert asyncio.run(go()).status == "accepted"


def test_an_empty_path_parameter_raises_before_sending(api: Api, server: ScriptedServer) -> None:
    with pytest.raises(ValueError, match="message_id is empty"):
        run(api, lambda client: client.retrieve_message(""))
    assert server.seen == []


# 3. Types that read like the API


def test_plain_strings_of_an_enum_encode_and_reach_the_server(
    api: Api, server: ScriptedServer
) -> None:
    models = api.package.models
    server.on("POST", "/messages", Reply.json(202, ACCEPTED))
    request = models.MessageRequest(
        to="+1233423454",
        channels=["sms"],
        sms=models.SMSRequest(content_type="text", text="hi"),
    )
    api.call("send_message", request)
    sent = json.loads(server.seen[-1].body)
    assert sent["channels"] == ["sms"] and sent["sms"]["contentType"] == "text"


def test_an_unknown_enum_value_from_the_server_still_decodes(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", STATUS_AT, Reply.json(200, {**STATUS, "status": "archived"}))
    result = api.call("check_message_status", MESSAGE_ID)
    assert result.status == "archived" and result.to_dict()["status"] == "archived"


def test_models_lists_its_names_and_says_what_it_is(chat: ModuleType) -> None:
    models = chat.models
    assert models.__doc__ and "dataclasses" in models.__doc__
    assert "MessageRequest" in models.__all__ and "MessageRequestChannel" in models.__all__
    assert all(hasattr(models, name) for name in models.__all__)


# 5. Retries and redirects (the retry tests are in test_retries.py)


def test_redirects_of_a_get_are_followed_without_the_key_off_the_origin(
    api: Api, server: ScriptedServer
) -> None:
    with serve() as cdn:
        cdn.on("GET", "/files/m-1", Reply(200, b"media", {"Content-Type": "video/mp4"}))
        server.on("GET", "/media/m-1", Reply(302, b"", {"Location": "/media/m-2"}))
        server.on("GET", "/media/m-2", Reply(307, b"", {"Location": cdn.url + "/files/m-1"}))
        result = api.call("download_media", "m-1")
    assert result.content == b"media"
    assert [s.path for s in server.seen] == ["/media/m-1", "/media/m-2"]
    assert all(s.headers["apikey"] == KEY for s in server.seen)  # the same origin keeps it
    assert [s.path for s in cdn.seen] == ["/files/m-1"] and "apikey" not in cdn.seen[0].headers


def test_a_post_is_not_redirected(api: Api, server: ScriptedServer) -> None:
    server.on("POST", "/messages", Reply(307, b"", {"Location": "/elsewhere"}))
    with pytest.raises(api.package.ApiStatusError) as caught:
        api.call("send_message", message(api))
    assert caught.value.status_code == 307 and len(server.seen) == 1


def test_a_users_http_client_keeps_its_timeout_and_headers(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", STATUS_AT, Reply.json(200, STATUS))
    timeouts: list[Any] = []

    def record(request: httpx.Request) -> None:
        timeouts.append(request.extensions["timeout"])

    async def arecord(request: httpx.Request) -> None:
        record(request)

    hooks: Any = {"request": [record if api.flavour == "sync" else arecord]}
    own = dict(timeout=httpx.Timeout(7.0), headers={"X-Mine": "1"}, event_hooks=hooks)
    kind = httpx.Client if api.flavour == "sync" else httpx.AsyncClient
    run(api, lambda client: client.check_message_status(MESSAGE_ID), http_client=kind(**own))
    assert timeouts[-1] == httpx.Timeout(7.0).as_dict()
    assert server.seen[-1].headers["x-mine"] == "1"
    run(api, lambda c: c.check_message_status(MESSAGE_ID), http_client=kind(**own), timeout=2.0)
    assert timeouts[-1] == httpx.Timeout(2.0).as_dict()  # given explicitly: it wins


# 6. Identity and diagnostics


def test_version_and_user_agent(api: Api, server: ScriptedServer, chat: ModuleType) -> None:
    assert chat.__version__ == "2.3"
    server.on("GET", STATUS_AT, Reply.json(200, STATUS))
    run(api, lambda client: client.check_message_status(MESSAGE_ID))
    agent = server.seen[-1].headers["user-agent"]
    expected = f"tyntec_chat/2.3 specbind/{specbind.__version__} python/{platform.python_version()} httpx/{httpx.__version__}"
    assert agent == expected


def test_a_users_http_client_that_names_itself_keeps_its_user_agent(
    api: Api, server: ScriptedServer
) -> None:
    server.on("GET", STATUS_AT, Reply.json(200, STATUS))
    kind = httpx.Client if api.flavour == "sync" else httpx.AsyncClient
    own = kind(headers={"User-Agent": "billing-service/4"})
    run(api, lambda client: client.check_message_status(MESSAGE_ID), http_client=own)
    assert server.seen[-1].headers["user-agent"] == "billing-service/4"


def test_a_debug_line_per_response_without_the_key(
    api: Api, server: ScriptedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.on("GET", STATUS_AT, Reply.json(200, STATUS))
    with caplog.at_level(logging.DEBUG, logger="tyntec_chat"):
        run(api, lambda client: client.check_message_status(MESSAGE_ID))
    lines = [r.getMessage() for r in caplog.records if r.name == "tyntec_chat"]
    assert any(re.fullmatch(rf"GET {STATUS_AT} -> 200 in \d+\.\d{{3}} s", line) for line in lines)
    assert not any(KEY in line for line in lines)


def test_the_log_variable_turns_logging_on(chat: ModuleType, server: ScriptedServer) -> None:
    """A fresh interpreter with TYNTEC_CHAT_LOG=debug prints the package's log to stderr."""
    server.on("GET", STATUS_AT, Reply.json(200, STATUS))
    folder = Path(chat.__file__).parent.parent
    script = (
        "import tyntec_chat\n"
        f"with tyntec_chat.Client(base_url={server.url!r}) as client:\n"
        f"    client.check_message_status({MESSAGE_ID!r})\n"
    )
    env = {**os.environ, "PYTHONPATH": str(folder), "TYNTEC_CHAT_API_KEY": KEY}
    for level, expected in (("debug", True), ("", False)):
        env["TYNTEC_CHAT_LOG"] = level
        done = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert (f"GET {STATUS_AT} -> 200 in" in done.stderr) is expected
        assert KEY not in done.stderr


ENUM_SPEC = Path(__file__).parent / "specs" / "usage" / "enum_parameter.yaml"
ENUM_SCRIPT = """
from pets_enum import Client
from pets_enum.models import PetStatus

with Client() as client:
    client.list_pets(status="available")
    client.list_pets(status=PetStatus.sold)
    client.list_pets(status="lost")  # type: ignore[arg-type]
"""


def test_an_enum_parameter_takes_its_values_as_plain_strings(
    tmp_path: Path, server: ScriptedServer
) -> None:
    package = generate_and_import(ENUM_SPEC, "pets_enum", tmp_path)
    (tmp_path / "script.py").write_text(ENUM_SCRIPT, encoding="utf-8")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "pets_enum", "script.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr  # the ignore stays needed
    server.on("GET", "/pets", Reply.json(200, ["rex"]))
    with package.Client(base_url=server.url) as client:
        assert client.list_pets(status="sold") == ["rex"]
    assert server.seen[-1].path == "/pets?status=sold"
