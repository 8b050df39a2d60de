"""How one member's JSON value becomes its Python value and back, decided per kind of data type.

The model templates lay out `from_dict` and `to_dict`; what each member's expression is comes from
here: one small class per kind of type (list, dict, enum, type alias, model, literal, date and time,
UUID, union), each writing the straight-line expression that decodes or encodes it. The objects are
datamodel-code-generator's `DataType`s, as its templates see them.
"""

from __future__ import annotations

from typing import Any

from specbind.codegen.layout import black_str

PRIMITIVES = ("str", "int", "float", "bool", "None")
TEMPORAL = {"datetime": "parse_datetime", "date": "parse_date", "time": "parse_time"}


def _kind(dt: Any) -> str:
    return type(dt.reference.source).__name__ if dt.reference else ""


def is_enum(dt: Any) -> bool:
    return _kind(dt) in ("Enum", "StrEnum", "IntEnum")


def is_alias(dt: Any) -> bool:
    return bool(dt.reference) and "TypeAlias" in _kind(dt)


def needs_codec(dt: Any) -> bool:
    """Whether a value of this type differs on the wire (else it is passed through as it is)."""
    if dt.is_list or dt.is_dict or dt.reference or dt.literals:
        return True
    if dt.type in ("datetime", "date", "UUID", "time"):
        return True
    return any(needs_codec(sub) for sub in dt.data_types)


class Codec:
    """The expressions for one kind of type; `x` is the expression holding the value, `depth` the
    nesting depth (comprehension variables are numbered by it)."""

    def matches(self, dt: Any) -> bool:
        raise NotImplementedError

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        return x

    def encode(self, dt: Any, x: str, depth: int) -> str:
        return x


class LiteralCodec(Codec):
    """A `const`/single-value enum inline: checked on decoding (it tells union members apart)."""

    def matches(self, dt: Any) -> bool:
        return bool(dt.literals) and not (dt.is_list or dt.is_dict or dt.reference)

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        values = [black_str(value) for value in dt.literals]
        listed = values[0] + "," if len(values) == 1 else ", ".join(values)
        return f"expect_literal({x}, ({listed}))"


class ListCodec(Codec):
    def matches(self, dt: Any) -> bool:
        return bool(dt.is_list)

    """A JSON array; any other value, a string above all, is refused (`expect_list`), never iterated."""

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        item = decode(dt.data_types[0], f"v{depth}", depth + 1)
        return f"[{item} for v{depth} in expect_list({x})]"

    def encode(self, dt: Any, x: str, depth: int) -> str:
        item = encode(dt.data_types[0], f"v{depth}", depth + 1)
        # a member of the model (`self.tags`) is named in the error
        member = black_str(x.removeprefix("self.")) if x.startswith("self.") else ""
        return f"[{item} for v{depth} in expect_list({x}{', ' + member if member else ''})]"


class DictCodec(Codec):
    def matches(self, dt: Any) -> bool:
        return bool(dt.is_dict)

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        item = decode(dt.data_types[0], f"v{depth}", depth + 1)
        return f"{{k{depth}: {item} for k{depth}, v{depth} in {x}.items()}}"

    def encode(self, dt: Any, x: str, depth: int) -> str:
        item = encode(dt.data_types[0], f"v{depth}", depth + 1)
        return f"{{k{depth}: {item} for k{depth}, v{depth} in {x}.items()}}"


class EnumCodec(Codec):
    """Open enums: an unlisted value decodes too (`enum_member`), and encodes as it came."""

    def matches(self, dt: Any) -> bool:
        return is_enum(dt)

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        return f"enum_member({dt.reference.short_name}, {x})"

    def encode(self, dt: Any, x: str, depth: int) -> str:
        return f'getattr({x}, "_value_", {x})'  # a member, or a plain value the enum lists


class AliasCodec(Codec):
    """A named union or other type alias: its own `decode_NAME` where its values need one."""

    def matches(self, dt: Any) -> bool:
        return is_alias(dt)

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        if needs_codec(dt.reference.source.fields[0].data_type):
            return f"decode_{dt.reference.short_name}({x})"
        return x

    def encode(self, dt: Any, x: str, depth: int) -> str:
        return f"to_wire({x})"


class ModelCodec(Codec):
    def matches(self, dt: Any) -> bool:
        return bool(dt.reference)

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        return f"{dt.reference.short_name}.from_dict({x})"

    def encode(self, dt: Any, x: str, depth: int) -> str:
        return f"{x}.to_dict()"


class TemporalCodec(Codec):
    """date-time, date and time: ISO 8601 text on the wire."""

    def matches(self, dt: Any) -> bool:
        return dt.type in TEMPORAL

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        return f"{TEMPORAL[dt.type]}({x})"

    def encode(self, dt: Any, x: str, depth: int) -> str:
        return f"format_datetime({x})" if dt.type == "datetime" else f"{x}.isoformat()"


class UuidCodec(Codec):
    def matches(self, dt: Any) -> bool:
        return bool(dt.type == "UUID")

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        return f"parse_uuid({x})"

    def encode(self, dt: Any, x: str, depth: int) -> str:
        return f"str({x})"


class UnionCodec(Codec):
    """One type (or one and None) is that type; a union of several is decoded by trying each
    alternative (a discriminator decides first) and encoded by `to_wire`."""

    def matches(self, dt: Any) -> bool:
        return bool(dt.data_types)

    def decode(self, dt: Any, x: str, depth: int, discriminator: Any = None) -> str:
        alternatives = [sub for sub in dt.data_types if sub.type != "None"]
        if len(dt.data_types) == 1 or len(alternatives) == 1:
            return decode(
                alternatives[0] if alternatives else dt.data_types[0], x, depth, discriminator
            )
        if not needs_codec(dt):
            return x
        tries = [f"lambda u: {decode(sub, _checked(sub, 'u'), depth + 1)}" for sub in alternatives]
        listed = tries[0] + "," if len(tries) == 1 else ", ".join(tries)
        tail = ""
        if discriminator:
            tag = _wire_tag(dt, _member(discriminator, "propertyName"))
            tail = f", {black_str(tag)}, {_tagged(dt, discriminator)}"
        return f"decode_union({x}, ({listed}){tail})"

    def encode(self, dt: Any, x: str, depth: int) -> str:
        if len(dt.data_types) == 1:
            return encode(dt.data_types[0], x, depth)
        return f"to_wire({x})" if needs_codec(dt) else x


# In the order they are asked: the first whose `matches` holds decides.
CODECS: tuple[Codec, ...] = (
    ListCodec(),
    DictCodec(),
    EnumCodec(),
    AliasCodec(),
    ModelCodec(),
    LiteralCodec(),
    TemporalCodec(),
    UuidCodec(),
    UnionCodec(),
)
PLAIN = Codec()  # str, int, float, bool, Any: the value as it is


def codec_of(dt: Any) -> Codec:
    return next((codec for codec in CODECS if codec.matches(dt)), PLAIN)


def decode(dt: Any, x: str, depth: int = 0, discriminator: Any = None) -> str:
    """The expression that turns the wire value `x` into the Python value of type `dt`."""
    return codec_of(dt).decode(dt, x, depth, discriminator)


def encode(dt: Any, x: str, depth: int = 0) -> str:
    """The expression that turns the Python value `x` of type `dt` into its wire value."""
    if dt.literals:
        return x
    return codec_of(dt).encode(dt, x, depth)


def _checked(dt: Any, x: str) -> str:
    """A primitive member of a union is checked, so that the union picks the right alternative."""
    if dt.type in PRIMITIVES:
        return f"expect({x}, {black_str(dt.type)})"
    if dt.is_list:
        return f'expect({x}, "list")'
    if dt.is_dict:
        return f'expect({x}, "dict")'
    return x


def _tagged(dt: Any, discriminator: Any) -> str:
    """The discriminator's tag -> decoder table of a union's alternatives."""
    mapping = _member(discriminator, "mapping") or {}
    entries = []
    for sub in dt.data_types:
        if not sub.reference or is_enum(sub):
            continue
        if mapping:
            tags = [
                tag
                for tag, target in mapping.items()
                if target == sub.reference.path or target.split("/")[-1] == sub.reference.name
            ]
        else:
            tags = [sub.reference.path.split("/")[-1]]
        entries += [f"{black_str(tag)}: {sub.reference.short_name}.from_dict" for tag in tags]
    return "{" + ", ".join(entries) + "}"


def _member(discriminator: Any, name: str) -> Any:
    """A member of a discriminator, which is a mapping (the schema's) or an object (dcg's)."""
    if isinstance(discriminator, dict):
        return discriminator.get(name)
    return getattr(discriminator, name, None)


def _wire_tag(dt: Any, name: str) -> str:
    """datamodel-code-generator gives a member's discriminator under its Python name; the payload
    holds its wire name."""
    wire = name
    for sub in dt.data_types:
        source = sub.reference.source if sub.reference else None
        for f in getattr(source, "fields", None) or ():
            if f.name == name and f.original_name:
                wire = f.original_name
    return wire
