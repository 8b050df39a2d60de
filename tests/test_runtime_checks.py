"""`_checks`, the request checks every generated package carries, tested as code (schemas put into
the `_schemas` stand-in, as a generated package's `_schemas` module holds them)."""

from __future__ import annotations

from typing import Any

import pytest
from specbind.codegen.runtime import _checks, _schemas
from specbind.codegen.runtime.errors import RequestValidationError

MESSAGE = {
    "type": "object",
    "required": ["to"],
    "properties": {
        "to": {"type": "string", "pattern": "^\\+\\d+$", "maxLength": 8, "minLength": 3},
        "channels": {
            "type": "array",
            "minItems": 1,
            "maxItems": 2,
            "items": {"enum": ["sms", "wa"]},
        },
        "count": {"type": "integer", "minimum": 1, "maximum": 5},
        "ratio": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
        "note": {"type": "string", "nullable": True},
        "kind": {"const": "text"},
        "context": {"$ref": "#/Context"},
        "either": {"anyOf": [{"type": "integer"}, {"type": "string", "maxLength": 2}]},
        "both": {"allOf": [{"type": "string"}, {"minLength": 2}]},
    },
    "additionalProperties": {"type": "string"},
}
CONTEXT = {"type": "object", "properties": {"user": {"type": ["string", "null"]}}}


@pytest.fixture(autouse=True)
def schemas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_schemas.SCHEMAS, "#/Message", MESSAGE)
    monkeypatch.setitem(_schemas.SCHEMAS, "#/Context", CONTEXT)


def check(**members: Any) -> None:
    _checks.check_body({"to": "+4917", **members}, "#/Message", "Message")


def test_a_body_that_keeps_every_rule_passes() -> None:
    check(channels=["sms"], count=5, ratio=0.5, note=None, kind="text", context={"user": None})
    check(either=3, both="ab", extra="text")
    check(count=2.0)  # a whole float is an integer


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"to": None}, "Message.to: must not be null"),
        ({"to": 5}, "Message.to: expected string, got int"),
        ({"to": "+1234567890"}, "Message.to: is 11 characters long; maxLength is 8"),
        ({"to": "+1"}, "Message.to: is 2 characters long; minLength is 3"),
        ({"to": "0049"}, "Message.to: '0049' does not match the pattern '^\\\\+\\\\d+$'"),
        ({"channels": []}, "Message.channels: has 0 items; minItems is 1"),
        ({"channels": ["sms"] * 3}, "Message.channels: has 3 items; maxItems is 2"),
        ({"channels": ["sms", "fax"]}, "Message.channels[1]: 'fax' is not one of 'sms', 'wa'"),
        ({"count": True}, "Message.count: expected integer, got bool"),
        ({"count": 1.5}, "Message.count: expected integer, got float"),
        ({"count": 0}, "Message.count: 0 is less than the minimum 1"),
        ({"count": 6}, "Message.count: 6 is more than the maximum 5"),
        ({"ratio": 0}, "Message.ratio: 0 must be more than 0"),
        ({"ratio": 1}, "Message.ratio: 1 must be less than 1"),
        ({"kind": "image"}, "Message.kind: 'image' is not 'text'"),
        ({"context": {"user": 3}}, "Message.context.user: expected string or null, got int"),
        ({"either": "abc"}, "Message.either: matches none of the 2 alternatives (expected integer"),
        ({"both": "a"}, "Message.both: is 1 characters long; minLength is 2"),
        ({"extra": 1}, "Message.extra: expected string, got int"),
    ],
)
def test_the_first_broken_rule_is_named_in_wire_names(
    members: dict[str, Any], message: str
) -> None:
    with pytest.raises(RequestValidationError) as caught:
        check(**members)
    assert str(caught.value).startswith(message)


def test_a_missing_required_member_is_named() -> None:
    with pytest.raises(RequestValidationError, match=r"^Message\.to: is required"):
        _checks.check_body({}, "#/Message", "Message")
