"""Conversions between JSON values and the Python types the models use."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Any, Callable, Self, TypeVar
from uuid import UUID

E = TypeVar("E", bound=Enum)
T = TypeVar("T")


class DecodeError(ValueError):
    """A payload does not fit the model it was decoded into; the message says where and why."""

    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        self.reason = message
        self.path = path
        text = f"{'.'.join(path)}: {message}" if path else message
        # A value from the server can be megabytes long; the message quoting it stays readable.
        super().__init__(text if len(text) <= 500 else text[:497] + "...")

    @classmethod
    def because(cls, model: str, exc: Exception) -> DecodeError:
        """Wrap a low-level error raised while decoding `model`."""
        if isinstance(exc, KeyError):
            return cls(f"missing required member {exc.args[0]!r}", (model,))
        return cls(f"{type(exc).__name__}: {exc}", (model,))

    def within(self, model: str) -> DecodeError:
        """The same error, seen from an enclosing model."""
        return DecodeError(self.reason, (model, *self.path))


def load_json(data: str | bytes, model: str) -> Any:
    """Parse a JSON document, reporting bad JSON as a DecodeError."""
    try:
        return json.loads(data)
    except (ValueError, TypeError) as exc:
        reason = f"not valid JSON: {exc}"
    except RecursionError:
        reason = "JSON nested too deeply to read"
    raise DecodeError(reason, (model,))


def dump_json(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


class JsonCodec:
    """`from_json` and `to_json` for every model, over the model's own `from_dict` and `to_dict`."""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        raise NotImplementedError

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def from_json(cls, data: str | bytes) -> Self:
        """Decode from a JSON document."""
        return cls.from_dict(load_json(data, cls.__name__))

    def to_json(self) -> bytes:
        """Encode as a compact UTF-8 JSON document."""
        return dump_json(self.to_dict())


def parse_datetime(value: str) -> datetime:
    """RFC 3339 date-time, `Z` included."""
    return datetime.fromisoformat(value)


_TWO_DIGITS = tuple(f"{n:02d}" for n in range(100))


def format_datetime(value: datetime) -> str:
    """RFC 3339 date-time; UTC is written as `Z`."""
    if value.tzinfo is timezone.utc and type(value) is datetime:
        # What `parse_datetime` gives for `...Z`; `isoformat`'s text, without its (slow) C printf.
        d = _TWO_DIGITS
        text = (
            f"{value.year:04d}-{d[value.month]}-{d[value.day]}"
            f"T{d[value.hour]}:{d[value.minute]}:{d[value.second]}"
        )
        return f"{text}.{value.microsecond:06d}Z" if value.microsecond else text + "Z"
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def parse_date(value: str) -> date:
    """RFC 3339 full-date."""
    return date.fromisoformat(value)


def parse_time(value: str) -> time:
    """RFC 3339 partial-time."""
    return time.fromisoformat(value)


def parse_uuid(value: str) -> UUID:
    """A UUID in its string form."""
    return UUID(value)


def list_of(decode: Callable[[Any], T]) -> Callable[[Any], list[T]]:
    """A decoder of a JSON array whose items `decode` decodes (a result typed `list[Pet]`)."""

    def decode_items(value: Any) -> list[T]:
        if not isinstance(value, list):
            raise DecodeError(f"expected an array, got {type(value).__name__}")
        decoded = []
        for index, item in enumerate(value):
            try:
                decoded.append(decode(item))
            except DecodeError as exc:
                raise exc.within(f"[{index}]") from None
        return decoded

    return decode_items


def decode_union(
    value: Any,
    decoders: tuple[Callable[[Any], Any], ...],
    tag: str | None = None,
    tagged: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Any:
    """The alternative of a oneOf/anyOf that `value` is.

    A discriminator (`tag` member naming one of `tagged`) decides first. Otherwise every
    alternative is tried: one that declares every member of the value beats one that keeps
    members it does not know, and among those the one declaring most of the value's members
    wins. A value that fits no alternative raises DecodeError; it is never kept undecoded.
    """
    if tag is not None and tagged and isinstance(value, Mapping):
        chosen = tagged.get(value.get(tag))  # type: ignore[arg-type]
        if chosen is not None:
            return chosen(value)
    best: Any = None
    best_score: tuple[int, int] | None = None
    reasons = []
    for decoder in decoders:
        try:
            candidate = decoder(value)
        except (DecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
            reasons.append(str(exc) or type(exc).__name__)
            continue
        score = _fit(value, candidate)
        if best_score is None or score > best_score:
            best, best_score = candidate, score
    if best_score is None:
        raise DecodeError("fits none of the alternatives (" + "; ".join(reasons) + ")")
    return best


def _fit(value: Any, candidate: Any) -> tuple[int, int]:
    """(-members the candidate does not declare, members it does) for an object value."""
    known = getattr(type(candidate), "_WIRE_KEYS", None)
    if not isinstance(value, Mapping) or known is None:
        return (0, 0)
    declared = sum(1 for key in value if key in known)
    return (declared - len(value), declared)


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "None": (type(None),),
    "list": (list,),
    "dict": (dict,),
}


def expect_literal(value: Any, allowed: tuple[Any, ...]) -> Any:
    """`value` itself when it is one of the constants a member allows (`const`, a discriminator's tag)."""
    if not any(value == a and type(value) is type(a) for a in allowed):
        raise ValueError(f"expected {' or '.join(repr(a) for a in allowed)}, got {value!r}")
    return value


def expect(value: Any, kind: str) -> Any:
    """`value` itself when it is a JSON value of `kind`; TypeError otherwise (bools are not numbers)."""
    if isinstance(value, bool) and kind in ("int", "float"):
        raise TypeError(f"expected {kind}, got bool")
    if not isinstance(value, _JSON_TYPES[kind]):
        raise TypeError(f"expected {kind}, got {type(value).__name__}")
    return value


def expect_list(value: Any, member: str = "") -> Any:
    """`value` itself when it is a list (or tuple); anything else raises DecodeError naming
    `member`, when given. A string in particular is refused, never split into its characters."""
    if isinstance(value, (list, tuple)):
        return value
    where = f"{member}: " if member else ""
    note = "; a string is not split into items" if isinstance(value, str) else ""
    raise DecodeError(f"{where}expected a list, got {type(value).__name__}{note}")


def to_wire(value: Any) -> Any:
    """JSON value of any model, enum, date or container value."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list):
        return [to_wire(v) for v in value]
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items()}
    return value


def enum_member(cls: type[E], value: Any) -> E:
    """The member of `cls` for a wire value: `cls(value)`, with a direct look-up first for the values it lists."""
    try:
        return cls._value2member_map_[value]  # type: ignore[return-value]
    except (KeyError, TypeError):  # a value it does not list (kept by `_missing_`), or not hashable
        return cls(value)


def unknown_member(cls: type[E], value: object) -> E:
    """A member for a value the enum does not list (a newer API version may send it).

    It keeps the raw value, compares equal to it and re-encodes unchanged; it is not
    added to the enum, so iteration shows only the documented members.
    """
    if issubclass(cls, str):
        if not isinstance(value, str):
            raise ValueError(f"{value!r} is not a valid {cls.__name__}")
        member = str.__new__(cls, value)
    elif issubclass(cls, int):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError(f"{value!r} is not a valid {cls.__name__}")
        member = int.__new__(cls, value)
    else:
        member = object.__new__(cls)
    member._name_ = f"UNKNOWN_{value}"
    member._value_ = value
    return member
