"""One model of the API's schemas (`Schemas`), built once per run from datamodel-code-generator's
results: what the operations stage, `__all__`, subtype registration, narrowed overrides, inherited
codec members, renamed-member warnings and `specbind diff` read, instead of the generated text.

Two moments of a datamodel-code-generator run:
- right after it has parsed the spec, before anything is rendered, `name_and_locate` names each class
  of a schema defined inside another from its context (`MessageRequestChannel`, where it would say
  `Channel1`) and gives every class the spec's own JSON pointer
  (`#/components/schemas/MessageRequest/properties/channels/items`, where its own path says
  `.../channels#-datamodel-code-generator-#-array-#-special-#/0...`), which the templates print;
- as it renders, the model templates hand each class to a `Recorder`, exactly as they print it (it
  still changes its models between parsing and rendering).
"""

from __future__ import annotations

import ast
import keyword
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from specbind.spec.document import resolve_pointer

SCHEMAS = "#/components/schemas/"
# the token datamodel-code-generator puts in the path of a schema it models inside another
_SPECIAL = re.compile(r"#-datamodel-code-generator-#-(.*?)-#-special-#")
# tokens followed by the index of a subschema (`array`, then `0`: the array's items)
_INDEXED = {"array": "items", "oneOf": "oneOf", "anyOf": "anyOf"}
_KIND_WORDS = {"enum": "Enum", "object": "Object", "alias": "Alias"}


@dataclass(frozen=True)
class Field:
    """A member of an object schema as its class declares it."""

    attribute: str  # the Python attribute
    wire: str  # the member's name on the wire
    type_hint: str  # as datamodel-code-generator gives it (without the open enums' Literal part)
    required: bool  # the constructor needs it (no default)


@dataclass(frozen=True)
class SchemaClass:
    """A class (or type alias) of the models module and the schema it models."""

    name: str
    pointer: str  # the spec's own JSON pointer (component schemas under their names in the spec)
    kind: str  # "object", "enum" or "alias"
    inline: bool  # defined inside another schema rather than under components/schemas
    fields: tuple[Field, ...] = ()  # an object's own members (not those of its bases)
    bases: tuple[str, ...] = ()  # an object's base classes among the models (allOf)
    members: tuple[tuple[str, str], ...] = ()  # an enum's (member name, value as Python source)
    decoder: bool = False  # an alias whose values need decoding: the module has `decode_NAME`
    subtypes_tag: str | None = None  # a base class decoding its subclasses by this member


@dataclass(frozen=True)
class Schemas:
    """Every class of the models module, in the module's order of parsing."""

    classes: tuple[SchemaClass, ...]

    def model_classes(self) -> dict[str, str]:
        """Component schema pointer -> class name (enums and dataclasses)."""
        return {c.pointer: c.name for c in self.classes if not c.inline and c.kind != "alias"}

    def model_aliases(self) -> dict[str, str]:
        """Component schema pointer -> type alias name (oneOf/anyOf, maps, nullable enums), or
        `decode_NAME` when the alias has a decoder."""
        return {
            c.pointer: f"decode_{c.name}" if c.decoder else c.name
            for c in self.classes
            if not c.inline and c.kind == "alias"
        }

    def public_names(self) -> list[str]:
        """What the module's `__all__` lists: every class, alias and alias decoder."""
        names = {c.name for c in self.classes} | {
            f"decode_{c.name}" for c in self.classes if c.decoder
        }
        return sorted((n for n in names if not n.startswith("_")), key=str.lower)

    def renamed_members(self, document: Mapping[str, Any] | None = None) -> list[tuple[str, str]]:
        """(pointer, message) for each property whose attribute got a `_` because the class already
        uses its name (`list` -> `list_`); with the spec's `document`, the pointer is the
        property's own, in the allOf part that declares it."""
        found = []
        for c in self.classes:
            for f in c.fields:
                bare = f.attribute[:-1]
                if (
                    f.attribute.endswith("_")
                    and bare
                    and not keyword.iskeyword(bare)
                    and not f.wire.endswith("_")
                ):
                    found.append(
                        (
                            _member_pointer(document, c.pointer, f.wire),
                            f"property {f.wire!r} becomes attribute {f.attribute!r}: "
                            f"{bare!r} is taken in the class",
                        )
                    )
        return found


def _member_pointer(document: Mapping[str, Any] | None, pointer: str, wire: str) -> str:
    """The pointer of the property `wire` of the schema at `pointer`."""
    try:
        schema = resolve_pointer(document, pointer) if document is not None else None
    except KeyError:
        schema = None
    located = _property(schema, wire) if isinstance(schema, Mapping) else None
    return pointer + (located[0] if located else "/properties/" + _escaped(wire))


# names the class body of a dataclass uses: a member of the same name gets a `_`
CLASS_BODY_NAMES = (
    ["to_dict", "from_dict", "to_json", "from_json", "WIRE_NAMES", "_WIRE_KEYS", "_present"]
    + ["additional_properties", "self", "field", "dataclass", "Any", "ClassVar", "Mapping"]
    + ["Literal", "str", "int", "float", "bool", "bytes", "list", "dict", "date", "datetime"]
    + ["time", "UUID", "frozenset", "object"]
)


def attributes(fields: Sequence[Any], decodes_subtypes: bool) -> dict[str, str]:
    """Field name -> attribute for the fields of an object model: with `_` appended where it would
    shadow a generated member or a name the class body uses (`type` in a class decoding its
    subtypes, the names its annotations use)."""
    taken = list(CLASS_BODY_NAMES) + (["type"] if decodes_subtypes else [])
    for f in fields:
        taken += re.findall(r"[A-Za-z_]\w*", str(f.type_hint))
    return attribute_names([f.name for f in fields], taken)


def extra_attribute(attrs: Mapping[str, str]) -> str:
    """The attribute holding an object's undeclared members: `additional_properties`, unless taken."""
    return attribute_names(["additional_properties"], list(attrs.values()))["additional_properties"]


def attribute_names(names: list[str], taken: list[str]) -> dict[str, str]:
    """Field name -> attribute name: as Python reads it (NFKC), with a `_` appended while it is one
    of `taken` (names the class body uses) or an earlier field's."""
    used = set(taken)
    result: dict[str, str] = {}
    for name in names:
        attribute = unicodedata.normalize("NFKC", name)
        if attribute in used:
            attribute += "_"
        while attribute in used or attribute in result.values():
            attribute += "_"
        result[name] = attribute
        used.add(attribute)
    return result


def kind_of(model: Any) -> str:
    """`object`, `enum` or `alias` for one of datamodel-code-generator's data models."""
    name = type(model).__name__
    if name in ("Enum", "StrEnum", "IntEnum"):
        return "enum"
    if name == "TypeAlias" or name.endswith("RootModel") or name == "TypeAliasType":
        return "alias"
    return "object"


def is_component_pointer(pointer: str) -> bool:
    """Whether a spec pointer is a component schema's own (not one inside it)."""
    return pointer.startswith(SCHEMAS) and "/" not in pointer[len(SCHEMAS) :]


def is_component_path(path: str) -> bool:
    """Whether a datamodel-code-generator path is a component schema's own (not one inside it)."""
    return path.startswith(SCHEMAS) and "/" not in path[len(SCHEMAS) :] and "#-" not in path


def name_and_locate(
    models: Sequence[Any],
    resolver: Any,
    document: Mapping[str, Any],
    renames: Mapping[str, str],
    reserved: frozenset[str],
) -> dict[str, str]:
    """Name the classes of schemas defined inside others from their context, and locate every class in
    the spec; datamodel-code-generator's `models` (parse results, not rendered yet) are renamed in place,
    and its model `resolver` told.

    A component schema keeps its name. An inline class is named after the class that holds it and
    its own name (`MessageRequest` + `Channel`); where that is a component's name or `reserved` (names
    the generated code binds), `Enum` (for an enum) or `Model` is appended; where that is taken too,
    a number from 2, in the spec's order, so that regenerating gives the same names.
    `renames` (spec name -> name in `document`) maps the document's pointers back to the spec's."""
    by_path = {model.reference.path: model for model in models}
    components = [m for m in models if is_component_path(m.reference.path)]
    inline = [m for m in models if not is_component_path(m.reference.path)]
    new_names: dict[str, str] = {}  # path -> name

    # datamodel-code-generator names the component schemas first (tests/test_schema_model.py)
    taken = {m.class_name for m in components} | set(reserved)
    local = {m.reference.path: m.reference.duplicate_name or m.class_name for m in inline}
    for model in sorted(inline, key=lambda m: m.reference.path.count("/")):  # holders first
        path = model.reference.path
        holder = _holder(path, by_path)
        holder_name = (
            new_names.get(holder.reference.path, holder.class_name) if holder is not None else ""
        )
        own = local[path][:1].upper() + local[path][1:]
        holder_names = (
            (holder_name, holder.class_name, local.get(holder.reference.path, ""))
            if holder is not None
            else ()
        )
        if own in holder_names:
            own = _KIND_WORDS[kind_of(model)]  # a member of a oneOf is named after the oneOf
        # a name that starts with its holder's (`MaybeColourEnum`, `PetType`) says it once
        said = next((n for n in holder_names if n and own.startswith(n)), "")
        base = holder_name + own[len(said) :]
        candidate = (
            base if base not in taken else base + ("Enum" if kind_of(model) == "enum" else "Model")
        )
        number = 1
        while candidate in taken:
            number += 1
            candidate = f"{base}{number}"
        taken.add(candidate)
        new_names[path] = candidate

    changed = False
    for path, name in new_names.items():
        model = by_path[path]
        if model.class_name != name:
            # without the name it asked for, which dcg would hand back once it is free
            model.reference.name, model.reference.duplicate_name = name, None
            changed = True
    if changed:
        resolver.refresh_reference_names()
        for model in models:
            model.invalidate_render_caches()

    fields = {
        m.reference.path: {f.name: f.original_name for f in m.fields if f.name} for m in models
    }
    back = {new: old for old, new in renames.items()}
    return {
        m.reference.path: spec_pointer(m.reference.path, fields, document, back) for m in models
    }


class Recorder:
    """Collects the model of the schemas as datamodel-code-generator renders each class: the model
    templates call it with what they print, so it holds exactly what the module defines."""

    def __init__(self, printed: Callable[[Any], str] = lambda f: str(f.type_hint)) -> None:
        self.classes: dict[str, SchemaClass] = {}  # by dcg's path, in the module's order
        self._printed = printed  # a dcg field's annotation as the template prints it
        # class name -> its own members for from_dict/to_dict: (kind, attribute, dcg field)
        self._codec: dict[str, list[tuple[str, str, Any]]] = {}
        self._by_name: dict[str, SchemaClass] = {}

    def schemas(self) -> Schemas:
        return Schemas(tuple(self.classes.values()))

    def object(
        self,
        path: str,
        name: str,
        pointer: str,
        fields: Sequence[Any],
        attrs: Mapping[str, str],
        bases: str | None,
        subtypes_tag: str | None,
        extra: str | None,
    ) -> str:
        """Record an object class; `extra` is the attribute keeping undeclared members, if any."""
        declared = tuple(
            Field(attrs[f.name], f.original_name, str(f.type_hint), f.required and not f.field)
            for f in fields
        )
        parents = tuple(b.strip() for b in (bases or "").split(",") if b.strip())
        self._add(
            path, name, pointer, "object", fields=declared, bases=parents, subtypes_tag=subtypes_tag
        )
        own = [("field", attrs[f.name], f) for f in fields]
        self._codec[name] = own + ([("extra", extra, None)] if extra is not None else [])
        return ""

    def codec_members(self, name: str) -> list[tuple[str, str, Any]]:
        """What a recorded class's `from_dict` sets, in order: its bases' members (as they declare
        them), then its own, one it restates replacing the inherited one in place; (kind, attribute,
        dcg field). Kind `field` (decoded and encoded), `extra` (its undeclared members), `empty` (a
        base's extra members, which start empty in a class that forbids them). `from_dict` sets
        every dataclass field itself (it does not call `__init__`), and subclasses' codecs stay
        straight-line code over every member (the templates only see a class's own fields)."""
        by_name = self._by_name

        def merged(cls: str, seen: tuple[str, ...]) -> dict[str, tuple[str, str, Any]]:
            members: dict[str, tuple[str, str, Any]] = {}
            for base in by_name[cls].bases:
                if base in self._codec and base not in seen:
                    for attribute, (kind, _, f) in merged(base, seen + (cls,)).items():
                        members[attribute] = ("field" if kind == "field" else "empty", attribute, f)
            for kind, attribute, f in self._codec[cls]:
                members[attribute] = (kind, attribute, f)
            return members

        return list(merged(name, ()).values())

    def narrowed(self, name: str) -> list[str]:
        """The attributes a recorded subclass (allOf) restates with another type than its base
        declares (a narrower enum, a list of a subclass): both hold on the wire, which Python types
        cannot say, so mypy's override check is silenced there. A `Literal` narrowing mypy accepts.
        """
        by_name = self._by_name

        def printed(cls: str, attribute: str) -> str | None:
            """The annotation `cls` prints for its own member `attribute` (computed only here)."""
            f = next((f for kind, a, f in self._codec.get(cls, ()) if a == attribute), None)
            return None if f is None else self._printed(f)

        def inherited(cls: SchemaClass, attribute: str, seen: tuple[str, ...]) -> str | None:
            for base in cls.bases:
                parent = by_name.get(base)
                if parent is None or base in seen:
                    continue
                found = printed(base, attribute) or inherited(parent, attribute, seen + (cls.name,))
                if found:
                    return found
            return None

        cls = by_name[name]
        narrowed = []
        for f in cls.fields if cls.bases else ():
            base = inherited(cls, f.attribute, ())
            own = printed(name, f.attribute) or ""
            if base is not None and own != base and not own.startswith("Literal["):
                narrowed.append(f.attribute)
        return narrowed

    def enum(self, path: str, name: str, pointer: str, fields: Sequence[Any], base: str) -> str:
        from specbind.codegen.names import enum_member

        members = tuple((enum_member(f.name, base), _value_source(f.default)) for f in fields)
        self._add(path, name, pointer, "enum", members=members)
        return ""

    def alias(self, path: str, name: str, pointer: str, decoder: bool) -> str:
        self._add(path, name, pointer, "alias", decoder=decoder)
        return ""

    def _add(self, path: str, name: str, pointer: str, kind: str, **details: Any) -> None:
        inline = not is_component_path(path)
        self.classes[path] = self._by_name[name] = SchemaClass(
            name, pointer, kind, inline, **details
        )


def _value_source(default: Any) -> str:
    """An enum member's value as Python source in one spelling (`repr`) whatever dcg wrote."""
    try:
        return repr(ast.literal_eval(str(default)))
    except (ValueError, SyntaxError):
        return str(default)


def _holder(path: str, by_path: Mapping[str, Any]) -> Any:
    """The model whose schema holds the one at `path`: the nearest model on the way to it (a path with
    the tokens of its last segment left off names the schema they went inside)."""
    parts = path.split("/")
    for end in range(len(parts), 3, -1):
        prefix = "/".join(parts[:end])
        for candidate in (
            (prefix, _SPECIAL.sub("", prefix)) if end < len(parts) else (_SPECIAL.sub("", prefix),)
        ):
            holder = by_path.get(candidate)
            if holder is not None and candidate != path:
                return holder
    return None


def spec_pointer(
    path: str,
    fields: Mapping[str, Mapping[str, str | None]],
    document: Mapping[str, Any],
    back: Mapping[str, str],
) -> str:
    """The spec's JSON pointer of the schema datamodel-code-generator modelled at `path`.

    Its path names the component schema, then for each schema on the way the member's attribute
    name (`content_type`; `fields` gives each model's attribute -> wire name) and tokens for where it
    went inside (`array` and an index: the items; `oneOf`/`anyOf` and an index; `enum`, `object`: the
    schema itself). The walk follows the spec, through `allOf` parts that declare the member; where it
    cannot follow (a kind of token it does not know), the pointer of the schema reached so far is kept.
    """
    parts = path.split("/")
    if len(parts) < 4 or "/".join(parts[:3]) + "/" != SCHEMAS:
        return _SPECIAL.sub("", path)
    name, tokens = _segment(parts[3])
    schemas = (document.get("components") or {}).get("schemas") or {}
    node = schemas.get(name)
    pointer = SCHEMAS + _escaped(back.get(name, name))
    prefix = "/".join(parts[:4])
    for segment in parts[4:]:
        member, next_tokens = _segment(segment)
        part = _literal(node, member) if isinstance(node, list) and not tokens else None
        if part is not None:  # an allOf's part, say
            pointer += part[0]
            node = part[1]
        elif not isinstance(node, Mapping):
            break
        elif tokens and tokens[-1] in _INDEXED and member.isdigit():
            keyword = _INDEXED[tokens[-1]]
            found = node.get(keyword)
            if keyword == "items" and isinstance(found, Mapping):
                node, pointer = found, pointer + "/items"
            elif isinstance(found, list) and int(member) < len(found):
                node, pointer = found[int(member)], pointer + f"/{keyword}/{member}"
            else:
                break
        elif tokens and any(token not in ("enum", "object") for token in tokens):
            break
        elif member.isdigit() and isinstance(node.get("items"), Mapping):
            node, pointer = node["items"], pointer + "/items"  # a component array's items
        elif member == name and not tokens:
            pass  # dcg's path of a component array's items repeats the component's name
        else:
            wire = (fields.get(prefix) or {}).get(member)
            located = _property(node, wire) if wire is not None else None
            if located is None:
                located = _literal(node, member)  # a path that is a pointer (a `$ref`'d subschema)
            if located is None:
                break
            where, node = located
            pointer += where
        prefix += "/" + segment
        tokens = next_tokens
        if "additionalProperties" in tokens:  # the value schema of a map
            value = node.get("additionalProperties") if isinstance(node, Mapping) else None
            if not isinstance(value, Mapping):
                break
            node, pointer = value, pointer + "/additionalProperties"
            tokens = tokens[tokens.index("additionalProperties") + 1 :]
    return pointer


def _literal(node: Mapping[str, Any] | list[Any], segment: str) -> tuple[str, Any] | None:
    """(pointer suffix, value) of the member `segment` of `node` read as a JSON pointer segment:
    datamodel-code-generator's path of a schema reached by a `$ref` into another is that pointer
    (`.../CreateAnswerRequest/properties/expand`, `.../Report/definitions/reportError`)."""
    key = segment.replace("~1", "/").replace("~0", "~")
    if isinstance(node, list):
        value = node[int(key)] if key.isdigit() and int(key) < len(node) else None
    else:
        value = node.get(key)
    if not isinstance(value, (Mapping, list)):
        return None
    return "/" + _escaped(key), value


def _segment(segment: str) -> tuple[str, list[str]]:
    """A path segment's name and the special tokens after it."""
    tokens = _SPECIAL.findall(segment)
    return _SPECIAL.sub("", segment), tokens


def _property(schema: Mapping[str, Any], wire: str) -> tuple[str, Any] | None:
    """(pointer suffix, schema) of the property `wire` that `schema` declares, itself or in an allOf part."""
    properties = schema.get("properties")
    if isinstance(properties, Mapping) and wire in properties:
        return "/properties/" + _escaped(wire), properties[wire]
    for index, part in enumerate(schema.get("allOf") or ()):
        if isinstance(part, Mapping) and "$ref" not in part:
            found = _property(part, wire)
            if found is not None:
                return f"/allOf/{index}" + found[0], found[1]
    return None


def _escaped(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
