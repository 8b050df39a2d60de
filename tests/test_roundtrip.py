"""Every example in chat-api.yaml decodes through the generated models and re-encodes losslessly."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import jsonschema
import pytest
from specbind.mock.samples import sample
from specbind.spec.examples import Example, collect
from specbind.spec.load import load

from tests.helpers import CHAT_SPEC, as_instants, model_classes

DOCUMENT = load(CHAT_SPEC).document
EXAMPLES = collect(DOCUMENT)
SCHEMAS = DOCUMENT["components"]["schemas"]


def _model(chat: ModuleType, schema_name: str) -> Any:
    source = chat.__path__[0] + "/models.py"
    classes = model_classes(open(source, encoding="utf-8").read())
    return getattr(chat.models, classes[f"#/components/schemas/{schema_name}"])


def _payload(example: Example) -> Any:
    """The whole object to decode: the example itself, or the property example inside an object
    whose other required members are made from their schemas."""
    if example.property is None:
        return example.value
    schema = SCHEMAS[example.schema_name]
    payload = {
        name: sample(schema["properties"][name], DOCUMENT)
        for name in schema.get("required", [])
        if name != example.property
    }
    payload[example.property] = example.value
    return payload


def test_every_example_is_collected() -> None:
    assert sum(1 for e in EXAMPLES if e.property is None) == 13
    assert sum(1 for e in EXAMPLES if e.property is not None) == 67


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.pointer for e in EXAMPLES])
def test_example_round_trips(chat: ModuleType, example: Example) -> None:
    model = _model(chat, example.schema_name)
    payload = _payload(example)
    decoded = model.from_dict(payload)
    assert as_instants(decoded.to_dict()) == as_instants(payload)
    # and through bytes, as a server would send it
    again = model.from_json(json.dumps(payload).encode())
    assert as_instants(json.loads(again.to_json())) == as_instants(payload)


def test_examples_that_contradict_their_schema_are_exactly_the_known_ones() -> None:
    """The spec's own inconsistencies are named here, not skipped: Problem.status's example is the
    int 400 for a string field. The models keep wire values of primitive members as received, so
    it still round-trips (checked above); the type hint stays what the spec says."""
    invalid = []
    for example in EXAMPLES:
        schema = SCHEMAS[example.schema_name]
        if example.property is not None:
            schema = schema["properties"][example.property]
        resolver_schema = {**schema, "components": DOCUMENT["components"]}
        validator = jsonschema.Draft4Validator(resolver_schema, format_checker=None)
        if list(validator.iter_errors(example.value)):
            invalid.append(example.pointer)
    assert invalid == ["#/components/schemas/Problem/properties/status/example"]


def test_undeclared_member_of_stored_message_example_is_kept(chat: ModuleType) -> None:
    """StoredMessage's example carries `messageId`, which the schema does not declare. The schema does
    not forbid additional properties, so it is kept in `additional_properties` and re-encoded."""
    example = SCHEMAS["StoredMessage"]["example"]
    message = chat.models.StoredMessage.from_dict(example)
    assert message.additional_properties == {"messageId": example["messageId"]}
    assert message.to_dict() == example


def test_problem_status_int_is_kept_as_sent(chat: ModuleType) -> None:
    problem = chat.models.Problem.from_dict(
        {"type": "t", "title": "x", "status": 400, "detail": "d"}
    )
    assert problem.status == 400
    assert problem.to_dict()["status"] == 400


def test_absent_member_stays_absent_even_with_a_default(chat: ModuleType) -> None:
    assert chat.models.SMS.from_dict({}).to_dict() == {}
    assert chat.models.SMS.from_dict({"missingParts": False}).to_dict() == {"missingParts": False}
    assert chat.models.SMS().missing_parts is False


def test_explicit_null_is_kept(chat: ModuleType) -> None:
    assert chat.models.MoContext.from_dict({"messageId": None}).to_dict() == {"messageId": None}


def test_nested_types_are_decoded(chat: ModuleType) -> None:
    from datetime import datetime
    from uuid import UUID

    history = chat.models.MessageHistory.from_dict(SCHEMAS["MessageHistory"]["example"])
    assert isinstance(history.message_id, UUID)
    assert isinstance(history.history[0].happend_at, datetime)
    # `is`: a StrEnum member equals its plain string, so == would pass on an undecoded "whatsapp"
    assert history.history[0].delivery_channel is chat.models.HistoryItemDeliveryChannel.whatsapp


def test_unknown_enum_value_decodes_and_re_encodes(chat: ModuleType) -> None:
    status = chat.models.MessageStatus.from_dict({"messageId": "m", "status": "expired"})
    assert status.status == "expired"
    assert status.to_dict() == {"messageId": "m", "status": "expired"}


def test_bad_payloads_raise_decode_error(chat: ModuleType) -> None:
    with pytest.raises(chat.DecodeError, match="MoMessage.*messageId"):
        chat.models.MoMessage.from_dict({"from": "x"})
    with pytest.raises(chat.DecodeError, match="MessageHistory.HistoryItem"):
        chat.models.MessageHistory.from_dict({"history": [{"happendAt": "yesterday"}]})
    with pytest.raises(chat.DecodeError, match="not valid JSON"):
        chat.models.MoMessage.from_json(b"{")
    with pytest.raises(chat.DecodeError):
        chat.models.MoMessage.from_dict([1, 2])
