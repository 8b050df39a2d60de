"""Stage 4 — endpoints: render the client package around the models from the Jinja2 templates."""

from __future__ import annotations

import hashlib
import pickle
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from specbind.codegen import cache
from specbind.codegen.guard import GuardedEnvironment, guard
from specbind.codegen.layout import (
    Atom,
    Brackets,
    Node,
    Statement,
    current_line_length,
    from_import,
    import_order,
    layout,
    name_key,
    string,
    value,
)
from specbind.codegen.names import snake_case, unique
from specbind.codegen.operations import Api, Operation, path_template
from specbind.codegen.paths import compiled_templates, runtime_dir, template_dir
from specbind.codegen.text import (
    SpecText,
    docstring,
    fstring_text,
    inline,
    string_literal,
    taint,
)

# The runtime modules: the same bytes in every generated package, copied from codegen/runtime/
# (real modules, type-checked and tested there); they can be formatted before the models exist.
RUNTIME_FILES = (
    "_auth.py",
    "_checks.py",
    "_codec.py",
    "_http.py",
    "_responses.py",
    "_retries.py",
    "_transport.py",
    "errors.py",
)
# generated file name -> template, for the modules made from the spec
API_FILES = {
    "__init__.py": "__init__.py.jinja2",
    "_schemas.py": "_schemas.py.jinja2",
    "operations.py": "operations.py.jinja2",
    "client.py": "client.py.jinja2",
    "webhooks.py": "webhooks.py.jinja2",
}
# The type of an error's body: made from the spec's error body models by this template, or, for a
# spec without any, the runtime module of the same name copied as it is (RFC 7807 ProblemDetails).
PROBLEM_FILE, PROBLEM_TEMPLATE = "_problem.py", "_problem.py.jinja2"
PACKAGE_FILES = set(RUNTIME_FILES) | set(API_FILES) | {PROBLEM_FILE}
# What the package's `__init__` exports of its own (the error body classes join them unless taken).
PACKAGE_NAMES = frozenset(
    "ApiConnectionError ApiError ApiResponseError ApiStatusError ApiTimeoutError AsyncClient "
    "AsyncStreamedResponse AuthenticationError BadRequestError BinaryContent Client ConflictError "
    "DecodeError ErrorBody InternalServerError MissingCredentialError NOT_GIVEN NotFoundError "
    "PermissionDeniedError RateLimitError RawResponse RequestSpec RequestValidationError "
    "RetryPolicy SavedContent StreamedResponse UnprocessableEntityError WebhookError".split()
)


def render_package(api: Api, package: str) -> dict[str, str]:
    """Source of every hand-written-looking module of the package (the models come from stage 3)."""
    return render_runtime() | render_api(api, package)


def render_runtime() -> dict[str, str]:
    """The runtime modules: codec helpers, errors, retries, HTTP plumbing and request checks."""
    return {name: _runtime_source(name) for name in RUNTIME_FILES}


@lru_cache(maxsize=None)
def _runtime_source(name: str) -> str:
    return (runtime_dir() / name).read_text(encoding="utf-8")


def render_api(api: Api, package: str) -> dict[str, str]:
    """The modules made from the spec's operations: client, operations, request checks, webhooks,
    and the type of an error's body (`_problem`)."""
    names = model_names(api)
    used = sorted({n for op in api.operations for n in _names_in(op) if n in names}, key=name_key)
    errors = error_body_names(api)
    # what an operation's blocks read besides the operation (the templates' own text and specbind's
    # code are in every cache key)
    blocks = OperationBlocks((package, current_line_length()), sorted(names))
    files = _render(
        API_FILES,
        api=taint(api),
        package=package,
        model_names=used,
        error_names=errors,
        exported=sorted(PACKAGE_NAMES),
        models_import=partial(models_import, names),
        block=blocks,
    )
    blocks.save()
    return files | render_problem(api)


class OperationBlocks:
    """What each operation adds to a module (`block(name, op, macro)` in the templates: its request
    builder and reader, its client methods), kept in the user cache between runs, so a change to one
    operation renders that one again and reuses the others. A block is found by its name, the
    operation's data and what else the blocks read (`reads`); the entry by the package and line
    length (`where`) and, through `cache.key`, specbind's code and templates. The entry is rewritten
    with the blocks of the last run only, so it does not grow."""

    def __init__(self, where: Any, reads: Any) -> None:
        self.entry = cache.key("operation-blocks", ("Jinja2",), where)
        self.reads = hashlib.sha256(pickle.dumps(reads, protocol=5)).hexdigest()
        stored = cache.read(self.entry)
        self.known: dict[str, str] = stored if isinstance(stored, dict) else {}
        self.used: dict[str, str] = {}

    def __call__(self, name: str, op: Operation, render: Callable[[Operation], str]) -> str:
        digest = hashlib.sha256(pickle.dumps(op, protocol=5))
        digest.update(self.reads.encode())
        key = f"{name}:{digest.hexdigest()}"
        text = self.used.get(key)
        if text is None:
            text = self.known.get(key)
        if text is None:
            text = str(render(op))
        self.used[key] = text
        return text

    def save(self) -> None:
        if self.used != self.known:
            cache.write(self.entry, self.used)


def model_names(api: Api) -> set[str]:
    """The names `models` defines that generated code uses: classes and alias decoders."""
    return set(api.models.values()) | {  # the alias decoders, alone or in a `list_of(...)`
        name
        for op in api.operations
        for r in op.responses
        for name in re.findall(r"\bdecode_\w+", r.decoder or "")
    }


def models_import(models: set[str], texts: Iterable[str | None], indent: int = 4) -> str:
    """`from .models import ...` at `indent` for the names of `models` that `texts` (decoders, type
    hints) use; '' for none. A function imports the classes it decodes into when it runs, so
    importing the package does not load `models`, its largest module."""
    used = {n for text in texts if text for n in _identifiers(text) if n in models}
    return from_import(".models", import_order(sorted(used)), indent) if used else ""


def render_problem(api: Api) -> dict[str, str]:
    """`_problem`: the spec's error body models where its error responses have any, else the
    runtime's RFC 7807 `ProblemDetails` (copied as it is)."""
    bodies = api.error_bodies
    if not bodies:
        return {PROBLEM_FILE: _runtime_source(PROBLEM_FILE)}
    hints = [hint for hint, _ in bodies]
    decoders = [decoder for _, decoder in bodies]
    names = {n for text in hints + decoders for n in _identifiers(text)}
    names -= {"from_dict", "None"}
    return _render(
        {PROBLEM_FILE: PROBLEM_TEMPLATE},
        hints=hints,
        decoders=decoders,
        names=sorted(names, key=name_key),
        models_import=partial(models_import, names),
    )


def error_body_names(api: Api) -> list[str]:
    """The spec's error body classes that the package exports beside its own names (the type of
    `ApiStatusError.problem`); `ProblemDetails` for a spec without any. A class whose name the
    package's own names take stays in `models` only."""
    bodies = api.error_bodies
    if not bodies:
        return ["ProblemDetails"]
    classes = {hint for hint, decoder in bodies if decoder == f"{hint}.from_dict"}
    return sorted(classes - PACKAGE_NAMES, key=name_key)


def _render(templates: dict[str, str], **context: Any) -> dict[str, str]:
    env = _environment()
    return {
        name: prune_imports(env.get_template(template).render(**context))
        for name, template in templates.items()
    }


@lru_cache(maxsize=1)
def _environment() -> GuardedEnvironment:
    env = GuardedEnvironment(
        loader=FileSystemLoader(str(template_dir() / "package")),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=compiled_templates("guarded"),
    )
    # Spec text gets into code only through the escaping filters (codegen/text.py) ...
    escaping = {
        "pystr": string_literal,
        "literal": literal,
        "docstring": docstring,
        "inline": inline,
        "path_expression": path_expression,
        "status_test": status_test,
        "agent_token": agent_token,
    }
    # ... and the helpers that write code in black's layout (codegen/layout.py) refuse it raw.
    writers = {
        "lay": layout,
        "call": call,
        "nested": nested,
        "statement": statement,
        "collection": collection,
        "signature": signature,
    }
    env.filters.update(escaping, import_order=import_order)
    env.globals.update(writers, params=params, args=args, keywords=keywords)
    env.globals.update(credentials=credentials, specbind_version=_specbind_version())
    guard(env, set(escaping), set(writers) | {"import_order"})
    return env


def agent_token(text: str) -> str:
    """Text as a User-Agent product version: characters outside a header token become `-`."""
    return re.sub(r"[^A-Za-z0-9.!#$%&'*+^_`|~-]+", "-", str(text)).strip("-") or "unknown"


def _specbind_version() -> str:
    """The installed specbind's version, for the generated User-Agent."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("specbind")
    except PackageNotFoundError:
        return "unknown"


def _names_in(op: Operation) -> set[str]:
    hints = [p.type_hint for p in op.parameters] + [r.type_hint for r in op.responses]
    hints += [r.decoder for r in op.responses if r.decoder]
    if op.body:
        hints.append(op.body.type_hint)
    return {name for hint in hints for name in _identifiers(hint)}


def _identifiers(code: str) -> list[str]:
    """The names in a type hint or decoder expression (`list_of(Pet)`: list_of, Pet)."""
    return re.findall(r"[A-Za-z_]\w*", code)


def literal(data: Any, prefix: str, indent: int = 0) -> str:
    """A statement assigning a JSON-like value (`prefix` is such as `NAME = `), laid out as black would."""
    return layout(Statement(prefix, value(data)), indent)


def call(
    head: str, items: list[str | Node], tail: str = ")", indent: int = 0, after: str = ""
) -> str:
    """`head` (ending in an opening bracket), comma-separated `items`, `tail` and `after` (such as the
    comma after a keyword argument), laid out as black would at `indent`."""
    return layout(nested(head, items, tail), indent, after)


def statement(prefix: str, node: str | Node, indent: int = 0) -> str:
    """`prefix` (`x = `, `return `) and a value (text, or brackets from `nested`), laid out as black would."""
    return layout(Statement(prefix, Atom(node) if isinstance(node, str) else node), indent)


def nested(
    head: str, items: list[str | Node], tail: str = ")", is_collection: bool = False
) -> Brackets:
    """A call (or other brackets) to pass as an item of `call`: laid out with its parent."""
    return Brackets(
        head, [Atom(item) if isinstance(item, str) else item for item in items], tail, is_collection
    )


def collection(head: str, items: list[str | Node], tail: str) -> Brackets:
    """A list/dict/tuple display to pass as an item of `call`."""
    return nested(head, items, tail, True)


def signature(head: str, items: list[str], tail: str, indent: int = 0) -> str:
    """A `def` line (`head` ends in `(`, `tail` is `) -> ...:`), laid out as black would."""
    return layout(Brackets(head, [Atom(item) for item in items], tail, signature=True), indent)


def params(op: Operation, client: bool = False, to_file: bool = False) -> list[str]:
    """The parameters of an operation's function; `client` adds the per-call options, `to_file` the
    destination of a streamed download."""
    path = [p for p in op.parameters if p.location == "path"]
    rest = [p for p in op.parameters if p.location != "path"]
    items = [f"{p.name}: {'UUID | str' if p.type_hint == 'UUID' else p.type_hint}" for p in path]
    if op.body and op.body.required:
        items.append(f"body: {op.body.type_hint}")
    if to_file:
        items.append("destination: str | os.PathLike[str] | IO[bytes]")
    if op.body and not op.body.required:
        items.append(f"body: {op.body.type_hint} | None = None")
    if rest or client:
        items.append("*")
    items += [f"{p.name}: {p.type_hint}" for p in rest if p.required]
    items += [f"{p.name}: {p.type_hint} | None = None" for p in rest if not p.required]
    if client:
        items += ["timeout: Timeout | NotGiven = NOT_GIVEN", "max_retries: int | None = None"]
        items += [
            f"{name}: Mapping[str, str] | None = None" for name in ("extra_headers", "extra_query")
        ]
    return items


def args(op: Operation) -> list[str]:
    """The arguments that pass an operation's parameters on, in the order `params` declares them."""
    items = [p.name for p in op.parameters if p.location == "path"]
    if op.body:
        items.append("body")
    return items + [f"{p.name}={p.name}" for p in op.parameters if p.location != "path"]


@dataclass(frozen=True)
class Credential:
    """One security scheme as the client's constructor takes it."""

    scheme: str  # the securitySchemes key
    kind: str
    params: tuple[str, ...]  # constructor parameters
    variables: tuple[str, ...]  # the environment variables that can hold them, in the same order
    build: Brackets  # the call that makes the runtime credential (None when a part is missing)
    doc: str  # what the parameters are, for the constructor's docstring


# Per scheme kind: the parameters a person has for it (`what` follows in the docstring).
_KIND_PARAMS = {
    "apiKey-header": (("api_key",), "the API key, sent in the header"),
    "apiKey-query": (("api_key",), "the API key, sent in the query parameter"),
    "apiKey-cookie": (("api_key",), "the API key, sent in the cookie"),
    "basic": (("username", "password"), "for HTTP basic authentication"),
    "bearer": (("token",), "the bearer token"),
    "oauth2-cc": (
        ("client_id", "client_secret"),
        "OAuth2 client credentials; the token comes from",
    ),
}


def credentials(api: Api, package: str) -> list[Credential]:
    """The constructor's credential parameters: the plain names (`api_key`, `username`/`password`,
    `token`, `client_id`/`client_secret`) for one scheme; with several, each scheme's own, named after
    it (`<scheme>` for a key or token, `<scheme>_username`, ...). Each can come from an environment
    variable named after the package and the parameter."""
    found = []
    several = len(api.security) > 1
    taken: set[str] = {"base_url", "timeout", "max_retries", "retry_policy", "validate_requests"}
    taken |= {"headers", "http_client", "sleep", "self"}
    for s in api.security:
        names, what = _KIND_PARAMS.get(s.kind, _KIND_PARAMS["bearer"])
        if several:
            prefix = snake_case(s.scheme) or "credential"
            names = (prefix,) if len(names) == 1 else tuple(f"{prefix}_{n}" for n in names)
        names = tuple(unique(n, taken) for n in names)
        variables = tuple(f"{package.upper()}_{n.upper()}" for n in names)
        given: list[str | Node] = [
            f"_auth.given({n}, {string(v)}, {string(n)})" for n, v in zip(names, variables)
        ]
        if s.kind.startswith("apiKey-"):
            where = s.kind.split("-", 1)[1]
            build = nested("_auth.api_key(", [string(where), string(s.name), given[0]])
            detail = f"{what} `{s.name}`"
        elif s.kind == "basic":
            build = nested("_auth.http_basic(", given)
            detail = what
        elif s.kind == "oauth2-cc":
            items: list[str | Node] = [*given, string(s.token_url)]
            if s.scopes:
                scopes: list[str | Node] = [string(x) for x in s.scopes]
                items.append(
                    f"({scopes[0]},)" if len(scopes) == 1 else collection("(", scopes, ")")
                )
            build = nested("_auth.client_credentials(", items)
            detail = f"{what} `{s.token_url}`"
        else:
            build = nested("_auth.bearer(", given)
            detail = what
        found.append(Credential(s.scheme, s.kind, names, variables, build, detail))
    return found


def keywords(names: list[str]) -> list[str]:
    """`name=name` for each name: passing arguments on under the same names."""
    return [f"{name}={name}" for name in names]


def path_expression(op: Operation) -> str:
    """An f-string that builds the operation's path from its parameters, percent-encoded."""
    template = path_template(op.path, op.parameters)
    pieces = re.split(r"(\{[^{}]+\})", template)
    out = []
    for piece in pieces:
        if piece.startswith("{") and piece.endswith("}"):
            name = piece[1:-1]  # a Python name: safe inside the f-string
            out.append("{_http.path_param(" + name + ", '" + name + "')}")
        else:  # the spec's text, as inside a double-quoted literal; braces doubled for the f-string
            out.append(fstring_text(piece))
    return 'f"' + "".join(out) + '"' if len(pieces) > 1 else string_literal(op.path)


def status_test(status: str) -> str:
    """The condition on `status` for a response key: '200', '2XX' or 'default'."""
    if status.isdigit():
        return f"status == {int(status)}"
    if len(status) == 3 and status[0].isdigit() and status[1:].upper() == "XX":
        low = int(status[0]) * 100
        return f"{low} <= status < {low + 100}"
    return "200 <= status < 300"


_IMPORT = re.compile(r"^( *)from (\S+) import ([^(\n]+)$", re.MULTILINE)
# an `if TYPE_CHECKING:` line with nothing indented under it (its imports all pruned)
_EMPTY_TYPE_CHECKING = re.compile(r"^if TYPE_CHECKING:\n(?![ \t])", re.MULTILINE)


def prune_imports(code: str) -> str:
    """Drop names from `from x import a, b` lines (at any indent) that the module never uses, and an
    `if TYPE_CHECKING:` left with no import under it."""
    pruned = _prune(code)
    emptied = _EMPTY_TYPE_CHECKING.sub("", pruned)
    return pruned if emptied == pruned else _prune(emptied)


def _prune(code: str) -> str:
    lines = code.split("\n")
    body = "\n".join(line for line in lines if not _IMPORT.match(line))
    # `name` is used where `\bname\b` would match: one pass, any size
    words = set(re.findall(r"\w+", body))
    kept: list[str] = []
    dropped = False  # a line was dropped since the last one kept
    for line in lines:
        match = _IMPORT.match(line)
        if not match or match.group(2) == "__future__" or line.strip().endswith("import *"):
            if not (dropped and not line and kept and not kept[-1]):  # no blank line left doubled
                kept.append(line)
            dropped = False
            continue
        names = [n.strip() for n in match.group(3).split(",") if n.strip()]
        used = [n for n in names if n.split(" as ")[-1] in words]
        if used:
            kept.append(from_import(match.group(2), used, len(match.group(1))))
        dropped = dropped or not used
    return "\n".join(kept)
