"""A `str` where the spec says array is refused, never split into characters nor sent whole: in
request models (encoding), in parameters, and in responses (decoding raises DecodeError). Seen with
tyntec conversations v3, whose `channels` and similar members are lists of strings."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.calling import Api, api, server, shared_server  # noqa: F401  (pytest fixtures)
from tests.helpers import ROOT, generate_and_import
from tests.http_server import Reply, ScriptedServer

MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"


@pytest.fixture(scope="module")
def http_package(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    spec = ROOT / "tests" / "specs" / "features" / "http.yaml"
    return generate_and_import(spec, "f_http_lists", tmp_path_factory.mktemp("lists"))


def test_a_string_for_a_list_member_is_refused_before_anything_is_sent(
    api: Api, server: ScriptedServer
) -> None:
    request = api.package.models.MessageRequest(to="+4917612345", channels="sms")
    for validate in (True, False):  # the encoding refuses it, whatever the checks
        with pytest.raises(api.package.RequestValidationError) as caught:
            api.call("send_message", request, client={"validate_requests": validate})
        message = str(caught.value)
        assert message.startswith("MessageRequest: cannot be encoded: channels: expected a list")
        assert "a string is not split into items" in message
    assert server.seen == []


def test_a_string_for_a_list_member_of_a_nested_model_is_refused(chat: ModuleType) -> None:
    history = chat.models.MessageHistory.from_dict({"messageId": MESSAGE_ID, "history": []})
    history.history = "delivered"
    with pytest.raises(chat.DecodeError, match="history: expected a list, got str"):
        history.to_dict()


def test_a_json_string_where_the_schema_says_array_does_not_decode(
    api: Api, server: ScriptedServer
) -> None:
    """A server that sends `"history": "abc"` gets no history of three characters."""
    body = {"messageId": MESSAGE_ID, "history": "abc"}
    server.on("GET", f"/messages/{MESSAGE_ID}/history", Reply.json(200, body))
    with pytest.raises(api.package.ApiResponseError) as caught:
        api.call("get_message_history", MESSAGE_ID)
    assert "MessageHistory: expected a list, got str" in str(caught.value)


def test_decoding_a_string_for_a_list_raises_decode_error(chat: ModuleType) -> None:
    with pytest.raises(chat.DecodeError, match=r"^MessageRequest: expected a list, got str"):
        chat.models.MessageRequest.from_dict({"to": "+4917612345", "channels": "sms"})
    request = chat.models.MessageRequest.from_dict({"to": "+4917612345", "channels": ["sms"]})
    assert request.to_dict() == {"to": "+4917612345", "channels": ["sms"]}


@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"labels": "ab"}, "labels"),  # path
        ({"ids": "12"}, "ids"),  # query, exploded
        ({"csv": "pq"}, "csv"),  # query, comma-separated
        ({"x_trace": "t1"}, "x_trace"),  # header
    ],
)
def test_a_string_for_a_list_parameter_is_refused(
    http_package: ModuleType, server: ScriptedServer, arguments: dict[str, str], name: str
) -> None:
    call = {"item_id": 7, "labels": ["a"], "q": "x", "x_request_id": "r", **arguments}
    with http_package.Client(base_url=server.url) as client:
        with pytest.raises(http_package.RequestValidationError) as caught:
            client.get_item(**call)
    assert str(caught.value) == (
        f"get_item().{name}: expected a list, got str; a string is not split into items "
        "(nothing was sent)"
    )
    assert server.seen == []


def test_list_parameters_given_as_lists_or_left_out_are_sent(
    http_package: ModuleType, server: ScriptedServer
) -> None:
    server.on("GET", "/items/7/a,b", Reply.json(200, {"id": 7, "name": "seven"}))
    with http_package.Client(base_url=server.url) as client:
        item = client.get_item(7, ["a", "b"], q="x", x_request_id="r", ids=[1, 2])
    assert item.name == "seven" and server.seen[0].path.endswith("ids=1&ids=2")
