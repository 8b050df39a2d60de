"""Webhooks: typed parsing of what the API POSTs to the user, from raw bodies; 3.0 by config, 3.1 by spec.
And forward compatibility: values and members a newer server sends survive decoding and re-encoding.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from specbind.codegen.generate import Options, generate
from specbind.spec.load import load
from specbind.spec.problems import SpecError

from tests.calling import Api, api, server, shared_server  # noqa: F401  (fixtures)
from tests.helpers import CHAT_SPEC, as_instants, generate_and_import
from tests.http_server import Reply, ScriptedServer

SCHEMAS = load(CHAT_SPEC).document["components"]["schemas"]
MO_MESSAGE = json.loads(
    json.dumps(SCHEMAS["MoMessage"]["example"], default=lambda d: d.isoformat())
)
STATUS = json.loads(
    json.dumps(SCHEMAS["MessageStatus"]["example"], default=lambda d: d.isoformat())
)
MESSAGE_ID = "77185196-664a-43ec-b14a-fe97036c697f"


def test_inbound_messages_parse_from_bytes_and_text(chat: ModuleType) -> None:
    raw = json.dumps(MO_MESSAGE)
    for body in (raw, raw.encode()):
        message = chat.webhooks.parse_inbound_message(body)
        assert isinstance(message, chat.models.MoMessage)
        assert message.from_ == MO_MESSAGE["from"] and message.channel == "sms"
        assert as_instants(message.to_dict()) == as_instants(MO_MESSAGE)


def test_delivery_notifications_parse(chat: ModuleType) -> None:
    status = chat.webhooks.parse_message_status(json.dumps(STATUS).encode())
    assert isinstance(status, chat.models.MessageStatus)
    assert status.status == "seen"
    assert chat.webhooks.EVENTS == {
        "inbound_message": "MoMessage",
        "message_status": "MessageStatus",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "inbound_message: the body is not valid JSON"),
        (b"{'from': 1}", "inbound_message: the body is not valid JSON"),
        (b"[1, 2]", "inbound_message.MoMessage: TypeError"),
        (json.dumps({k: v for k, v in MO_MESSAGE.items() if k != "from"}).encode(),
         "inbound_message.MoMessage: missing required member 'from'"),
        (json.dumps({**MO_MESSAGE, "content": "hello"}).encode(), "inbound_message.MoMessage.MoContent: "),
        (json.dumps({**MO_MESSAGE, "content": {"contentType": "text"}, "whatsapp": 3}).encode(),
         "inbound_message.MoMessage"),
    ],
)  # fmt: skip
def test_bad_payloads_raise_webhook_error_saying_where(
    chat: ModuleType, body: bytes, message: str
) -> None:
    with pytest.raises(chat.WebhookError) as caught:
        chat.webhooks.parse_inbound_message(body)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, chat.DecodeError)


def test_a_configured_schema_that_does_not_exist_is_a_spec_error() -> None:
    with pytest.raises(SpecError) as caught:
        generate(CHAT_SPEC, "tyntec_chat", Options(webhooks={"inbound": "MoMesage"}))
    assert "webhook 'inbound': no schema named 'MoMesage' in components/schemas" in str(
        caught.value.problems[0]
    )


SPEC_31 = {
    "openapi": "3.1.0",
    "info": {"title": "Hooks", "version": "1"},
    "paths": {},
    "webhooks": {
        "orderShipped": {
            "post": {
                "summary": "An order left the warehouse.",
                "requestBody": {
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Shipment"}}
                    }
                },
                "responses": {"200": {"description": "ok"}},
            }
        },
        "ping": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Shipment": {
                "type": "object",
                "required": ["orderId", "carrier"],
                "properties": {
                    "orderId": {"type": "string"},
                    "carrier": {"type": "string", "enum": ["dhl", "ups"]},
                },
            }
        }
    },
}


def test_webhooks_of_a_31_spec_come_from_its_webhooks_object(tmp_path: Path) -> None:
    spec = tmp_path / "hooks.json"
    spec.write_text(json.dumps(SPEC_31), encoding="utf-8")
    hooks = generate_and_import(spec, "hooks31", tmp_path)
    shipment = hooks.webhooks.parse_order_shipped(
        b'{"orderId": "o1", "carrier": "fedex", "weight": 2}'
    )
    assert isinstance(shipment, hooks.models.Shipment)
    assert (shipment.order_id, shipment.carrier.value, shipment.additional_properties) == (
        "o1",
        "fedex",
        {"weight": 2},
    )
    assert hooks.webhooks.parse_ping(b'{"any": [1]}') == {"any": [1]}
    assert hooks.webhooks.EVENTS == {"orderShipped": "Shipment", "ping": "dict[str, Any]"}
    with pytest.raises(
        hooks.WebhookError, match=r"^orderShipped\.Shipment: missing required member 'carrier'"
    ):
        hooks.webhooks.parse_order_shipped(b'{"orderId": "o1"}')


# Forward compatibility: a newer server may send values and members this spec version does not list.


def test_an_unknown_status_decodes_and_reencodes(api: Api, server: ScriptedServer) -> None:
    sent = {"messageId": MESSAGE_ID, "status": "expired", "timestamp": "2019-06-26T11:41:28Z"}
    server.on("GET", f"/messages/{MESSAGE_ID}/status", Reply.json(200, sent))
    status = api.call("check_message_status", MESSAGE_ID)
    Status = type(status.status)
    assert status.status == "expired" and status.status.value == "expired"
    assert status.status not in list(Status)  # documented members stay as documented
    assert Status("expired") == status.status
    assert status.to_dict() == sent


def test_an_unknown_channel_and_unknown_members_survive(api: Api, server: ScriptedServer) -> None:
    stored = {"to": "+123234234", "channels": ["viber", "sms"], "viber": {"from": "x", "text": "hi"},
              "priority": 3, "sms": {"contentType": "text", "text": "hi", "newFlag": True}}  # fmt: skip
    server.on("GET", f"/messages/{MESSAGE_ID}", Reply.json(200, stored))
    message = api.call("retrieve_message", MESSAGE_ID)
    assert [c.value for c in message.channels] == ["viber", "sms"]
    assert message.additional_properties == {"viber": {"from": "x", "text": "hi"}, "priority": 3}
    assert message.sms.additional_properties == {"newFlag": True}
    assert message.to_dict() == stored


def test_an_inbound_message_on_a_new_channel_parses(chat: ModuleType) -> None:
    body: dict[str, Any] = {**MO_MESSAGE, "channel": "viber", "viber": {"senderName": "Bob"}}
    message = chat.webhooks.parse_inbound_message(json.dumps(body))
    assert message.channel == "viber" and message.additional_properties == {
        "viber": {"senderName": "Bob"}
    }
    assert as_instants(message.to_dict()) == as_instants(body)
