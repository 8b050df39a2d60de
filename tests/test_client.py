"""The generated chat-api client against a real HTTP server on 127.0.0.1, sync and async alike."""

from __future__ import annotations

import asyncio
import json
from types import ModuleType
from typing import Any, Iterator
from uuid import UUID

import pytest
from specbind.spec.load import load

from tests.helpers import CHAT_SPEC
from tests.http_server import Reply, ScriptedServer, serve

SCHEMAS = load(CHAT_SPEC).document["components"]["schemas"]
MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"
KEY = "s3cr3t-key"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with serve() as script:
        yield script


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, chat: ModuleType, server: ScriptedServer) -> Any:
    """call(method_name, *args) on a Client or an AsyncClient, returning the result either way."""

    def run(name: str, *args: Any, **kwargs: Any) -> Any:
        if request.param == "sync":
            with chat.Client(api_key=KEY, base_url=server.url) as client:
                return getattr(client, name)(*args, **kwargs)

        async def go() -> Any:
            async with chat.AsyncClient(api_key=KEY, base_url=server.url) as client:
                return await getattr(client, name)(*args, **kwargs)

        return asyncio.run(go())

    return run


def test_send_message(call: Any, chat: ModuleType, server: ScriptedServer) -> None:
    server.on(
        "POST",
        "/messages",
        Reply.json(202, {"messageId": MESSAGE_ID, "acceptedAt": "2019-06-26T11:41:28Z"}),
    )
    request = chat.models.MessageRequest.from_dict(SCHEMAS["MessageRequest"]["example"])
    result = call("send_message", request)
    assert result.message_id == UUID(MESSAGE_ID)
    assert result.accepted_at.year == 2019
    seen = server.seen[-1]
    assert seen.headers["apikey"] == KEY
    assert seen.headers["content-type"] == "application/json"
    assert json.loads(seen.body) == SCHEMAS["MessageRequest"]["example"]


def test_retrieve_message(call: Any, server: ScriptedServer) -> None:
    server.on(
        "GET", f"/messages/{MESSAGE_ID}", Reply.json(200, SCHEMAS["StoredMessage"]["example"])
    )
    result = call("retrieve_message", MESSAGE_ID)
    assert result.to == "+123234234"
    assert result.whatsapp.text == "A simple text message"


def test_get_message_history(call: Any, server: ScriptedServer) -> None:
    server.on(
        "GET",
        f"/messages/{MESSAGE_ID}/history",
        Reply.json(200, SCHEMAS["MessageHistory"]["example"]),
    )
    result = call("get_message_history", UUID(MESSAGE_ID))
    assert result.history[0].state == "accepted"


def test_check_message_status(call: Any, server: ScriptedServer) -> None:
    server.on(
        "GET",
        f"/messages/{MESSAGE_ID}/status",
        Reply.json(200, SCHEMAS["MessageStatus"]["example"]),
    )
    assert call("check_message_status", MESSAGE_ID).status == "seen"


def test_download_media(call: Any, server: ScriptedServer) -> None:
    png = bytes(range(256))
    server.on(
        "GET",
        f"/media/{MESSAGE_ID}",
        Reply(
            200,
            png,
            {"Content-Type": "image/png", "Content-Disposition": 'attachment; filename="cat.png"'},
        ),
    )
    media = call("download_media", MESSAGE_ID)
    assert media.content == png
    assert media.content_type == "image/png"
    assert media.filename == "cat.png"


def test_path_parameters_are_percent_encoded(call: Any, server: ScriptedServer) -> None:
    server.on(
        "GET", "/messages/a%2Fb/status", Reply.json(200, {"messageId": "a/b", "status": "seen"})
    )
    assert call("check_message_status", "a/b").message_id == "a/b"


def test_problem_response_raises_status_error(
    call: Any, chat: ModuleType, server: ScriptedServer
) -> None:
    problem = {
        "type": "https://docs.tyntec.com/problems/NotFound",
        "title": "Not found",
        "status": "404",
        "detail": "no",
    }
    server.on("GET", f"/messages/{MESSAGE_ID}", Reply.json(404, problem))
    with pytest.raises(chat.ApiStatusError) as caught:
        call("retrieve_message", MESSAGE_ID)
    assert caught.value.status_code == 404
    assert caught.value.problem == chat.models.Problem.from_dict(problem)
    assert (caught.value.problem.title, caught.value.problem.status) == ("Not found", "404")


def test_the_key_is_not_in_the_repr(chat: ModuleType) -> None:
    client = chat.Client(api_key=KEY)
    assert KEY not in repr(client) and KEY not in str(client)
    assert client.base_url == "https://api.tyntec.com/messaging/v2/chat"
    client.close()
