"""The generated chat-api client end to end against `specbind mock` over real HTTP: every
operation, sync and async, with the server validating each request against the spec."""

from __future__ import annotations

import asyncio
from types import ModuleType
from typing import Any, Iterator
from uuid import UUID

import pytest
from specbind.mock.routing import Mock
from specbind.mock.server import serve_mock

from tests.helpers import CHAT_SPEC

MOCK = Mock.from_spec(CHAT_SPEC)
SCHEMAS = MOCK.document["components"]["schemas"]
MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with serve_mock(MOCK) as base_url:
        yield base_url


@pytest.fixture(params=["sync", "async"])
def call(request: pytest.FixtureRequest, chat: ModuleType, url: str) -> Any:
    """call(method_name, *args, **client_options) on a Client or an AsyncClient."""

    def run(name: str, *args: Any, **client_options: Any) -> Any:
        options = {"api_key": "test-key", "base_url": url, **client_options}
        if request.param == "sync":
            with chat.Client(**options) as client:
                return getattr(client, name)(*args)

        async def go() -> Any:
            async with chat.AsyncClient(**options) as client:
                return await getattr(client, name)(*args)

        return asyncio.run(go())

    return run


def test_every_operation_is_exercised_here() -> None:
    exercised = {
        "sendMessage",
        "retrieveMessage",
        "getMessageHistory",
        "checkMessageStatus",
        "downloadMedia",
    }
    assert {r.operation["operationId"] for r in MOCK.routes} == exercised


def test_send_message(call: Any, chat: ModuleType) -> None:
    request = chat.models.MessageRequest.from_dict(SCHEMAS["MessageRequest"]["example"])
    result = call("send_message", request)
    assert isinstance(result, chat.models.MessageResponse)
    assert isinstance(result.message_id, UUID)


def test_retrieve_message(call: Any) -> None:
    result = call("retrieve_message", MESSAGE_ID)
    assert result.to == SCHEMAS["StoredMessage"]["example"]["to"]
    assert result.whatsapp.text == "A simple text message"


def test_get_message_history(call: Any) -> None:
    result = call("get_message_history", UUID(MESSAGE_ID))
    assert [item.state for item in result.history] == [
        item["state"] for item in SCHEMAS["MessageHistory"]["example"]["history"]
    ]


def test_check_message_status(call: Any) -> None:
    assert (
        call("check_message_status", MESSAGE_ID).status
        == SCHEMAS["MessageStatus"]["example"]["status"]
    )


def test_download_media(call: Any) -> None:
    media = call("download_media", MESSAGE_ID)
    assert media.content == bytes(range(256))
    # the first media type the spec declares, audio/*, which the mock serves as audio/mpeg
    assert media.content_type == "audio/mpeg"


def test_declared_error_statuses_raise_with_the_problem(call: Any, chat: ModuleType) -> None:
    with pytest.raises(chat.NotFoundError) as caught:
        call("retrieve_message", MESSAGE_ID, headers={"Prefer": "code=404"})
    assert caught.value.status_code == 404
    assert isinstance(caught.value.problem, chat.models.Problem)
    assert caught.value.problem.status == "404"  # the mock serves chat-api's own Problem shape


def test_the_server_rejects_what_the_spec_forbids(call: Any, chat: ModuleType) -> None:
    """With the client's own pre-send checks off, the mock is what refuses a bad request."""
    request = chat.models.MessageRequest.from_dict(
        {**SCHEMAS["MessageRequest"]["example"], "to": "not a number"}
    )
    with pytest.raises(chat.RequestValidationError):
        call("send_message", request)  # the client's check, nothing sent
    with pytest.raises(chat.BadRequestError) as caught:
        call("send_message", request, validate_requests=False)
    assert caught.value.status_code == 400
    assert "request body at /to: 'not a number' does not match" in caught.value.problem.detail
    with pytest.raises(chat.BadRequestError) as caught:
        call("check_message_status", "not-a-uuid", validate_requests=False)
    assert caught.value.status_code == 400
    assert "path parameter 'message-id'" in caught.value.problem.detail


def test_a_missing_api_key_is_refused_before_anything_is_sent(
    call: Any, chat: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chat-api requires the key on every operation, so the client refuses to start without one
    (the mock's 401 for a request without it is tested in test_mock.py)."""
    monkeypatch.delenv("TYNTEC_CHAT_API_KEY", raising=False)
    with pytest.raises(ValueError, match="api_key=.*TYNTEC_CHAT_API_KEY"):
        call("check_message_status", MESSAGE_ID, api_key=None)


def test_with_the_users_fixture(chat: ModuleType, specbind_mock: Any) -> None:
    """What a user's own suite does: the `specbind_mock` fixture from specbind's pytest plugin."""
    with chat.Client(api_key="k", base_url=specbind_mock(CHAT_SPEC)) as client:
        assert client.check_message_status(MESSAGE_ID).message_id == MESSAGE_ID
