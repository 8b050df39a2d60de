"""`_codec`, the JSON conversions every generated package carries, tested as code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum
from typing import Any
from uuid import UUID

import pytest
from specbind.codegen.runtime import _codec
from specbind.codegen.runtime._codec import DecodeError


class Colour(str, Enum):
    RED = "red"

    @classmethod
    def _missing_(cls, value: object) -> Colour:
        return _codec.unknown_member(cls, value)


class Level(int, Enum):
    LOW = 1

    @classmethod
    def _missing_(cls, value: object) -> Level:
        return _codec.unknown_member(cls, value)


@dataclass
class Point(_codec.JsonCodec):
    x: int
    _WIRE_KEYS = frozenset({"x"})

    @classmethod
    def from_dict(cls, data: Any) -> Point:
        return cls(_codec.expect(data["x"], "int"))

    def to_dict(self) -> dict[str, Any]:
        return {"x": self.x}


@dataclass
class Labelled(_codec.JsonCodec):
    x: int
    label: str
    _WIRE_KEYS = frozenset({"x", "label"})

    @classmethod
    def from_dict(cls, data: Any) -> Labelled:
        return cls(_codec.expect(data["x"], "int"), _codec.expect(data["label"], "str"))


def test_a_decode_error_names_where_it_happened_from_the_outermost_model() -> None:
    error = DecodeError("expected int, got str", ("Point", "x")).within("Shape")
    assert str(error) == "Shape.Point.x: expected int, got str"
    assert error.reason == "expected int, got str" and error.path == ("Shape", "Point", "x")


def test_a_decode_error_quoting_a_huge_value_keeps_a_short_message() -> None:
    error = _codec.DecodeError.because("Channel", ValueError(f"{'x' * 1_000_000!r} is not valid"))
    assert len(str(error)) == 500 and str(error).endswith("...")
    assert error.reason.endswith("is not valid")  # the whole reason is still there


def test_a_missing_member_becomes_a_decode_error_naming_it() -> None:
    assert str(DecodeError.because("Point", KeyError("x"))) == "Point: missing required member 'x'"
    assert str(DecodeError.because("Point", TypeError("nope"))) == "Point: TypeError: nope"


def test_json_round_trips_through_the_models_own_dicts() -> None:
    assert Point.from_json(b'{"x": 3}') == Point(3)
    assert Point(3).to_json() == b'{"x":3}'
    assert _codec.dump_json({"text": "ü"}) == '{"text":"ü"}'.encode()


@pytest.mark.parametrize("document", [b"{", b"\xff", ""])
def test_a_document_that_is_not_json_is_a_decode_error(document: bytes | str) -> None:
    with pytest.raises(DecodeError, match=r"^Point: not valid JSON"):
        Point.from_json(document)


def test_a_document_nested_too_deeply_is_a_short_decode_error() -> None:
    with pytest.raises(DecodeError, match=r"^Point: JSON nested too deeply to read$"):
        Point.from_json(b"[" * 100_000 + b"]" * 100_000)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2019, 6, 26, 11, 41, 28, tzinfo=timezone.utc), "2019-06-26T11:41:28Z"),
        (
            datetime(2019, 6, 26, 11, 41, 28, 48000, tzinfo=timezone.utc),
            "2019-06-26T11:41:28.048000Z",
        ),
        (
            datetime(2019, 6, 26, 11, 41, 28, tzinfo=timezone(timedelta(hours=2))),
            "2019-06-26T11:41:28+02:00",
        ),
        (datetime(2019, 6, 26, 11, 41, 28), "2019-06-26T11:41:28"),
    ],
)
def test_date_times_are_written_as_rfc_3339_with_z_for_utc(value: datetime, text: str) -> None:
    assert _codec.format_datetime(value) == text
    assert _codec.parse_datetime(text) == value


def test_a_utc_offset_that_is_not_the_utc_singleton_is_still_written_as_z() -> None:
    value = datetime(2019, 6, 26, 11, 41, 28, tzinfo=timezone(timedelta(0)))
    assert _codec.format_datetime(value) == "2019-06-26T11:41:28Z"


def test_dates_times_and_uuids_parse_from_their_text() -> None:
    assert _codec.parse_date("2019-06-26") == date(2019, 6, 26)
    assert _codec.parse_time("11:41:28") == time(11, 41, 28)
    text = "77185196-664a-43ec-b14a-fe97036c697f"
    assert _codec.parse_uuid(text) == UUID(text)


def test_a_union_is_decided_by_its_discriminator_first() -> None:
    chosen = _codec.decode_union(
        {"kind": "labelled", "x": 1, "label": "a"},
        (Point.from_dict, Labelled.from_dict),
        "kind",
        {"labelled": Labelled.from_dict},
    )
    assert chosen == Labelled(1, "a")


def test_without_a_discriminator_the_alternative_declaring_most_members_wins() -> None:
    decoders = (Point.from_dict, Labelled.from_dict)
    assert _codec.decode_union({"x": 1, "label": "a"}, decoders) == Labelled(1, "a")
    assert _codec.decode_union({"x": 1}, decoders) == Point(1)


def test_a_value_that_fits_no_alternative_says_why_each_failed() -> None:
    with pytest.raises(DecodeError, match=r"fits none of the alternatives \(.*expected int"):
        _codec.decode_union({"x": "one"}, (Point.from_dict, Labelled.from_dict))


def test_expect_accepts_json_values_of_the_kind_and_refuses_bools_as_numbers() -> None:
    assert _codec.expect(2, "float") == 2
    with pytest.raises(TypeError, match="expected int, got bool"):
        _codec.expect(True, "int")
    with pytest.raises(TypeError, match="expected str, got int"):
        _codec.expect(1, "str")


def test_a_literal_must_equal_one_of_the_constants_with_the_same_type() -> None:
    assert _codec.expect_literal("a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match="expected 1, got True"):
        _codec.expect_literal(True, (1,))


def test_to_wire_encodes_models_enums_dates_uuids_and_containers() -> None:
    when = datetime(2019, 6, 26, tzinfo=timezone.utc)
    uuid = UUID(int=1)
    value = {"p": [Point(1)], "c": Colour.RED, "w": when, "d": date(2019, 6, 26), "u": uuid}
    assert _codec.to_wire(value) == {
        "p": [{"x": 1}],
        "c": "red",
        "w": "2019-06-26T00:00:00Z",
        "d": "2019-06-26",
        "u": str(uuid),
    }


def test_an_unlisted_enum_value_decodes_keeps_its_raw_value_and_is_not_added() -> None:
    assert _codec.enum_member(Colour, "red") is Colour.RED
    viber = _codec.enum_member(Colour, "viber")
    assert viber == "viber" and viber.value == "viber" and viber.name == "UNKNOWN_viber"
    assert list(Colour) == [Colour.RED]
    assert _codec.enum_member(Level, 7).value == 7


@pytest.mark.parametrize(("kind", "value"), [(Colour, 3), (Level, "x"), (Level, False)])
def test_an_unlisted_value_of_the_wrong_type_is_refused(kind: type[Enum], value: object) -> None:
    with pytest.raises(ValueError, match="is not a valid"):
        _codec.enum_member(kind, value)


def test_an_unhashable_wire_value_is_refused_not_crashed_on() -> None:
    with pytest.raises(ValueError):
        _codec.enum_member(Colour, ["red"])
