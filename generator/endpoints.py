"""Stage 4 — endpoints: render the client package around the models from the Jinja2 templates."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from generator.operations import Api, Operation, path_template
from generator.paths import compiled_templates, template_dir

# generated file name -> template
# The runtime modules are the same for every spec but for its base URL: they can be rendered (and
# formatted) before the models exist.
RUNTIME_FILES = {
    "_codec.py": "_codec.py.jinja2",
    "_http.py": "_http.py.jinja2",
    "_retries.py": "_retries.py.jinja2",
    "errors.py": "errors.py.jinja2",
}
API_FILES = {
    "__init__.py": "__init__.py.jinja2",
    "_checks.py": "_checks.py.jinja2",
    "operations.py": "operations.py.jinja2",
    "client.py": "client.py.jinja2",
    "webhooks.py": "webhooks.py.jinja2",
}
PACKAGE_FILES = RUNTIME_FILES | API_FILES


def render_package(api: Api, package: str) -> dict[str, str]:
    """Source of every hand-written-looking module of the package (the models come from stage 3)."""
    return render_runtime(api.base_url, package) | render_api(api, package)


def render_runtime(base_url: str, package: str) -> dict[str, str]:
    """The runtime modules: HTTP plumbing, codec helpers, retries and errors."""
    return _render(RUNTIME_FILES, base_url=base_url, package=package)


def render_api(api: Api, package: str) -> dict[str, str]:
    """The modules made from the spec's operations: client, operations, request checks, webhooks."""
    names = set(api.models.values()) | {r.decoder for op in api.operations for r in op.responses if r.decoder}
    used = sorted({n for op in api.operations for n in _names_in(op) if n in names})
    return _render(API_FILES, api=api, package=package, model_names=used)


def _render(templates: dict[str, str], **context: Any) -> dict[str, str]:
    env = _environment()
    return {name: prune_imports(env.get_template(template).render(**context)) for name, template in templates.items()}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(template_dir() / "package")),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        bytecode_cache=compiled_templates(),
    )
    env.filters["pyrepr"] = repr
    env.filters["docstring"] = docstring
    env.filters["inline"] = inline
    env.filters["path_expression"] = path_expression
    env.filters["status_test"] = status_test
    return env


def _names_in(op: Operation) -> set[str]:
    hints = [p.type_hint for p in op.parameters] + [r.type_hint for r in op.responses]
    hints += [r.decoder for r in op.responses if r.decoder]
    if op.body:
        hints.append(op.body.type_hint)
    return {name for hint in hints for name in re.findall(r"[A-Za-z_]\w*", hint)}


def docstring(text: str, indent: int = 4) -> str:
    """A docstring literal whose content stays inert text whatever the spec says."""
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').replace("\x00", "\\x00").replace("\r", "")
    text = "".join(c if c.isprintable() or c in "\n\t" else f"\\x{ord(c):02x}" for c in text)
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    pad = " " * indent
    lines = [line.rstrip() for line in text.strip("\n").split("\n")]
    body = "\n".join((pad + line) if line else "" for line in lines[1:])
    if len(lines) == 1:
        return f'{pad}"""{lines[0]}"""'
    return f'{pad}"""{lines[0]}\n{body}\n{pad}"""'


def inline(text: str) -> str:
    """Spec text as one line inside a docstring: inert whatever it contains."""
    return docstring(" ".join(str(text).split()), 0)[3:-3]


def path_expression(op: Operation) -> str:
    """An f-string that builds the operation's path from its parameters, percent-encoded."""
    template = path_template(op.path, op.parameters)
    pieces = re.split(r"(\{[^}]+\})", template)
    out = []
    for piece in pieces:
        if piece.startswith("{") and piece.endswith("}"):
            out.append("{_http.path_param(" + piece[1:-1] + ")}")
        else:
            escaped = piece.replace("\\", "\\\\").replace('"', '\\"').replace("{", "{{").replace("}", "}}")
            out.append(escaped)
    joined = "".join(out)
    return f'f"{joined}"' if "{_http" in joined else f'"{joined}"'


def status_test(status: str) -> str:
    """The condition on `status` for a response key: '200', '2XX' or 'default'."""
    if status.isdigit():
        return f"status == {int(status)}"
    if len(status) == 3 and status[0].isdigit() and status[1:].upper() == "XX":
        low = int(status[0]) * 100
        return f"{low} <= status < {low + 100}"
    return "200 <= status < 300"


_IMPORT = re.compile(r"^from (\S+) import ([^(\n]+)$", re.MULTILINE)


def prune_imports(code: str) -> str:
    """Drop names from `from x import a, b` lines that the module never uses."""
    lines = code.split("\n")
    body = "\n".join(line for line in lines if not _IMPORT.match(line))
    words = set(re.findall(r"\w+", body))  # `name` is used where `\bname\b` would match: one pass, any size
    kept = []
    for line in lines:
        match = _IMPORT.match(line)
        if not match or match.group(1) == "__future__" or line.strip().endswith("import *"):
            kept.append(line)
            continue
        names = [n.strip() for n in match.group(2).split(",") if n.strip()]
        used = [n for n in names if n.split(" as ")[-1] in words]
        if used:
            kept.append(f"from {match.group(1)} import {', '.join(used)}")
    return "\n".join(kept)


