"""Stage 2 — validate: openapi-spec-validator, plus what it misses, as located one-line problems."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from generator.load import LoadedSpec, locate
from generator.problems import Problem, SpecError, parts_of, pointer_of

SUPPORTED = ("3.0.", "3.1.")
MAX_MESSAGE = 200


def validate(spec: LoadedSpec) -> list[Problem]:
    """Every problem in the spec (errors and warnings), each located in its file."""
    document = spec.document
    problems = _version_problems(document)
    if problems:
        return _located(spec, problems)
    problems = list(_reference_problems(document))
    if not problems:  # the validator cannot cope with dangling references
        problems = list(_validator_problems(document))
    return _located(spec, problems)


def check(spec: LoadedSpec, lenient: bool = False) -> list[Problem]:
    """Validate and raise SpecError on errors (all of them, unless lenient); return the warnings."""
    problems = validate(spec)
    errors = [p for p in problems if p.severity == "error"]
    if errors and not lenient:
        raise SpecError(problems)
    if lenient:
        return [Problem(p.file, p.message, p.pointer, p.line, p.column, "warning") for p in problems]
    return problems


def _version_problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    version = document.get("openapi")
    if version is None:
        if "swagger" in document:
            return [("#/swagger", f"Swagger {document['swagger']} is not supported; convert the spec to OpenAPI 3")]
        return [("#", "missing 'openapi' field; expected an OpenAPI 3.0 or 3.1 document")]
    if not isinstance(version, str):
        return [
            ("#/openapi", f"'openapi' must be a string such as '3.0.3'; got the {type(version).__name__} {version!r} "
                          "(quote it in YAML)")
        ]
    if not version.startswith(SUPPORTED):
        return [("#/openapi", f"OpenAPI version {version!r} is not supported; specbind reads 3.0.x and 3.1.x")]
    return []


def _refs(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield at, ref
        for key, value in node.items():
            if key != "example" and key != "examples" or isinstance(value, dict) and "$ref" in value:
                yield from _refs(value, at + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, at + (i,))


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The node a local '#/…' pointer names; KeyError when it names nothing."""
    node = document
    for part in parts_of(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(part)
    return node


def _reference_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every `$ref` resolves, request bodies included, and no chain of references loops."""
    for at, ref in _refs(document):
        where = pointer_of(at) + "/$ref"
        if not ref.startswith("#"):
            yield where, f"$ref {ref!r} was not bundled (unsupported reference form)"
            continue
        try:
            target = resolve_pointer(document, ref)
        except KeyError as missing:
            yield where, f"$ref {ref!r} does not resolve: no {missing.args[0]!r} in the document"
            continue
        seen = [ref]
        while isinstance(target, dict) and isinstance(target.get("$ref"), str) and len(target) == 1:
            nxt = target["$ref"]
            if nxt in seen:
                yield where, "cyclic $ref: " + " -> ".join(seen + [nxt])
                break
            seen.append(nxt)
            try:
                target = resolve_pointer(document, nxt)
            except KeyError:
                break  # reported where that reference stands


def _validator_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
    from jsonschema.exceptions import best_match

    cls = OpenAPIV31SpecValidator if str(document["openapi"]).startswith("3.1") else OpenAPIV30SpecValidator
    found: list[tuple[str, str]] = []
    try:
        for error in cls(document).iter_errors():
            chosen = error
            if error.context:
                useful = [e for e in error.context if "'$ref' is a required property" not in e.message]
                chosen = best_match(useful or error.context)
            pointer = pointer_of(list(chosen.absolute_path))
            if _is_relative(document, error):
                pointer = _find_relative(document, list(error.absolute_path), error.instance)
            found.append((pointer, _short(chosen.message)))
    except Exception as exc:  # the validator itself broke on this input: report, never crash
        found.append(("#", f"the OpenAPI validator could not check this document: {_short(str(exc))}"))
    # a vague 'not valid under any of the given schemas' above a precise problem adds nothing
    precise = [p for p, m in found if "is not valid under any of the given schemas" not in m]
    seen: set[str] = set()
    for pointer, message in found:
        if pointer in seen:
            continue
        seen.add(pointer)
        vague = "is not valid under any of the given schemas" in message
        if vague and any(p != pointer and p.startswith(pointer + "/") for p in precise):
            continue
        yield pointer, message


def _is_relative(document: dict[str, Any], error: Any) -> bool:
    """Schema checks report paths relative to the schema they looked at."""
    path = list(error.absolute_path)
    try:
        value = resolve_pointer(document, pointer_of(path))
    except KeyError:
        return True
    return value != error.instance


def _find_relative(document: dict[str, Any], rel: list[Any], instance: Any) -> str:
    """Where in the document a schema-relative path with this value sits (schemas first)."""
    best: str | None = None
    for at, node in _nodes(document, ()):
        try:
            value = resolve_pointer(node, pointer_of(rel))
        except KeyError:
            continue
        if value == instance:
            candidate = pointer_of(list(at) + rel)
            if "schema" in str(at):
                return candidate
            best = best or candidate
    return best or pointer_of(rel)


def _nodes(node: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        yield at, node
        for key, value in node.items():
            yield from _nodes(value, at + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, at + (i,))


def _short(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _located(spec: LoadedSpec, found: list[tuple[str, str]] | list[Problem]) -> list[Problem]:
    problems = []
    for item in found:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        pointer, message = item
        file, inner = spec.origin_of(pointer)
        position = _locate_cached(file.absolute(), inner)
        line, column = position if position else (None, None)
        problems.append(Problem(file, message, pointer=inner, line=line, column=column))
    return problems


@lru_cache(maxsize=256)
def _locate_cached(file: Path, pointer: str) -> tuple[int, int] | None:
    return locate(file, pointer)
