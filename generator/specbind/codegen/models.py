"""Stage 3 — models: dataclasses from the spec's schemas, via datamodel-code-generator.

The templates under `templates/models/` add what plain dataclasses lack: wire names,
nested decoding and encoding, extra members, and presence tracking for lossless round-trips.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from specbind.codegen.layout import (
    Atom,
    Brackets,
    Statement,
    black_line,
    black_statement,
    black_str,
    layout,
    requote,
    requote_all,
    sorted_imports,
)
from specbind.codegen.paths import compiled_templates, template_dir
from specbind.spec.problems import Problem, SpecError

# Options that shape the generated code; part of the generation's provenance.
MODEL_OPTIONS: dict[str, Any] = {
    "snake_case_field": True,
    "use_standard_primitive_types": True,
    "keyword_only": True,
    "use_schema_description": True,
    "use_field_description": True,
    "field_constraints": True,
    "use_union_operator": True,
    "use_standard_collections": True,
    "capitalise_enum_members": False,
    "strict_nullable": True,
    "use_title_as_name": False,
}

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


def generate_models(document: dict[str, Any], header: str) -> str:
    """Source of the `models` module for a bundled spec (unformatted; the format stage runs later)."""
    from datamodel_code_generator import (
        DatetimeClassType,
        InputFileType,
        PythonVersion,
        generate,
    )
    from datamodel_code_generator.enums import DataModelType

    _keep_compiled_templates()
    mark = splice_mark(document)
    layout = {
        "black_str": black_str,
        "black_line": black_line,
        "black_statement": black_statement,
        "requote": requote,
        "requote_all": requote_all,
        "open_enums": open_enums,
        "annotation": annotation,
    }
    template_data: defaultdict[str, dict[str, Any]] = defaultdict(
        dict, {"#all#": {"splice_mark": mark, **layout}}
    )
    subtypes = polymorphic_bases(document)
    for pointer, (tag, _) in subtypes.items():
        template_data[pointer]["subtypes_tag"] = tag
    try:
        with (
            warnings.catch_warnings()
        ):  # dcg's advice on a spec without schemas does not apply here
            warnings.simplefilter("ignore", UserWarning)
            code = generate(
                document,
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
    except (
        Exception
    ) as exc:  # a spec the validator let through (or --lenient kept) that dcg cannot model
        if "Models not found" in str(exc):  # a spec without schemas: a models module with no models
            return _add_runtime_imports(
                header
                + '"""This API declares no schemas."""\n\nfrom __future__ import annotations\n'
            )
        message = " ".join(str(exc).split())[:300]
        raise SpecError(
            [
                Problem(
                    Path("<models>"), f"cannot generate the models: {type(exc).__name__}: {message}"
                )
            ]
        ) from None
    assert isinstance(code, str)
    code = _add_runtime_imports(_register_subtypes(inherit_codecs(code, mark), subtypes))
    return _with_docstring_and_all(code)


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
    lays it out: in parentheses, on one line if it fits, else one `|` member per line."""
    tail = f" = {default}" if default else ""
    line = f"    {name}: {hint}{tail}"
    if len(line) <= 100:
        return line
    if 8 + len(hint) <= 100:
        return f"    {name}: (\n        {hint}\n    ){tail}"
    members = _top_level_members(hint)
    if len(members) < 2 or any(10 + len(m) > 100 for m in members):
        return line  # black, which formats every module, lays it out
    body = "\n        | ".join(members)
    return f"    {name}: (\n        {body}\n    ){tail}"


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
_PUBLIC = re.compile(r"^(?:class (\w+)\b|(\w+): TypeAlias\b|def (decode_\w+)\()", re.MULTILINE)


def _with_docstring_and_all(code: str) -> str:
    """A module docstring after the header comment, and `__all__` (every class, alias and decoder) last."""
    marker = "from __future__ import annotations\n"
    if marker in code:
        head, rest = code.split(marker, 1)
        code = head + MODELS_DOCSTRING + marker + rest
    names = sorted(
        {next(n for n in m.groups() if n) for m in _PUBLIC.finditer(code)}, key=str.lower
    )
    names = [n for n in names if not n.startswith("_")]
    entries: list[Atom | Brackets] = [Atom(black_str(name)) for name in names]
    listing = layout(Statement("__all__ = ", Brackets("[", entries, "]", collection=True)))
    return code.rstrip("\n") + "\n\n\n" + listing + "\n"


def _keep_compiled_templates() -> None:
    """Let datamodel-code-generator's Jinja2 environments reuse our compiled templates (as the package
    templates do): it builds them in one private function, which is wrapped once if it is there."""
    from datamodel_code_generator.model import base

    build = getattr(base, "_build_environment", None)
    if build is None or getattr(build, "specbind_wrapped", False):
        return

    def build_with_cache(*args: Any, **kwargs: Any) -> Any:
        env = build(*args, **kwargs)
        env.bytecode_cache = compiled_templates()
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


def _register_subtypes(code: str, bases: dict[str, tuple[str, dict[str, str]]]) -> str:
    """`Base._SUBTYPES = {...}` lines at the end of the module, once every class exists."""
    classes = model_classes(code)
    lines = []
    for pointer, (_, mapping) in bases.items():
        base = classes.get(pointer)
        if base is None or f"_SUBTYPES: ClassVar[dict[Any, type[{base}]]]" not in code:
            continue
        entries = [
            Atom(f"{black_str(tag)}: {classes[target]}")
            for tag, target in mapping.items()
            if target in classes
        ]
        lines.append(
            layout(Statement(f"{base}._SUBTYPES = ", Brackets("{", entries, "}", collection=True)))
            + "\n"
        )
    return code.rstrip("\n") + "\n\n\n" + "".join(lines) if lines else code


_SPEC_COMMENT = re.compile(r"^# spec: (.+)\n(?:@[^\n]*\n)*class (\w+)", re.MULTILINE)


def model_classes(models_code: str) -> dict[str, str]:
    """Schema pointer -> generated class name, read from the `# spec:` line above each class."""
    return {
        comment_text(m.group(1)): m.group(2)
        for m in _SPEC_COMMENT.finditer(models_code)
        if "#-" not in m.group(1)
    }


_COMMENT_ESCAPES = {"\\": "\\", "r": "\r", "n": "\n", "x00": "\x00", "x0b": "\x0b", "x0c": "\x0c"}


def comment_text(text: str) -> str:
    """The text a `# spec:` comment holds (the templates escape what could end the comment)."""
    return re.sub(r"\\(\\|r|n|x00|x0b|x0c)", lambda m: _COMMENT_ESCAPES[m.group(1)], text)


_ALIAS = re.compile(r"^# spec: (.+)\n(\w+): TypeAlias", re.MULTILINE)


def model_aliases(code: str) -> dict[str, str]:
    """Schema pointer -> type alias name (oneOf/anyOf, maps, nullable enums), read from the models code.
    The value is `decode_NAME` when the alias has a decoder (its values need decoding), else NAME.
    """
    return {
        comment_text(pointer): f"decode_{name}" if f"\ndef decode_{name}(" in code else name
        for pointer, name in _ALIAS.findall(code)
        if "#-" not in pointer
    }


def splice_mark(document: dict[str, Any]) -> str:
    """The marker of the template's splice lines (`#MARKdecode CLASS BASES`, `#MARKfield ATTR`,
    `#MARKend`): a hash of the spec, so that no text in the spec can forge one."""
    digest = hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()
    return f"@{digest[:16]}@"


def inherit_codecs(code: str, mark: str) -> str:
    """Give each subclass the decoding and encoding lines of its bases' members, so that its
    `from_dict`/`to_dict` stay straight-line code over every member (the templates only see a
    class's own fields). A member the subclass redeclares replaces the inherited one in place.
    `from_dict` sets every dataclass field itself (it does not call `__init__`): a base's extra-members
    field (`#MARKextra NAME`) starts empty in a subclass that does not declare it (one that forbids
    undeclared members), as the dataclass default would have it."""
    block = re.compile(
        rf"^[ \t]*#{mark}(decode|encode) (\w+) ?([\w,]*)\n(.*?)^[ \t]*#{mark}end\n",
        re.MULTILINE | re.DOTALL,
    )
    field_mark = re.compile(rf"^[ \t]*#{mark}(field|extra) (\w+)\n", re.MULTILINE)
    own: dict[tuple[str, str], dict[str, tuple[str, str]]] = {}
    bases: dict[str, list[str]] = {}
    for match in block.finditer(code):
        section, name, parents = match.group(1), match.group(2), match.group(3)
        bases[name] = [p for p in parents.split(",") if p]
        own[(section, name)] = _fields_of(match.group(4), field_mark)

    def members(section: str, name: str, seen: tuple[str, ...] = ()) -> dict[str, tuple[str, str]]:
        merged: dict[str, tuple[str, str]] = {}
        for parent in bases.get(name, []):
            if parent not in seen and (section, parent) in own:
                merged.update(members(section, parent, seen + (name,)))
        for attr, (kind, text) in merged.items():
            if kind == "extra":
                indent = text[: len(text) - len(text.lstrip())]
                merged[attr] = ("field", f"{indent}obj.{attr} = {{}}\n")
        merged.update(own.get((section, name), {}))
        return merged

    def replace(match: re.Match[str]) -> str:
        return "".join(text for _, text in members(match.group(1), match.group(2)).values())

    overrides = {
        name: {attr for parent in parents for attr in members("decode", parent)}
        & set(own.get(("decode", name), {}))
        for name, parents in bases.items()
        if parents
    }
    return _allow_narrowed_overrides(block.sub(replace, code), overrides, bases)


_CLASS = re.compile(r"^class (\w+)\b[^\n]*:\n(.*?)(?=^# spec: |\Z)", re.MULTILINE | re.DOTALL)
_DECLARATION = re.compile(r"^    (\w+): ([^=\n]+?)(?: = [^\n]*)?$", re.MULTILINE)


def _allow_narrowed_overrides(
    code: str, overrides: dict[str, set[str]], bases: dict[str, list[str]]
) -> str:
    """A subclass (allOf) may restate a member of its base with another type (a narrower enum, a
    list of a subclass); both constraints hold on the wire, which Python types cannot say. Such a
    declaration gets a `type: ignore` for mypy's override check (harmless where mypy accepts it)."""
    if not any(overrides.values()):
        return code
    annotations = {
        match.group(1): {d.group(1): d.group(2) for d in _DECLARATION.finditer(match.group(2))}
        for match in _CLASS.finditer(code)
    }

    def inherited(name: str, attr: str, seen: tuple[str, ...] = ()) -> str | None:
        for parent in bases.get(name, []):
            if parent in seen:
                continue
            found = annotations.get(parent, {}).get(attr) or inherited(parent, attr, seen + (name,))
            if found:
                return found
        return None

    def patch(match: re.Match[str]) -> str:
        name, body = match.group(1), match.group(2)
        for attr in sorted(overrides.get(name, ())):
            own, base = annotations.get(name, {}).get(attr), inherited(name, attr)
            if (
                own and base and own != base and not own.startswith("Literal[")
            ):  # mypy accepts a Literal narrowing
                body = re.sub(
                    rf"^(    {attr}: [^\n]*?)$",
                    r"\1  # type: ignore[assignment, unused-ignore]",
                    body,
                    count=1,
                    flags=re.MULTILINE,
                )
        return match.group(0)[: match.start(2) - match.start(0)] + body

    return _CLASS.sub(patch, code)


def _fields_of(block: str, field_mark: re.Pattern[str]) -> dict[str, tuple[str, str]]:
    """Attribute name -> (`field` or `extra`, its lines), from a block of `#MARKfield NAME` and
    `#MARKextra NAME` sections."""
    parts = field_mark.split(block)
    return {parts[i + 1]: (parts[i], parts[i + 2]) for i in range(1, len(parts) - 2, 3)}


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
