"""The public Python surface a spec generates: client methods and model classes, as plain data.

Methods come from the same operation data generation renders (generate.describe_generated), models
from the same model of the schemas the `models` module is rendered from (codegen/schema_model.py:
class names, fields with their type hints and whether they are required, enum members), so the
surface is what user code actually sees, names and all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from specbind.codegen.options import Options
from specbind.codegen.schema_model import Schemas


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
    schemas = generate_models(modelled, "").schemas  # as generate() models it
    api = describe_generated(spec.document, schemas, options)  # what generation renders
    methods = {}
    for op in api.operations:
        params = {p.name: Param(p.name, p.type_hint, p.required, p.location) for p in op.parameters}
        if op.body is not None:
            params["body"] = Param("body", op.body.type_hint, op.body.required, "body")
        methods[op.name] = Method(
            op.name, f"{op.method} {op.path}", op.operation_id, params, op.result_hint
        )
    return Surface(methods, models_of(schemas))


def models_of(schemas: Schemas) -> dict[str, Model]:
    """Every class of a generated models module: dataclass fields or enum members."""
    models = {}
    for c in schemas.classes:
        if c.kind == "enum":
            models[c.name] = Model(c.name, c.pointer, "enum", members=dict(c.members))
        elif c.kind == "object":
            fields = {f.attribute: Field(f.attribute, f.type_hint, f.required) for f in c.fields}
            models[c.name] = Model(c.name, c.pointer, "dataclass", fields=fields)
    return models
