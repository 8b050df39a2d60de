"""Stage 3 — models: dataclasses from the spec's schemas, via datamodel-code-generator.

The templates under `templates/models/` add what plain dataclasses lack: wire names,
nested decoding and encoding, extra members, and presence tracking for lossless round-trips.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from specbind.codegen import codecs
from specbind.codegen.layout import (
    Atom,
    Brackets,
    Statement,
    black_brackets,
    black_line,
    black_statement,
    black_str,
    comprehension_clauses,
    current_line_length,
    expression,
    layout,
    line_length,
    lines,
    requote,
    requote_all,
    sorted_imports,
    width,
)
from specbind.codegen.names import enum_member
from specbind.codegen.options import MODEL_OPTIONS
from specbind.codegen.paths import compiled_templates, template_dir
from specbind.codegen.schema_model import (
    Recorder,
    Schemas,
    attributes,
    extra_attribute,
    name_and_locate,
)
from specbind.codegen.text import comment, docstring_at, inline
from specbind.spec.problems import Problem, SpecError, pointer_of

# Options that shape the generated code; part of the generation's provenance.
RUNTIME_IMPORTS = (
    "from collections.abc import Mapping\n"
    "from dataclasses import dataclass, field\n"
    "from typing import Any, ClassVar\n"
)
CODEC_NAMES = (
    "DecodeError",
    "JsonCodec",
    "decode_union",
    "dump_json",
    "enum_member",
    "expect",
    "expect_list",
    "expect_literal",
    "format_datetime",
    "load_json",
    "parse_date",
    "parse_datetime",
    "parse_time",
    "parse_uuid",
    "to_wire",
    "unknown_member",
)


@dataclass(frozen=True)
class Models:
    """The `models` module's source and the model of the schemas it defines, from one run."""

    code: str
    schemas: Schemas


def generate_models(document: dict[str, Any], header: str, columns: int = 88) -> Models:
    """The `models` module for a bundled spec (unformatted; the format stage runs later), laid out
    for lines of `columns` columns, and the model of its classes."""
    with line_length(columns):
        return _generate_models(document, header)


def _generate_models(document: dict[str, Any], header: str) -> Models:
    from datamodel_code_generator import (
        DatetimeClassType,
        InputFileType,
        PythonVersion,
        generate,
    )
    from datamodel_code_generator.enums import DataModelType

    _keep_compiled_templates()
    _name_and_locate_after_parsing()
    renames = schema_renames(document)
    modelled = renamed_schemas(document, renames)
    layout = {
        "black_str": black_str,
        "black_line": black_line,
        "black_statement": black_statement,
        "assignment": assignment,
        "narrowed_override": narrowed_override,
        "requote": requote,
        "requote_all": requote_all,
        "open_enums": open_enums,
        "annotation": annotation,
        # how each member is decoded and encoded (codecs.py decides; the templates lay it out)
        "decode": codecs.decode,
        "encode": codecs.encode,
        "needs_codec": codecs.needs_codec,
    }
    template_data: defaultdict[str, dict[str, Any]] = defaultdict(dict, {"#all#": layout})
    for pointer, (tag, _) in polymorphic_bases(modelled).items():
        template_data[pointer]["subtypes_tag"] = tag
    run = _Run(modelled, renames)
    try:
        # dcg's advice on a spec without schemas does not apply here
        with warnings.catch_warnings(), run:
            warnings.simplefilter("ignore", UserWarning)
            code = generate(
                modelled,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.DataclassesDataclass,
                output_datetime_class=DatetimeClassType.Datetime,
                target_python_version=PythonVersion.PY_311,
                custom_template_dir=template_dir() / "models",
                custom_file_header=header,
                disable_timestamp=True,
                formatters=[],
                extra_template_data=template_data,
                **MODEL_OPTIONS,
            )
    except Exception as exc:
        # a spec the validator let through (or --lenient kept) that dcg cannot model
        if "Models not found" in str(exc):  # a spec without schemas: a models module with no models
            code = _add_runtime_imports(
                header
                + '"""This API declares no schemas."""\n\nfrom __future__ import annotations\n'
            )
            return Models(code, Schemas(()))
        message = " ".join(str(exc).split())[:300]
        raise SpecError(
            [
                Problem(
                    Path("<models>"), f"cannot generate the models: {type(exc).__name__}: {message}"
                )
            ]
        ) from None
    assert isinstance(code, str)  # one module: no schema name holds a dot any more
    schemas = run.recorder.schemas()
    subtypes = polymorphic_bases(document)  # keyed by the spec's own pointers, as the schemas
    code = _add_runtime_imports(_register_subtypes(code, subtypes, schemas))
    return Models(_with_docstring_and_all(code, schemas.public_names()), schemas)


def open_enums(hint: str, data_type: Any) -> str:
    """A member's type hint in which each enum `E` (str or int values) reads `E | Literal[values]`, so
    that plain values the spec lists type-check where the enum is expected, and others do not."""
    values: dict[str, str] = {}

    def walk(dt: Any) -> None:
        source = dt.reference.source if dt.reference is not None else None
        if source is not None and type(source).__name__ in ("Enum", "StrEnum", "IntEnum"):
            listed = [_enum_literal(f.default) for f in source.fields]
            if listed and None not in listed:
                values[dt.reference.short_name] = ", ".join(v for v in listed if v)
        for sub in dt.data_types:
            walk(sub)

    walk(data_type)
    if not values:
        return hint
    return re.sub(
        r"\b\w+\b",
        lambda m: f"{m[0]} | Literal[{values[m[0]]}]" if m[0] in values else m[0],
        hint,
    )


def annotation(name: str, hint: str, default: str = "") -> str:
    """A dataclass field line at indent 4 (`= default` unless empty), with a long hint laid out as black
    lays it out at the project's line length: in parentheses, on one line if it fits, else one `|`
    member per line, a member too long for its line split at its brackets (`Literal[` ... `]`)."""
    limit = current_line_length()
    tail = f" = {default}" if default else ""
    line = f"    {name}: {hint}{tail}"
    if width(line) <= limit:
        return line
    if default and width(f"    {name}: {hint} = (") <= limit and 8 + width(default) <= limit:
        return f"    {name}: {hint} = (\n        {default}\n    )"  # black splits the value first
    if 8 + width(hint) <= limit:
        return f"    {name}: (\n        {hint}\n    ){tail}"
    members = _top_level_members(hint)
    if len(members) < 2:
        return line  # black, which formats every module, lays it out
    body: list[str] = []
    for i, member in enumerate(members):
        prefix = "| " if i else ""
        node = expression(member)
        if 8 + width(prefix + member) <= limit:
            body.append(" " * 8 + prefix + member)
        elif isinstance(node, Brackets) and not node.tail.strip("])}"):
            split = Brackets(prefix + node.head, node.items, node.tail, node.collection)
            body.extend(lines(split, 8))
        elif isinstance(node, Atom):
            body.append(" " * 8 + prefix + member)  # a name too long for any line: black's too
        else:
            return line  # black lays it out
    return f"    {name}: (\n" + "\n".join(body) + f"\n    ){tail}"


def assignment(indent: int, target: str, value: str) -> str:
    """`target` + `value` (`obj.x = ...`) at `indent` as black lays it out: on one line if it fits; a
    comprehension (`[... for ...]`) split inside its brackets, its clauses one per line if they do not
    fit on one; anything else as `black_statement` does. The first line carries its indentation."""
    pad, limit = " " * indent, current_line_length()
    if indent + width(target + value) <= limit:
        return pad + target + value
    clauses = comprehension_clauses(value)
    if clauses is not None:
        inner = " ".join(clauses)
        if indent + 4 + width(inner) <= limit:
            return f"{pad}{target}{value[0]}\n{pad}    {inner}\n{pad}{value[-1]}"
        if all(indent + 4 + width(clause) <= limit for clause in clauses):
            body = "\n".join(f"{pad}    {clause}" for clause in clauses)
            return f"{pad}{target}{value[0]}\n{body}\n{pad}{value[-1]}"
    return black_statement(indent, target, value)


def narrowed_override(declaration: str) -> str:
    """A member declaration with a `type: ignore` for mypy's override check on its first line
    (Recorder.narrowed; harmless where mypy accepts the override)."""
    first, newline, rest = declaration.partition("\n")
    return f"{first}  # type: ignore[assignment, unused-ignore]{newline}{rest}"


def _top_level_members(hint: str) -> list[str]:
    """The members of a union hint, split at the `|` outside brackets."""
    members, depth, start = [], 0, 0
    for i, char in enumerate(hint):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
        elif char == "|" and depth == 0:
            members.append(hint[start:i].strip())
            start = i + 1
    members.append(hint[start:].strip())
    return members


def _enum_literal(default: Any) -> str | None:
    """The Literal form of an enum member's value (dcg gives its repr); None unless a str or int."""
    try:
        value = ast.literal_eval(str(default))
    except (ValueError, SyntaxError):
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return black_str(value) if isinstance(value, str) else str(value)


MODELS_DOCSTRING = (
    '"""The schemas of the API as dataclasses: `from_dict`/`to_dict` convert JSON values (wire names),\n'
    "`from_json`/`to_json` JSON text. Enums accept values a newer API sends; where an enum is expected,\n"
    'its values as plain strings type-check too."""\n\n'
)


def _with_docstring_and_all(code: str, names: list[str]) -> str:
    """A module docstring after the header comment, and `__all__` (`names`) last."""
    marker = "from __future__ import annotations\n"
    if marker in code:
        head, rest = code.split(marker, 1)
        code = head + MODELS_DOCSTRING + marker + rest
    entries: list[Atom | Brackets] = [Atom(black_str(name)) for name in names]
    listing = layout(Statement("__all__ = ", Brackets("[", entries, "]", collection=True)))
    return code.rstrip("\n") + "\n\n\n" + listing + "\n"


# The names the generated modules bind besides the model classes (the models module's imports, and
# what client.py, operations.py and webhooks.py define or import next to the models they import).
TAKEN_CLASS_NAMES = frozenset(
    {"Any", "ClassVar", "Mapping", "Literal", "TypeAlias", "Enum", "StrEnum", "IntEnum", "UUID"}
    | {"JsonCodec", "DecodeError", "Client", "AsyncClient", "RequestSpec", "BinaryContent"}
    | {"SavedContent", "NotGiven", "RetryPolicy", "ApiError", "Timeout", "WebhookError", "TypeVar"}
    | {"Callable", "Awaitable", "IO", "T", "M", "EVENTS", "NOT_GIVEN", "DEFAULT_BASE_URL"}
    | {"DEFAULT_TIMEOUT", "ErrorBody", "TYPE_CHECKING"}
)
_TAKEN_FOLDED = {re.sub(r"[^0-9a-z]", "", name.lower()): name for name in TAKEN_CLASS_NAMES}


def schema_renames(document: dict[str, Any]) -> dict[str, str]:
    """Schema name -> the class name it is modelled under, for each schema whose own name cannot be
    its class name. A dotted name (`lookups.v1.phone_number`: datamodel-code-generator would make a
    module per namespace) becomes its parts in PascalCase (`LookupsV1PhoneNumber`), numbered only
    where that name is taken, handed out in sorted order so that regenerating gives the same names.
    A name the generated code binds (`TAKEN_CLASS_NAMES`) gets `Model`: `Any` -> `AnyModel`."""
    schemas = (document.get("components") or {}).get("schemas")
    if not isinstance(schemas, dict):
        return {}
    names = [str(name) for name in schemas]
    taken = {_pascal(name).lower() for name in names if "." not in name}
    renames: dict[str, str] = {}
    for name in sorted(name for name in names if "." in name):
        base = _pascal(name) or "Schema"
        candidate, number = base, 1
        while candidate.lower() in taken:
            number += 1
            candidate = f"{base}{number}"
        taken.add(candidate.lower())
        renames[name] = candidate
    for name in names:
        current = renames.get(name, name)
        if re.sub(r"[^0-9a-z]", "", current.lower()) in _TAKEN_FOLDED:
            new, n = f"{current}Model", 2
            while new in schemas or new in renames.values():
                new, n = f"{current}Model{n}", n + 1
            renames[name] = new
    return renames


def collision_renames(renames: dict[str, str]) -> dict[str, str]:
    """The renames that avoid a name the generated code binds (dotted names are renamed by rule,
    and say so in the README; these deserve a warning)."""
    return {old: new for old, new in renames.items() if "." not in old}


def renamed_schemas(document: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """The document with the schemas renamed, and every reference to them (`$ref`, discriminator
    mappings) following; the document itself when there is nothing to rename."""
    if not renames:
        return document
    prefixes = {_SCHEMAS + _escaped(old): _SCHEMAS + new for old, new in renames.items()}

    def ref(text: str) -> str:
        for old, new in prefixes.items():
            if text == old or text.startswith(old + "/"):
                return new + text[len(old) :]
        return renames.get(text, text)  # a mapping may name the schema bare

    def walk(node: Any, key: str = "") -> Any:
        if isinstance(node, dict):
            if key == "mapping":
                return {k: ref(v) if isinstance(v, str) else v for k, v in node.items()}
            return {
                k: ref(v) if k == "$ref" and isinstance(v, str) else walk(v, k)
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result = walk(document)
    schemas = result["components"]["schemas"]
    result["components"]["schemas"] = {renames.get(k, k): v for k, v in schemas.items()}
    return result  # type: ignore[no-any-return]


def usable_schemas(document: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """For --lenient: the document with each schema datamodel-code-generator cannot read (`null`
    where a schema belongs, a list where a mapping belongs, a `$ref` string among the properties)
    replaced by a free-form value, and (pointer, what was done) for each. Only the innermost
    unusable schemas go: their valid siblings and parents stay as they are."""
    # the schema model the parser validates every schema with (re-exported there, not in __all__)
    from datamodel_code_generator.parser.jsonschema import (  # type: ignore[attr-defined]
        JsonSchemaObject,
    )
    from pydantic import ValidationError

    notes: list[tuple[str, str]] = []

    def readable(node: Any) -> bool:
        try:
            JsonSchemaObject.model_validate(node)
        except ValidationError:
            return False
        return True

    def usable(node: Any, at: tuple[Any, ...]) -> Any:
        if readable(node):
            return node
        if isinstance(node, dict):
            node = dict(node)
            for key, child, where in _subschemas(node, at):
                fixed = usable(child, where)
                if key[1] is None:
                    node[key[0]] = fixed
                else:
                    node[key[0]] = _replaced(node[key[0]], key[1], fixed)
            if readable(node):
                return node
        notes.append((pointer_of(at), f"{_unusable(node)}: generated as a free-form value (Any)"))
        return {}

    result = dict(document)
    for at, get, put in _schema_places(result):
        fixed = usable(_without_unfit_defaults(get(), at, notes), at)
        put(fixed)
    return result, notes


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def _without_unfit_defaults(node: Any, at: tuple[Any, ...], notes: list[tuple[str, str]]) -> Any:
    """The schema with each `default` that is not of the schema's type left out (a note for each):
    the models would assign it to an attribute of that type (`max_tokens: int = "inf"`)."""
    if not isinstance(node, dict):
        return node
    node = dict(node)
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if "default" in node and isinstance(kinds, list):
        value = node["default"]
        fits = (value is None and node.get("nullable") is True) or any(
            isinstance(value, _JSON_TYPES.get(kind, object))
            and not (isinstance(value, bool) and kind in ("integer", "number"))
            for kind in kinds
        )
        if not fits:
            del node["default"]
            what = f"default {value!r} is not of type {' or '.join(map(str, kinds))}"
            notes.append((pointer_of(at + ("default",)), f"{what}: left out"))
    for key, child, where in _subschemas(node, at):
        fixed = _without_unfit_defaults(child, where, notes)
        node[key[0]] = fixed if key[1] is None else _replaced(node[key[0]], key[1], fixed)
    return node


def _unusable(node: Any) -> str:
    kind = {type(None): "null", str: "a string", list: "a list", bool: "a boolean"}.get(type(node))
    if kind is not None:
        return f"{kind} where a schema belongs"
    if isinstance(node, dict):
        return "a schema with a member of the wrong type"
    return f"a {type(node).__name__} where a schema belongs"


def _replaced(container: Any, key: Any, value: Any) -> Any:
    copy = list(container) if isinstance(container, list) else dict(container)
    copy[key] = value
    return copy


_SCHEMA_LISTS = ("allOf", "oneOf", "anyOf", "prefixItems")
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _subschemas(
    node: dict[str, Any], at: tuple[Any, ...]
) -> list[tuple[tuple[str, Any], Any, tuple[Any, ...]]]:
    """((key, index or member or None), schema, pointer parts) of each schema directly inside."""
    found: list[tuple[tuple[str, Any], Any, tuple[Any, ...]]] = []
    for key in _SCHEMA_ONE:
        if key in node and not isinstance(node[key], (bool, list)):
            found.append(((key, None), node[key], at + (key,)))
    for key in _SCHEMA_LISTS:
        if isinstance(node.get(key), list):
            found += [((key, i), sub, at + (key, i)) for i, sub in enumerate(node[key])]
    for key in _SCHEMA_MAPS:
        if isinstance(node.get(key), dict):
            found += [
                ((key, name), sub, at + (key, name))
                for name, sub in node[key].items()
                if not isinstance(sub, bool)
            ]
    return found


def _schema_places(document: dict[str, Any]) -> list[tuple[tuple[Any, ...], Any, Any]]:
    """(pointer parts, getter, setter) of every schema a spec holds outside other schemas: component
    schemas, and the schemas of parameters, headers and media types. Containers on the way are
    copied, so the caller's document is left as it was."""
    places: list[tuple[tuple[Any, ...], Any, Any]] = []

    def own(holder: dict[str, Any], key: Any) -> Any:
        value = holder.get(key)
        if isinstance(value, dict):
            value = holder[key] = dict(value)
        elif isinstance(value, list):
            value = holder[key] = list(value)
        return value

    def place(holder: Any, key: Any, at: tuple[Any, ...]) -> None:
        places.append((at, lambda: holder[key], lambda v: holder.__setitem__(key, v)))

    def media(holder: Any, at: tuple[Any, ...]) -> None:  # requestBody, response, parameter
        if not isinstance(holder, dict) or "$ref" in holder:
            return
        if "schema" in holder:
            place(holder, "schema", at + ("schema",))
        content = own(holder, "content")
        for kind, item in (content.items() if isinstance(content, dict) else ()):
            if isinstance(item, dict) and "schema" in item:
                content[kind] = dict(item)
                place(content[kind], "schema", at + ("content", kind, "schema"))
        headers = own(holder, "headers")
        for name, header in (headers.items() if isinstance(headers, dict) else ()):
            if isinstance(header, dict) and "schema" in header:
                headers[name] = dict(header)
                place(headers[name], "schema", at + ("headers", name, "schema"))

    def each(holder: Any, key: Any, at: tuple[Any, ...]) -> None:
        items = own(holder, key) if isinstance(holder, dict) else None
        if not isinstance(items, (dict, list)):
            return
        pairs = items.items() if isinstance(items, dict) else enumerate(items)
        for k, item in list(pairs):
            if isinstance(item, dict):
                items[k] = dict(item)
                media(items[k], at + (key, k))

    components = own(document, "components")
    if isinstance(components, dict):
        schemas = own(components, "schemas")
        for name in list(schemas) if isinstance(schemas, dict) else ():
            place(schemas, name, ("components", "schemas", name))
        for kind in ("parameters", "requestBodies", "responses", "headers"):
            each(components, kind, ("components",))
    paths = own(document, "paths")
    for path in list(paths) if isinstance(paths, dict) else ():
        item = own(paths, path)
        if not isinstance(item, dict):
            continue
        each(item, "parameters", ("paths", path))
        for method, operation in list(item.items()):
            if method == "parameters" or not isinstance(operation, dict):
                continue
            operation = own(item, method)
            at = ("paths", path, method)
            each(operation, "parameters", at)
            body = own(operation, "requestBody")
            media(body, at + ("requestBody",))
            each(operation, "responses", at)
    return places


_SCHEMAS = "#/components/schemas/"


def _escaped(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name))


class _Run:
    """What the parse hook needs to know about the current models run (`with run:` while dcg runs),
    and what it keeps of dcg's models for the model of the schemas."""

    current: _Run | None = None

    def __init__(self, document: dict[str, Any], renames: dict[str, str]) -> None:
        self.document, self.renames = document, renames
        self.recorder = Recorder(lambda f: requote_all(open_enums(f.type_hint, f.data_type)))
        # (class path, wire name) of each member the spec leaves optional
        self.optional: set[tuple[str, str]] = set()

    def __enter__(self) -> None:
        _Run.current = self

    def __exit__(self, *exc: object) -> None:
        _Run.current = None


def _recorder() -> Recorder:
    """The current run's recorder of the model of the schemas (templates: `schema_model()`)."""
    run = _Run.current
    return run.recorder if run is not None else Recorder()


def optional_as_specified(path: str, fields: Sequence[Any]) -> str:
    """Give back the fields of the class at `path` the optionality the spec gives them (templates:
    called before a class is printed; prints nothing).

    datamodel-code-generator makes a discriminator's member required in every schema of the union,
    as the literal of its tag, whether the schema requires it or not (Spotify's `TrackObject.type`),
    so a payload the schema allows, without the member, was refused. Such a member becomes optional
    again, its default the one tag it can have (a payload without it still is that schema), or
    None where several tags map to the schema."""
    run = _Run.current
    if run is None:
        return ""
    for f in fields:
        if f.required and (path, f.original_name) in run.optional:
            literals = list(getattr(f.data_type, "literals", None) or [])
            f.required = False
            f.default = literals[0] if len(literals) == 1 else None
            if f.default is not None and f.nullable is not True:  # the tag, never None
                f.nullable = False
            f.invalidate_semantic_caches()
    return ""


def _name_and_locate_after_parsing() -> None:
    """Name inline classes from their context and give every class its spec pointer
    (`schema_model.name_and_locate`) right after datamodel-code-generator has parsed the spec and
    before it renders anything: its parser's `parse_raw` is wrapped once."""
    from datamodel_code_generator.parser.openapi import OpenAPIParser

    parse_raw = OpenAPIParser.parse_raw
    if getattr(parse_raw, "specbind_wrapped", False):
        return

    def parse_and_name(self: Any) -> None:
        parse_raw(self)
        run = _Run.current
        if run is None:
            return
        pointers = name_and_locate(
            self.results, self.model_resolver, run.document, run.renames, TAKEN_CLASS_NAMES
        )
        for model in self.results:
            model.extra_template_data["spec_pointer"] = pointers[model.reference.path]
            run.optional |= {
                (model.reference.path, f.original_name) for f in model.fields if not f.required
            }

    parse_and_name.specbind_wrapped = True  # type: ignore[attr-defined]
    OpenAPIParser.parse_raw = parse_and_name  # type: ignore[method-assign]


def _keep_compiled_templates() -> None:
    """Let datamodel-code-generator's Jinja2 environments reuse our compiled templates (as the package
    templates do), and give them the escaping functions for spec text: it builds them in one private
    function, which is wrapped once if it is there."""
    from datamodel_code_generator.model import base

    build = getattr(base, "_build_environment", None)
    if build is None or getattr(build, "specbind_wrapped", False):
        return

    def build_with_cache(*args: Any, **kwargs: Any) -> Any:
        env = build(*args, **kwargs)
        env.bytecode_cache = compiled_templates()
        # the escaping functions for spec text (codegen/text.py), in every template
        env.globals.update(inline=inline, docstring_at=docstring_at, comment=comment)
        env.globals["enum_member"] = enum_member
        # class and def lines, enum members with long names
        env.globals.update(black_brackets=black_brackets, black_statement=black_statement)
        env.globals["attributes"] = attributes
        env.globals["extra_attribute"] = extra_attribute
        env.globals["schema_model"] = _recorder
        env.globals["optional_as_specified"] = optional_as_specified
        return env

    build_with_cache.specbind_wrapped = True  # type: ignore[attr-defined]
    base._build_environment = build_with_cache


def polymorphic_bases(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, str]]]:
    """Object schemas with a discriminator that subclasses extend with allOf (the base-class form of
    polymorphism): pointer -> (tag member, {tag value: pointer of the subclass schema})."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    if not isinstance(schemas, dict):
        return {}
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for name, schema in schemas.items():
        if not isinstance(schema, dict) or not isinstance(schema.get("discriminator"), dict):
            continue
        if "oneOf" in schema or "anyOf" in schema or not isinstance(schema.get("properties"), dict):
            continue
        tag = schema["discriminator"].get("propertyName")
        if not isinstance(tag, str):
            continue
        pointer = f"#/components/schemas/{name}"
        mapping = schema["discriminator"].get("mapping")
        if isinstance(mapping, dict):
            subtypes = {str(k): v for k, v in mapping.items() if isinstance(v, str)}
            subtypes = {
                k: v if v.startswith("#") else f"#/components/schemas/{v}"
                for k, v in subtypes.items()
            }
        else:  # implicit mapping: the names of the schemas that extend this one
            subtypes = {
                other: f"#/components/schemas/{other}"
                for other, sub in schemas.items()
                if isinstance(sub, dict)
                and any(
                    isinstance(part, dict) and part.get("$ref") == pointer
                    for part in sub.get("allOf") or []
                )
            }
        found[pointer] = (tag, subtypes)
    return found


def _register_subtypes(
    code: str, bases: dict[str, tuple[str, dict[str, str]]], schemas: Schemas
) -> str:
    """`Base._SUBTYPES = {...}` lines at the end of the module, once every class exists."""
    classes = schemas.model_classes()
    decoding = {c.pointer for c in schemas.classes if c.subtypes_tag is not None and not c.inline}
    lines = []
    for pointer, (_, mapping) in bases.items():
        if pointer not in decoding:
            continue
        entries = [
            Atom(f"{black_str(tag)}: {classes[target]}")
            for tag, target in mapping.items()
            if target in classes
        ]
        lines.append(
            layout(
                Statement(
                    f"{classes[pointer]}._SUBTYPES = ", Brackets("{", entries, "}", collection=True)
                )
            )
            + "\n"
        )
    return code.rstrip("\n") + "\n\n\n" + "".join(lines) if lines else code


def _add_runtime_imports(code: str) -> str:
    """The templates use names dcg does not know to import; the import block comes out sorted and
    merged as isort would leave it."""
    marker = "from __future__ import annotations\n"
    words = set(re.findall(r"\w+", code))  # one pass, whatever the size of the module
    used = [name for name in CODEC_NAMES if name in words]
    imports = RUNTIME_IMPORTS + ("from ._codec import " + ", ".join(used) + "\n" if used else "")
    if "Literal" in words:  # open_enums' hints
        imports += "from typing import Literal\n"
    if marker not in code:
        return imports + code
    head, rest = code.split(marker, 1)
    end = _IMPORT_LINES.match(rest).end()  # type: ignore[union-attr]  # it matches the empty string
    block = sorted_imports([line for line in (imports + rest[:end]).split("\n") if line])
    if block is None:
        return head + marker + imports + rest
    return head + marker + "\n" + block + "\n\n" + rest[end:]


_IMPORT_LINES = re.compile(r"(?:(?:from|import) [^\n]*\n|\n)*")
