"""Request bodies are checked against the spec before anything is sent; the error names the member."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from tests.calling import Api, api, server, shared_server  # noqa: F401  (fixtures)
from tests.http_server import Reply, ScriptedServer

ACCEPTED = Reply.json(
    202, {"messageId": "77185196-664a-43ec-b14a-fe97036c697f", "acceptedAt": "2019-06-26T11:41:28Z"}
)


def message(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"to": "+4917612345", "channels": ["sms", "whatsapp", "tyntecEcho"]}
    base.update(changes)
    return base


def text_of(length: int) -> str:
    return "x" * length


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (message(to="017612345"), "to", "'017612345' does not match the pattern '^(00|\\\\+)\\\\d{1,15}$'"),
        (message(to="+49 176 12345"), "to",
         "'+49 176 12345' does not match the pattern '^(00|\\\\+)\\\\d{1,15}$'"),
        (message(to="+1234567890123456"), "to",  # 16 digits
         "'+1234567890123456' does not match the pattern '^(00|\\\\+)\\\\d{1,15}$'"),
        (message(sms={"contentType": "text", "text": text_of(3001)}), "sms.text",
         "is 3001 characters long; maxLength is 3000"),
        (message(whatsapp={"from": "4912", "contentType": "text", "text": text_of(4097)}), "whatsapp.text",
         "is 4097 characters long; maxLength is 4096"),
        (message(tyntecEcho={"from": "4912", "contentType": "text", "text": text_of(101)}), "tyntecEcho.text",
         "is 101 characters long; maxLength is 100"),
        (message(channels=["sms", "viber"]), "channels[1]", "'viber' is not one of 'sms', 'whatsapp', 'tyntecEcho'"),
        (message(sms={"contentType": "fax"}), "sms.contentType", "'fax' is not one of 'text', 'url'"),
        (message(whatsapp={"contentType": "text"}), "whatsapp.from", "is required"),
        ({"channels": ["sms"]}, "to", "is required"),
        (message(to=4917612345), "to", "expected string, got int"),
        (message(context={"userContext": text_of(256)}), "context.userContext",
         "is 256 characters long; maxLength is 255"),
        (message(overrides={"notificationCallbackUrl": "http://insecure.example.com/x"}),
         "overrides.notificationCallbackUrl",
         "'http://insecure.example.com/x' does not match the pattern \"^https:..."),
        (message(whatsapp={"from": "4912", "contentType": "template",
                           "template": {"templateId": "t", "language": {"policy": "random"}}}),
         "whatsapp.template.language.policy", "'random' is not one of 'fallback', 'deterministic'"),
    ],
)  # fmt: skip
def test_a_body_that_breaks_its_schema_is_not_sent(
    api: Api, server: ScriptedServer, body: dict[str, Any], field: str, reason: str
) -> None:
    server.on("POST", "/messages", ACCEPTED)
    spec = dataclasses.replace(api.package.operations.send_message(_request(api)), json=body)
    with pytest.raises(api.package.RequestValidationError) as caught:
        api.call("send", spec)
    error = caught.value
    assert (error.model, error.field) == ("MessageRequest", field)
    if reason.endswith("..."):  # the rest is the spec's long pattern
        assert error.reason.startswith(reason.removesuffix("...")), error.reason
    else:
        assert error.reason == reason
    assert str(error).startswith(f"MessageRequest.{field}: ")
    assert "validate_requests=False" in str(error)
    assert server.seen == []


@pytest.mark.parametrize(
    "changes",
    [
        {"sms": {"contentType": "text", "text": text_of(3000)}},
        {"whatsapp": {"from": "4912", "contentType": "text", "text": text_of(4096)}},
        {"tyntecEcho": {"from": "4912", "contentType": "text", "text": text_of(100)}},
        {"to": "00" + "4" * 15},  # 00 and 15 digits
        {"overrides": {"notificationCallbackUrl": "https://example.com/hook"}},
    ],
)
def test_a_body_at_the_limits_is_sent(
    api: Api, server: ScriptedServer, changes: dict[str, Any]
) -> None:
    server.on("POST", "/messages", ACCEPTED)
    request = api.package.models.MessageRequest.from_dict(message(**changes))
    api.call("send_message", request)
    assert json.loads(server.seen[0].body) == message(**changes)


def test_models_built_in_python_are_checked_too(api: Api, server: ScriptedServer) -> None:
    models = api.package.models
    request = models.MessageRequest(
        to="+4917612345",
        channels=[models.MessageRequestChannel.sms],
        sms=models.SMSRequest(content_type=models.SMSRequestContentType.text, text=text_of(3001)),
    )
    with pytest.raises(
        api.package.RequestValidationError, match=r"^MessageRequest\.sms\.text: is 3001"
    ):
        api.call("send_message", request)
    assert server.seen == []


def test_checks_can_be_switched_off(api: Api, server: ScriptedServer) -> None:
    server.on("POST", "/messages", ACCEPTED)
    request = api.package.models.MessageRequest.from_dict(
        message(to="not a number", channels=["viber"])
    )
    api.call("send_message", request, client={"validate_requests": False})
    assert json.loads(server.seen[0].body) == message(to="not a number", channels=["viber"])


def _request(api: Api) -> Any:
    return api.package.models.MessageRequest.from_dict(message())


def test_a_model_that_cannot_be_encoded_raises_request_validation_error(
    api: Api, server: ScriptedServer
) -> None:
    models = api.package.models
    request = models.MessageRequest(to="+4917612345", channels=[models.MessageRequestChannel.sms],
                                    sms="hi")  # a str, not an SMSRequest  # fmt: skip
    with pytest.raises(
        api.package.RequestValidationError,
        match=r"^MessageRequest: cannot be encoded \(AttributeError",
    ):
        api.call("send_message", request)
    assert server.seen == []
