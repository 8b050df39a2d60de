"""Describe the spec's operations as plain data for the endpoint templates (and for diff and mock)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from specbind.codegen.constraints import Table
from specbind.codegen.layout import string
from specbind.codegen.names import snake_case, unique
from specbind.spec.document import (
    METHODS,
    deref,
    resolve_pointer,
    security_requirements,
    security_schemes,
)
from specbind.spec.problems import parts_of, pointer_of

IDEMPOTENT = {"get", "head", "put", "delete", "options", "trace"}
_PATH = re.compile(r"(?:[^{}\x00-\x1f\x7f]|\{[^{}\x00-\x1f\x7f]+\})*")  # a URL path template
# Parameter names an operation's function or method uses itself (its other parameters, the modules and
# helpers its body calls): a spec parameter of such a name gets a trailing `_`.
RESERVED = {"self", "body", "timeout", "max_retries", "destination", "extra_headers", "spec"}
RESERVED |= {"extra_query", "operations", "to_wire", "error_for", "httpx", "_http", "RequestSpec"}
# Names an operation cannot take: the members of Client and AsyncClient, and what the operations module
# binds besides its functions (each operation `NAME` also has `read_NAME` and may have `NAME_to_file`).
TAKEN_BY_CLIENT = {"base_url", "timeout", "retry_policy", "validate_requests", "close", "send"}
TAKEN_BY_CLIENT |= {"send_to_file", "annotations", "date", "datetime", "httpx", "to_wire"}
TAKEN_BY_CLIENT |= {"error_for", "with_options", "with_raw_response", "with_streaming_response"}
TAKEN_BY_CLIENT |= {"max_body_size", "max_download_size"}


@dataclass(frozen=True)
class Parameter:
    name: str  # Python name
    wire_name: str
    location: str  # path, query, header, cookie
    required: bool
    type_hint: str
    encode: str  # how the value becomes text: "str", "uuid", "datetime", "enum", "bool", "list"
    description: str = ""
    default: str | None = None  # Python literal
    explode: bool = True
    style: str = "form"


@dataclass(frozen=True)
class Body:
    content_type: str
    type_hint: str
    kind: str  # model, json, form, multipart, binary, text
    required: bool
    description: str = ""
    model: str | None = None
    checks: str | None = (
        None  # key of the body's schema in Api.checks, when it has something to check
    )


@dataclass(frozen=True)
class Response:
    status: str  # '200', '2XX', 'default'
    description: str
    content_type: str | None
    kind: str  # model, json, binary, text, empty
    type_hint: str
    model: str | None = None
    decoder: str | None = None  # `Model.from_dict` or `decode_Alias` for kind "model"


@dataclass(frozen=True)
class Operation:
    name: str
    operation_id: str | None
    method: str
    path: str
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    body: Body | None
    responses: tuple[Response, ...]
    idempotent: bool
    deprecated: bool = False
    accept: tuple[str, ...] = ()  # every media type the responses declare, for the Accept header

    @property
    def binary(self) -> bool:
        """Whether a success response is a file (then the client also gets a streaming variant)."""
        return any(r.kind == "binary" for r in self.success)

    @property
    def success(self) -> tuple[Response, ...]:
        return tuple(r for r in self.responses if r.status.startswith("2"))

    @property
    def problems(self) -> tuple[tuple[str, str], ...]:
        """(status key, decoder) of the error responses whose body has a model: '404', '4XX', 'default'."""
        return tuple(
            (r.status.upper() if r.status[1:].lower() == "xx" else r.status, r.decoder)
            for r in self.responses
            if not r.status.startswith("2") and r.kind == "model" and r.decoder
        )

    @property
    def result_hint(self) -> str:
        hints = []
        for response in self.success:
            if response.type_hint not in hints:
                hints.append(response.type_hint)
        return " | ".join(hints) if hints else "None"


@dataclass(frozen=True)
class Security:
    kind: str  # apiKey-header, apiKey-query, apiKey-cookie, bearer, basic, oauth2-cc
    name: str  # header/query/cookie name
    scheme: str  # securitySchemes key
    description: str = ""
    token_url: str = ""  # oauth2-cc: where the token comes from
    scopes: tuple[str, ...] = ()  # oauth2-cc: the scopes the flow declares


@dataclass(frozen=True)
class Webhook:
    """A request the API sends to the user: an event name and the schema of its JSON body."""

    name: str  # Python name of the parse function's suffix: parse_<name>
    event: str
    type_hint: str
    model: str | None
    description: str = ""


@dataclass
class Api:
    title: str
    version: str
    description: str
    base_url: str
    security: list[Security]
    operations: list[Operation]
    models: dict[str, str] = field(default_factory=dict)  # schema pointer -> class name
    # pruned request body schemas by pointer
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    webhooks: list[Webhook] = field(default_factory=list)
    # (pointer, why) of operations left out
    skipped: list[tuple[str, str]] = field(default_factory=list)
    security_required: bool = False  # every operation requires a credential
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (pointer, what and why)

    @property
    def error_bodies(self) -> list[tuple[str, str]]:
        """(type hint, decoder) of every error response body with a model, once each, in spec
        order: the type of `ApiStatusError.problem` (none: RFC 7807 `ProblemDetails`)."""
        found: dict[str, str] = {}
        for op in self.operations:
            for r in op.responses:
                if not r.status.startswith("2") and r.kind == "model" and r.decoder:
                    found.setdefault(r.type_hint, r.decoder)
        return list(found.items())


def describe(
    document: dict[str, Any],
    models: dict[str, str],
    idempotent_ids: set[str] = frozenset(),  # type: ignore[assignment]
    aliases: dict[str, str] | None = None,
) -> Api:
    """The API as plain data: its operations, auth and base URL.

    `models` maps schema pointers to classes; `aliases` to type aliases (value `decode_NAME` when
    the alias has a decoder)."""
    info = _mapping(document.get("info"))
    typer = _Types(document, models, aliases or {})
    table = Table(document)
    operations: list[Operation] = []
    skipped: list[tuple[str, str]] = []
    renamed: list[tuple[str, str]] = []
    taken: set[str] = set()
    for path, item in _mapping(document.get("paths")).items():
        if not isinstance(item, dict):
            continue
        item = deref(document, item, strict=True)
        if not _PATH.fullmatch(path):  # validation says why; --lenient goes on without it
            skipped.append(
                (pointer_of(("paths", path)), f"dropped path {path!r}: not a URL template")
            )
            continue
        shared = item.get("parameters", []) or []
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            at = ("paths", path, method)
            op_id = op.get("operationId") if isinstance(op.get("operationId"), str) else None
            try:
                params = _parameters(document, typer, shared, op.get("parameters", []) or [], at)
                body = _body(document, typer, table, op.get("requestBody"), at + ("requestBody",))
                responses = _responses(
                    document, typer, op.get("responses", {}) or {}, at + ("responses",)
                )
            except (
                TypeError,
                AttributeError,
                KeyError,
                ValueError,
            ) as exc:  # only a spec that failed validation
                skipped.append(
                    (
                        pointer_of(at),
                        f"dropped operation {method.upper()} {path}: it cannot be "
                        f"described ({type(exc).__name__}: {exc})",
                    )
                )
                continue
            base = snake_case(op_id) if op_id else snake_case(f"{method} {path}")
            binary = any(r.kind == "binary" and r.status.startswith("2") for r in responses)
            first = unique(base, taken)
            name = _operation_name(first, binary, taken)
            if name != base:
                renamed.append(
                    (
                        pointer_of(at + (("operationId",) if op_id else ())),
                        f"operation {method.upper()} {path} becomes method {name!r}: "
                        f"{base!r} is taken by another operation or the generated code",
                    )
                )
            params = _without(params, f"read_{name}")
            for p in params:
                if p.name != snake_case(p.wire_name):
                    renamed.append(
                        (
                            pointer_of(at),
                            f"{p.location} parameter {p.wire_name!r} becomes argument {p.name!r}: "
                            f"{snake_case(p.wire_name)!r} is taken in {name}()",
                        )
                    )
            operations.append(
                Operation(
                    name=name,
                    operation_id=op_id,
                    method=method.upper(),
                    path=path,
                    summary=str(op.get("summary", "") or ""),
                    description=str(op.get("description", "") or ""),
                    tags=(
                        tuple(str(t) for t in op["tags"])
                        if isinstance(op.get("tags"), list)
                        else ()
                    ),
                    parameters=params,
                    body=body,
                    responses=responses,
                    idempotent=method in IDEMPOTENT
                    or bool(op.get("x-idempotent"))
                    or (op_id or name) in idempotent_ids,
                    deprecated=bool(op.get("deprecated")),
                    accept=_accept(document, op.get("responses", {}) or {}),
                )
            )
    return Api(
        title=str(info.get("title", "") or ""),
        version=str(info.get("version", "") or ""),
        description=str(info.get("description", "") or ""),
        base_url=base_url(document),
        security=_security(document),
        operations=operations,
        models={**models, **typer.aliases},
        skipped=skipped,
        checks=table.schemas,
        security_required=_security_required(document),
        renamed=renamed,
    )


def _names_of(name: str, binary: bool) -> set[str]:
    """What an operation named `name` defines: its method, its response reader, its download variant."""
    return {name, f"read_{name}"} | ({f"{name}_to_file"} if binary else set())


def _operation_name(name: str, binary: bool, taken: set[str]) -> str:
    """`name`, with a `_` appended until neither it nor what comes with it (`_names_of`) clashes
    with a member of the clients, a name of the operations module or an earlier operation; records it.
    """
    taken.discard(name)  # `unique` recorded it; recorded again below with what comes with it
    while name in TAKEN_BY_CLIENT or _names_of(name, binary) & taken:
        name += "_"
    taken.update(_names_of(name, binary))
    return name


def _without(params: tuple[Parameter, ...], name: str) -> tuple[Parameter, ...]:
    """The parameters, none of them named `name` (the function's body uses that name)."""
    return tuple(replace(p, name=p.name + "_") if p.name == name else p for p in params)


def describe_webhooks(
    document: dict[str, Any], models: dict[str, str], configured: dict[str, str]
) -> list[Webhook]:
    """The payloads the API POSTs to the user: 3.1's top-level `webhooks`, else the configured event -> schema names.

    Raises ValueError naming a configured schema that `components/schemas` does not have.
    """
    typer = _Types(document, models, {})
    found: list[Webhook] = []
    taken: set[str] = set()
    for event, item in (document.get("webhooks") or {}).items():
        item = deref(document, item, strict=True)
        if not isinstance(item, dict):
            continue
        op = item.get("post") or next(
            (item[m] for m in METHODS if isinstance(item.get(m), dict)), None
        )
        body = deref(document, (op or {}).get("requestBody"), strict=True)
        content = (body or {}).get("content") or {}
        media_type = next((c for c in content if "json" in c), None)
        if media_type is None:
            continue
        method = (
            "post"
            if item.get("post")
            else next(m for m in METHODS if isinstance(item.get(m), dict))
        )
        at = ("webhooks", event, method, "requestBody", "content", media_type, "schema")
        hint, model = typer.hint((content[media_type] or {}).get("schema", {}), at)
        text = str(
            (op or {}).get("summary")
            or (op or {}).get("description")
            or (body or {}).get("description")
            or ""
        )
        found.append(Webhook(unique(snake_case(str(event)), taken), str(event), hint, model, text))
    for event, schema in configured.items():
        pointer = "#/components/schemas/" + schema.replace("~", "~0").replace("/", "~1")
        if pointer not in models:
            raise ValueError(f"webhook {event!r}: no schema named {schema!r} in components/schemas")
        description = str((resolve_pointer(document, pointer) or {}).get("description", "") or "")
        found.append(
            Webhook(
                unique(snake_case(event), taken),
                event,
                models[pointer],
                models[pointer],
                description,
            )
        )
    return found


def _mapping(value: Any) -> dict[str, Any]:
    """`value` when it is a mapping; an empty one otherwise (a spec that failed validation, kept by --lenient)."""
    return value if isinstance(value, dict) else {}


def base_url(document: dict[str, Any]) -> str:
    """The first server's URL with its variables at their defaults; '' without servers."""
    servers = document.get("servers") or []
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ""
    url = str(servers[0].get("url", ""))
    for var, spec in _mapping(servers[0].get("variables")).items():
        url = url.replace("{" + var + "}", str(_mapping(spec).get("default", "")))
    return url.rstrip("/")


def _security(document: dict[str, Any]) -> list[Security]:
    """The schemes the document's security requirements name (every scheme when it names none)."""
    schemes = security_schemes(document)
    used = list(dict.fromkeys(key for alt in security_requirements(document) for key in alt))
    found = []
    for key in used or list(schemes):
        scheme = schemes.get(key)
        if scheme is None:
            continue
        if scheme.type == "apiKey":
            kind, name = f"apiKey-{scheme.location or 'header'}", scheme.name
        elif scheme.type == "http" and scheme.http_scheme in ("bearer", "basic"):
            kind, name = scheme.http_scheme, "Authorization"
        elif scheme.type == "oauth2" and scheme.client_credentials:
            found.append(
                Security(
                    "oauth2-cc",
                    "Authorization",
                    key,
                    scheme.description,
                    scheme.token_url,
                    scheme.scopes,
                )
            )
            continue
        elif scheme.type in ("oauth2", "openIdConnect"):
            kind, name = "bearer", "Authorization"
        else:
            continue
        found.append(Security(kind, name, key, scheme.description))
    return found


def _security_required(document: dict[str, Any]) -> bool:
    """Whether every operation needs a credential: its requirements (or the document's) are a
    non-empty list without the empty requirement `{}` that makes one optional."""
    found = False
    for item in _mapping(document.get("paths")).values():
        for method in METHODS:
            op = _mapping(item).get(method)
            if not isinstance(op, dict):
                continue
            requirements = security_requirements(document, op)
            if not requirements:
                return False
            if any(not requirement for requirement in requirements):
                return False
            found = True
    return found


class _Types:
    """Python type hints for schemas, naming generated model classes where there is one."""

    def __init__(
        self, document: dict[str, Any], models: dict[str, str], aliases: dict[str, str]
    ) -> None:
        self.document = document
        self.models = models
        self.aliases = {p: a.removeprefix("decode_") for p, a in aliases.items()}
        self.decoders = {
            a.removeprefix("decode_"): a for a in aliases.values() if a.startswith("decode_")
        }

    def hint(self, schema: Any, at: tuple[Any, ...]) -> tuple[str, str | None]:
        """(type hint, model class or None)."""
        pointer = pointer_of(at)
        if pointer in self.models:
            return self.models[pointer], self.models[pointer]
        if pointer in self.aliases:
            return self.aliases[pointer], None
        if not isinstance(schema, dict):
            return "Any", None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            if ref in self.models:
                return self.models[ref], self.models[ref]
            if ref in self.aliases:
                return self.aliases[ref], None
            target = deref(self.document, schema, strict=True)
            return self.hint(target, tuple(parts_of(ref)))
        for combiner in ("allOf", "oneOf", "anyOf"):
            subs = schema.get(combiner)
            if isinstance(subs, list) and len(subs) == 1:
                return self.hint(subs[0], at + (combiner, 0))
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            kind = kinds[0] if len(kinds) == 1 else None
        fmt = schema.get("format")
        if kind == "string":
            if fmt == "binary":
                return "bytes", None
            return {"uuid": "UUID", "date-time": "datetime", "date": "date"}.get(
                str(fmt), "str"
            ), None
        if kind == "integer":
            return "int", None
        if kind == "number":
            return "float", None
        if kind == "boolean":
            return "bool", None
        if kind == "array":
            inner, _ = self.hint(schema.get("items", {}), at + ("items",))
            return f"list[{inner}]", None
        if kind == "object" or "properties" in schema or "additionalProperties" in schema:
            return "dict[str, Any]", None
        return "Any", None

    def list_decoder(self, schema: Any, at: tuple[Any, ...]) -> str | None:
        """`list_of(DECODER)` for an unnamed array whose items need decoding (model classes, type
        aliases with a decoder, such arrays again), else None."""
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in self.models or ref in self.aliases:
                return None  # a named schema: its hint is its class or alias
            target = deref(self.document, schema, strict=True)
            return self.list_decoder(target, tuple(parts_of(ref)))
        if not isinstance(schema, dict) or schema.get("type") != "array":
            return None
        items = schema.get("items", {})
        hint, model = self.hint(items, at + ("items",))
        inner: str | None
        target = deref(self.document, items)
        if model is not None and not (isinstance(target, dict) and "enum" in target):
            inner = f"{model}.from_dict"
        elif hint in self.decoders:
            inner = self.decoders[hint]
        else:
            inner = self.list_decoder(items, at + ("items",))
        return f"list_of({inner})" if inner else None


def _with_enum_values(hint: str, model: str | None, schema: Any) -> str:
    """`E | Literal[values]` for a parameter typed with an enum class `E`: the plain strings of its
    values type-check too (as for model members, see codegen.models.open_enums)."""
    values = schema.get("enum") if isinstance(schema, dict) else None
    if model is None or hint != model or not isinstance(values, list) or not values:
        return hint
    if any(isinstance(v, bool) or not isinstance(v, (str, int)) for v in values):
        return hint
    return f"{hint} | Literal[{', '.join(string(v) if isinstance(v, str) else str(v) for v in values)}]"


def _encoding(hint: str) -> str:
    if hint.startswith("list["):
        return "list"
    return {"UUID": "str", "datetime": "datetime", "date": "isoformat", "bool": "bool"}.get(
        hint, "str"
    )


def _parameters(
    document: dict[str, Any], typer: _Types, shared: list[Any], own: list[Any], at: tuple[Any, ...]
) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], tuple[dict[str, Any], tuple[Any, ...]]] = {}
    for i, raw in enumerate(shared):
        param = deref(document, raw, strict=True)
        if isinstance(param, dict):
            merged[(param.get("in", ""), param.get("name", ""))] = (
                param,
                at[:2] + ("parameters", i),
            )
    for i, raw in enumerate(own):
        param = deref(document, raw, strict=True)
        if isinstance(param, dict):
            merged[(param.get("in", ""), param.get("name", ""))] = (param, at + ("parameters", i))
    taken = set(RESERVED)
    result = []
    for (location, wire), (param, where) in merged.items():
        if location not in ("path", "query", "header", "cookie"):
            continue
        schema = param.get("schema", {})
        hint, model = typer.hint(schema, where + ("schema",))
        required = bool(param.get("required")) or location == "path"
        default = schema.get("default") if isinstance(schema, dict) else None
        result.append(
            Parameter(
                name=unique(_python_name(str(wire)), taken),
                wire_name=str(wire),
                location=location,
                required=required,
                type_hint=_with_enum_values(hint, model, deref(document, schema)),
                encode=_encoding(hint),
                description=str(param.get("description", "") or ""),
                default=repr(default) if default is not None and not required else None,
                explode=bool(param.get("explode", param.get("style", "form") == "form")),
                style=str(
                    param.get("style", "simple" if location in ("path", "header") else "form")
                ),
            )
        )
    # required first, so the signature reads naturally
    result.sort(key=lambda p: (not p.required, p.location != "path"))
    return tuple(result)


def _python_name(wire: str) -> str:
    name = snake_case(wire)
    return name + "_" if name in RESERVED else name


def _kind_of(content_type: str, hint: str, model: str | None) -> str:
    base = content_type.split(";")[0].strip().lower()
    if base == "application/x-www-form-urlencoded":
        return "form"
    if base.startswith("multipart/"):
        return "multipart"
    if base == "application/json" or base.endswith("+json"):
        return "model" if model else "json"
    if hint == "bytes" or base == "application/octet-stream" or "*" in base:
        return "binary"
    if base.startswith("text/"):
        return "text"
    return "binary"


def _body(
    document: dict[str, Any], typer: _Types, table: Table, raw: Any, at: tuple[Any, ...]
) -> Body | None:
    body = deref(document, raw, strict=True)
    if not isinstance(body, dict):
        return None
    content = body.get("content") or {}
    if not content:
        return None
    content_type = next(
        (c for c in content if c.split(";")[0].strip() == "application/json"), next(iter(content))
    )
    media = content[content_type] or {}
    hint, model = typer.hint(media.get("schema", {}), at + ("content", content_type, "schema"))
    kind = _kind_of(content_type, hint, model)
    if kind == "binary":
        hint = "bytes"
    elif kind == "text":
        hint = "str"
    checks = (
        table.add(media.get("schema"), pointer_of(at + ("content", content_type, "schema")))
        if kind in ("model", "json")
        else None
    )
    return Body(
        content_type,
        hint,
        kind,
        bool(body.get("required")),
        str(body.get("description", "") or ""),
        model,
        checks,
    )


def _accept(document: dict[str, Any], responses: dict[str, Any]) -> tuple[str, ...]:
    """The media types an operation's responses declare, in spec order (wildcards such as `audio/*` included)."""
    found: list[str] = []
    for value in responses.values():
        response = deref(document, value, strict=True)
        if isinstance(response, dict):
            for media_type in response.get("content") or {}:
                if str(media_type) not in found:
                    found.append(str(media_type))
    return tuple(found)


def _responses(
    document: dict[str, Any], typer: _Types, raw: dict[str, Any], at: tuple[Any, ...]
) -> tuple[Response, ...]:
    result = []
    for status, value in raw.items():
        response = deref(document, value, strict=True)
        if not isinstance(response, dict):
            continue
        status = str(status)
        content = response.get("content") or {}
        description = str(response.get("description", "") or "")
        if not content:
            result.append(Response(status, description, None, "empty", "None"))
            continue
        content_type = next((c for c in content if "json" in c), next(iter(content)))
        media = content[content_type] or {}
        hint, model = typer.hint(
            media.get("schema", {}), at + (status, "content", content_type, "schema")
        )
        kind = _kind_of(content_type, hint, model)
        decoder = f"{model}.from_dict" if kind == "model" else None
        if kind == "json" and hint in typer.decoders:
            kind, decoder = "model", typer.decoders[hint]
        elif kind == "json":  # a list of models is decoded too, item by item
            schema_at = at + (status, "content", content_type, "schema")
            decoder = typer.list_decoder(media.get("schema", {}), schema_at)
            kind = "model" if decoder else kind
        if kind == "binary":
            hint = "BinaryContent"
        elif kind == "text":
            hint = "str"
        result.append(Response(status, description, content_type, kind, hint, model, decoder))
    return tuple(result)


def path_template(path: str, params: tuple[Parameter, ...]) -> str:
    """`/messages/{message-id}` -> `/messages/{message_id}` using the parameters' Python names."""
    names = {p.wire_name: p.name for p in params if p.location == "path"}
    return re.sub(
        r"\{([^}]+)\}", lambda m: "{" + names.get(m.group(1), snake_case(m.group(1))) + "}", path
    )
