"""The public Python surface a spec generates: client methods and model classes, as plain data.

Methods come from the same operation data generation renders (generate.describe_generated); models from the generated `models` module, read with
`ast` (class names, fields with their type hints and whether they are required, enum members),
so the surface is what user code actually sees, names and all.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from specbind.codegen.options import Options
from specbind.codegen.text import comment_text


@dataclass(frozen=True)
class Param:
    name: str
    type_hint: str
    required: bool
    location: str  # path, query, header, cookie, body


@dataclass(frozen=True)
class Method:
    name: str
    http: str  # "GET /pets/{petId}"
    operation_id: str | None
    params: dict[str, Param]
    returns: str


@dataclass(frozen=True)
class Field:
    name: str
    type_hint: str
    required: bool


@dataclass(frozen=True)
class Model:
    name: str
    pointer: str  # where in the spec the class comes from
    kind: str  # "dataclass" or "enum"
    fields: dict[str, Field] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)  # enum member -> wire value


@dataclass
class Surface:
    methods: dict[str, Method]
    models: dict[str, Model]


def surface_of(spec_path: str | Path, options: Options | None = None) -> Surface:
    """Load, validate and generate (in memory, unformatted) just enough to read the API surface."""
    from specbind.codegen.generate import describe_generated
    from specbind.codegen.models import generate_models, usable_schemas
    from specbind.spec.load import load
    from specbind.spec.validate import check

    options = options or Options()
    spec = load(spec_path, options.ref_access())
    check(spec, lenient=options.lenient)
    modelled = usable_schemas(spec.document)[0] if options.lenient else spec.document
    code = generate_models(modelled, "")  # as generate() models it
    api = describe_generated(spec.document, code, options)  # what generation renders
    methods = {}
    for op in api.operations:
        params = {p.name: Param(p.name, p.type_hint, p.required, p.location) for p in op.parameters}
        if op.body is not None:
            params["body"] = Param("body", op.body.type_hint, op.body.required, "body")
        methods[op.name] = Method(
            op.name, f"{op.method} {op.path}", op.operation_id, params, op.result_hint
        )
    return Surface(methods, models_of(code))


def models_of(code: str) -> dict[str, Model]:
    """Every class of a generated models module: dataclass fields or enum members."""
    pointers = {}
    for line_no, line in enumerate(code.splitlines(), start=1):
        if line.startswith("# spec: "):
            pointers[line_no] = comment_text(line[len("# spec: ") :]).split("#-", 1)[0]
    models = {}
    for node in ast.parse(code).body:
        if not isinstance(node, ast.ClassDef):
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        pointer = pointers.get(first - 1, "")
        bases = {ast.unparse(b) for b in node.bases}
        if bases & {"Enum", "StrEnum", "IntEnum"}:
            models[node.name] = Model(node.name, pointer, "enum", members=_members(node))
        else:
            models[node.name] = Model(node.name, pointer, "dataclass", fields=_fields(node))
    return models


def _members(node: ast.ClassDef) -> dict[str, str]:
    members = {}
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and not target.id.startswith("_"):
                members[target.id] = ast.unparse(stmt.value)
    return members


# `E | Literal[...]`: an enum and the plain strings of its values (codegen.models.open_enums); the
# values are compared as the enum's members, so the hint compares as the enum alone.
_ENUM_VALUES = re.compile(r"\b(\w+) \| Literal\[[^\]]*\]")


def _fields(node: ast.ClassDef) -> dict[str, Field]:
    """The fields the schema declares: the keys of WIRE_NAMES when the class has it."""
    declared = _wire_names(node)
    fields = {}
    for stmt in node.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        name, hint = stmt.target.id, _ENUM_VALUES.sub(r"\1", ast.unparse(stmt.annotation))
        if hint.startswith("ClassVar") or name.startswith("_"):
            continue
        if declared is not None and name not in declared:
            continue
        fields[name] = Field(name, hint, required=stmt.value is None)
    return fields


def _wire_names(node: ast.ClassDef) -> set[str] | None:
    for stmt in node.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "WIRE_NAMES"
            and isinstance(stmt.value, ast.Dict)
        ):
            return {str(k.value) for k in stmt.value.keys if isinstance(k, ast.Constant)}
    return None
