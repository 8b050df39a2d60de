"""A spec whose every string holds hostile text generates code that imports, runs nothing of it,
and passes `mypy --strict` (issue 12 §1).

Which strings: every string-typed field the OpenAPI 3.0 and 3.1 schemas define (read from the JSON
schemas openapi-spec-validator ships, not from a hand list) must appear in the hostile spec with a
payload; the skeleton `tests/hostile/skeleton.yaml` holds one of every object that has text, and
the test appends a payload to every string and every free-form key in it (EXEMPT says where the
OpenAPI rules tie a string to another, and what such a string gets instead).

The payloads try to end a docstring, a string literal or a comment and run code that writes a
sentinel file; the generated package is imported (models, client, webhooks, operations), its
clients are built and an operation is called, in a child process; the sentinel must not exist.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
import textwrap
from importlib.resources import files
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.helpers import ROOT, package_files

BASE = ROOT / "tests" / "hostile" / "skeleton.yaml"

# Keys whose string values are words the OpenAPI rules define (or references), not free text.
KEYWORD_VALUES = {"openapi", "$ref", "in", "type", "style", "scheme"}
# Known formats keep their meaning (a binary upload stays one); any other format gets a payload.
FORMATS = {"binary", "byte", "date", "date-time", "uuid", "int32", "int64", "float", "double"}
# Fields of the OpenAPI schemas that cannot hold hostile text, and why (each is tested elsewhere).
EXEMPT = {
    "$ref": "a reference: a dangling one is a located error (tests/bad_specs)",
    "in": "one of path, query, header, cookie",
    "type": "a JSON schema type or a security scheme type",
    "style": "a serialisation style the spec names",
    "scheme": "an HTTP authentication scheme (bearer, basic)",
    "$schema": "the JSON schema dialect",
    "jsonSchemaDialect": "the JSON schema dialect",
}


def meta_schema(version: str) -> dict[str, Any]:
    path = files("openapi_spec_validator") / "resources" / "schemas" / version / "schema.json"
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def string_fields(meta: dict[str, Any]) -> set[str]:
    """Every property the schema types as a free string (no enum, const or pattern), wherever it is
    defined."""

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and str(node.get("$ref", "")).startswith("#/"):
            target: Any = meta
            for part in node["$ref"][2:].split("/"):
                target = target[part]
            node = target
        return node

    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                sub = resolve(sub)
                kind = sub.get("type") if isinstance(sub, dict) else None
                is_string = kind == "string" or (isinstance(kind, list) and "string" in kind)
                if is_string and not {"enum", "const", "pattern"} & set(sub):
                    found.add(name)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(meta)
    return found


def payloads(sentinel: Path) -> list[str]:
    """Every attempt to leave a docstring, a string literal or a comment, one after the other, then
    one of the endings that only work at the end of a string (a backslash, a quote)."""
    code = f"import pathlib; pathlib.Path({str(sentinel)!r}).write_text('ran')"
    attempts = [
        f'"""\n{code}\n"""',
        f"'''\n{code}\n'''",
        f"\n{code}  #",
        f'"\n{code}\nx = "',
        "{{ 7 * 7 }} {% if true %}jinja{% endif %} {# c #} ${x} %(x)s {0}",
        "\x00 NUL",
        "\u2028\u2029\x0b\x0c\x1c\x85 line ends",
        "*/ -- # not the end of a comment",
        f"\r\n{code}\r\n",
        "\x1b[2J an escape sequence",
        f"\\\n{code}",
        f'\\"""\n{code}\n"""',
    ]
    body = "".join(attempts)
    return [body + end for end in ("\\", '"', "'", "\\\n", " long" + "x" * 3000)]


class Hostile:
    """Appends a payload to spec strings: the same string always gets the same payload (so that
    names that must agree, such as a tag and its use, still agree). The strings take the payloads
    in turn from `offset` on: over every offset, each string gets each one."""

    def __init__(self, sentinel: Path, offset: int = 0) -> None:
        self.payloads = payloads(sentinel)
        self.offset = offset
        self.chosen: dict[str, str] = {}

    def payload(self, text: str) -> str:
        if text not in self.chosen:
            index = (len(self.chosen) + self.offset) % len(self.payloads)
            self.chosen[text] = self.payloads[index]
        return self.chosen[text]

    def text(self, text: str) -> str:
        return text + self.payload(text)

    def printable(self, text: str) -> str:
        """For names HTTP or a URL carry: the payload without control characters."""
        return text + "".join(c for c in self.payload(text) if c.isprintable())[:200]

    def token(self, text: str) -> str:
        """For header and cookie names: what an HTTP token allows."""
        return text + "-'#|`~%^*+!$&"

    def regex(self, text: str) -> str:
        return text + re.escape(self.payload(text))


def hostile_spec(document: dict[str, Any], hostile: Hostile) -> dict[str, Any]:
    """The document with a payload on every string and free-form key, as the module docstring says."""

    def value(node: Any, key: str, parent: dict[str, Any], outer: str = "") -> Any:
        if isinstance(node, dict):
            return obj(node, key if outer != "components" else "")  # component names are restricted
        if isinstance(node, list):  # items of a list: objects in it are not maps under `key`
            return [obj(v, "") if isinstance(v, dict) else value(v, key, parent) for v in node]
        if not isinstance(node, str) or key in KEYWORD_VALUES:
            return node
        if key == "format" and node in FORMATS or key == "mapping":
            return node
        if key == "pattern":
            return hostile.regex(node)
        if key == "name" and parent.get("in") == "path":
            return node  # it names a `{...}` of the path
        if key == "name" and parent.get("in") in ("header", "cookie"):
            return hostile.token(node)
        if key == "name" and parent.get("type") == "apiKey":
            return hostile.printable(node)
        return hostile.text(node)

    def obj(node: dict[str, Any], key: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in node.items():
            new_key = k
            if key in ("properties", "encoding", "examples", "links", "callbacks", "scopes"):
                new_key = hostile.text(k)
            elif key in ("headers", "webhooks"):
                new_key = hostile.token(k) if key == "headers" else hostile.text(k)
            elif key == "content" and k.startswith("text/"):
                new_key = hostile.printable(k)
            elif key == "parameters":  # a link's parameters (a parameter list is a list)
                new_key = hostile.text(k)
            out[new_key] = value(v, k, node, key)
        return out

    return obj(document, "")


def openapi31(document: dict[str, Any]) -> dict[str, Any]:
    """The skeleton in 3.1: the fields 3.1 adds, and webhooks."""
    doc = copy.deepcopy(document)
    doc["openapi"] = "3.1.0"
    doc["info"]["summary"] = "The summary"
    doc["info"]["license"] = {"name": "License", "identifier": "MIT"}
    thing = {"$ref": "#/components/schemas/Thing"}
    doc["webhooks"] = {
        "thingChanged": {
            "post": {
                "summary": "A thing changed",
                "requestBody": {
                    "description": "The thing",
                    "content": {"application/json": {"schema": thing}},
                },
                "responses": {"200": {"description": "ok"}},
            }
        }
    }
    return doc


def strings_with_payloads(node: Any, marks: list[str], key: str = "") -> Iterator[str]:
    """The keys (field names) whose string values carry a payload."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield from strings_with_payloads(v, marks, k)
    elif isinstance(node, list):
        for v in node:
            yield from strings_with_payloads(v, marks, key)
    elif isinstance(node, str) and any(node.endswith(mark) for mark in marks):
        yield key


VERSIONS = {"v3.0": lambda doc: doc, "v3.1": openapi31}

IMPORT_AND_CALL = textwrap.dedent("""
    import importlib, sys
    import httpx


    def check(package):
        pkg = importlib.import_module(package)
        for module in ("models", "client", "webhooks", "operations", "_checks", "errors", "_http"):
            importlib.import_module(package + "." + module)
        seen = []

        def answer(request):
            seen.append(request)
            return httpx.Response(200, json={"detail": "x"})

        http = httpx.Client(transport=httpx.MockTransport(answer))
        client = pkg.Client(api_key="key", base_url="http://testserver", http_client=http)
        repr(client)
        pkg.Client(api_key="key")  # the spec's own base URL, as a user would
        pkg.AsyncClient(api_key="key")
        [name] = [n for n in dir(pkg.Client) if n.startswith("get_thing") and "_to_" not in n]
        try:
            getattr(client, name)("a b/c")
        except pkg.ApiError:
            pass  # the answer does not fit the schema: an error, not a crash
        assert seen[0].url.raw_path.split(b"?")[0] == b"/things/a%20b%2Fc", seen[0].url
        for name in dir(pkg.webhooks):
            if name.startswith("parse_"):
                try:
                    getattr(pkg.webhooks, name)("{}")
                except pkg.webhooks.WebhookError:
                    pass


    sys.path.insert(0, sys.argv[1])
    for package in sys.argv[2:]:
        check(package)
    print("imported and called")
""")


OFFSETS = range(len(payloads(Path())))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The hostile packages, one per version and offset (so that every string gets every payload),
    generated and written once."""
    from specbind.vendoring.write import write_package

    root = tmp_path_factory.mktemp("hostile")
    sentinel = root / "payload-ran"
    base = yaml.safe_load(BASE.read_text())
    result: dict[str, Any] = {"root": root, "sentinel": sentinel, "specs": {}, "packages": {}}
    for version, adapt in VERSIONS.items():
        for offset in OFFSETS:
            hostile = Hostile(sentinel, offset)
            document = hostile_spec(adapt(base), hostile)
            package = f"hostile_{version.replace('.', '')}_{offset}"
            spec = root / f"{package}.json"
            spec.write_text(json.dumps(document, indent=1))
            write_package(root / "out", package, package_files(spec, package))
            result["specs"].setdefault(version, (document, hostile))
            result["packages"].setdefault(version, []).append(package)
    return result


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_string_field_of_the_openapi_schema_gets_a_payload(
    generated: dict[str, Any], version: str
) -> None:
    document, hostile = generated["specs"][version]
    marks = [f(t)[len(t) :] for t in hostile.chosen for f in (hostile.text, hostile.regex)]
    marks += [hostile.token(""), *(hostile.printable(t)[len(t) :] for t in hostile.chosen)]
    marks = [m for m in marks if m]
    covered = set(strings_with_payloads(document, marks))
    wanted = string_fields(meta_schema(version)) - set(EXEMPT)
    assert len(wanted) > 15  # the walk found the schema's fields
    assert wanted <= covered, f"no payload in: {sorted(wanted - covered)}"
    assert set(hostile.chosen.values()) == set(hostile.payloads)  # every payload was used


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_hostile_package_imports_and_calls_without_running_spec_text(
    generated: dict[str, Any], version: str
) -> None:
    packages = generated["packages"][version]
    run = subprocess.run(
        [sys.executable, "-c", IMPORT_AND_CALL, str(generated["root"] / "out"), *packages],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0 and "imported and called" in run.stdout, run.stderr[-3000:]
    assert not generated["sentinel"].exists(), "code from the spec ran"


def test_hostile_packages_pass_mypy_strict(generated: dict[str, Any]) -> None:
    """Two offsets per version: the types do not depend on which ending a string has."""
    out = generated["root"] / "out"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            *(package for packages in generated["packages"].values() for package in packages[:2]),
        ],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-3000:]
    assert not generated["sentinel"].exists()


@pytest.mark.parametrize(
    "source",
    [
        "{{ x }}",
        "{{ 'a' ~ x }}",
        "{{ x | trim }}",
        "{{ x.strip() }}",
        "{{ [x] | join(',') }}",
        "{% set l = [] %}{% set _ = l.append('- ' ~ x) %}{{ l | join }}",
        "{{ call('f(', [x]) }}",
        "{{ statement('y = ', nested('f(', ['a', x])) }}",
    ],
)
def test_the_package_templates_cannot_print_spec_text_unescaped(source: str) -> None:
    from jinja2.exceptions import TemplateRuntimeError
    from specbind.codegen.endpoints import _environment
    from specbind.codegen.text import SpecText

    template = _environment().from_string(source)
    with pytest.raises(TemplateRuntimeError, match="without an escaping filter"):
        template.render(x=SpecText('"""\nimport os'))
    assert template.render(x="plain") != ""  # the same template with generator text renders


def test_each_escape_gives_the_text_back() -> None:
    from specbind.codegen.text import comment, comment_text, docstring, fstring_text, string_literal

    for payload in payloads(Path("/nowhere")):
        text = "x" + payload
        assert eval(string_literal(text)) == text
        assert eval('f"' + fstring_text(text) + '"') == text
        line = comment(text)
        assert "\n" not in line and line.isprintable() and comment_text(line) == text
        assert isinstance(eval(docstring(text, 0)), str)


@pytest.mark.parametrize("case", ["path_nul", "path_control_character", "path_nested_braces"])
def test_lenient_drops_a_path_that_is_no_url_template(case: str, tmp_path: Path) -> None:
    """Strict generation refuses these paths (tests/bad_specs); --lenient drops them, says so, and
    generates the rest."""
    from specbind.codegen.generate import Options, generate

    from tests.helpers import generate_and_import

    spec = ROOT / "tests" / "bad_specs" / f"{case}.json"
    warnings = [str(w) for w in generate(spec, "lenient_paths", Options(lenient=True)).warnings]
    assert any("dropped path" in w and ": warning at #/paths/" in w for w in warnings), warnings
    assert all("\n" not in w and "\x00" not in w for w in warnings)
    pkg = generate_and_import(spec, "lenient_paths", tmp_path, Options(lenient=True))
    assert not [n for n in dir(pkg.Client) if n.startswith("get")]
