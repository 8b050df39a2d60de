"""Stage 2 — validate: openapi-spec-validator, plus what it misses, as located one-line problems."""

from __future__ import annotations

import ast
import re
import reprlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Iterator, Protocol

from specbind.spec.document import deref, resolve_pointer
from specbind.spec.load import LoadedSpec, locate_all
from specbind.spec.parts import cut, reduced
from specbind.spec.problems import Problem, SpecError, parts_of, pointer_of

SUPPORTED = ("3.0.", "3.1.")
MAX_MESSAGE = 200


class CleanParts(Protocol):
    """A record of the parts (`parts.Parts` keys) found clean before, kept between runs."""

    def known(self) -> set[str]: ...

    def add(self, keys: Iterable[str]) -> None: ...


def validate(spec: LoadedSpec, clean_parts: CleanParts | None = None) -> list[Problem]:
    """Every problem in the spec (errors and warnings), each located in its file. With
    `clean_parts`, openapi-spec-validator sees only the parts not found clean before."""
    document = spec.document
    problems = _version_problems(document)
    if problems:
        return _located(spec, problems)
    problems = list(_reference_problems(document))
    if not problems:  # the validator cannot cope with dangling references
        problems = list(_operation_id_problems(document)) + list(_parameter_problems(document))
        problems += list(_path_problems(document)) + list(_security_problems(document))
        found = _validator_found(document, clean_parts)
        problems += [p for p in found if not _OWN_CHECKS.search(p[1])]
    return _located(spec, problems)


# Above this share of parts left to check, the whole document is checked: the validator follows
# references into the parked parts too, so checking 38 % of Stripe's parts took 1.7 s against 2.0 s
# for all of them, and a problem found would cost a second, whole check.
MOST_PARTS = 0.5


def _validator_found(
    document: dict[str, Any], clean_parts: CleanParts | None
) -> list[tuple[str, str]]:
    """openapi-spec-validator's problems. With a record of clean parts: only the others are
    checked (in a document of them, the components they reach and everything outside the parts);
    when that finds anything, the whole document is checked, so problems are always the same."""
    parts = cut(document) if clean_parts is not None else None
    if clean_parts is None or parts is None:
        return list(_validator_problems(document))
    known = clean_parts.known()
    todo = [location for location, key in parts.keys.items() if key not in known]
    if not todo:
        return []
    if len(todo) <= MOST_PARTS * len(parts.keys):
        reached = parts.covering(todo) - set(todo)  # there to resolve references, not checked
        if not list(_validator_problems(reduced(document, todo, parked=reached))):
            clean_parts.add(parts.keys[location] for location in todo)
            return []
    found = list(_validator_problems(document))
    if not found:
        clean_parts.add(parts.keys.values())
    return found


_HTTP_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")


def _parameter_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Header and cookie parameters need names HTTP can carry."""
    paths = document.get("paths")
    for path, item in (paths.items() if isinstance(paths, dict) else ()):
        for key, node in (item.items() if isinstance(item, dict) else ()):
            params = (
                node.get("parameters")
                if isinstance(node, dict)
                else node if key == "parameters" else None
            )
            at = ("paths", path) + ((key, "parameters") if key != "parameters" else ("parameters",))
            seen: set[tuple[str, str]] = set()
            for i, param in enumerate(params if isinstance(params, list) else []):
                param = deref(document, param)
                if not isinstance(param, dict):
                    continue
                where = (str(param.get("name")), str(param.get("in")))
                if where in seen:
                    yield pointer_of(
                        at + (i, "name")
                    ), f"duplicate {where[1]} parameter {where[0]!r} in this list"
                seen.add(where)
                if param.get("in") not in ("header", "cookie"):
                    continue
                name = param.get("name")
                if isinstance(name, str) and not _HTTP_TOKEN.match(name):
                    yield (
                        pointer_of(at + (i, "name")),
                        f"{param['in']} parameter name {name!r} cannot be sent: HTTP names allow only letters, "
                        "digits and !#$%&'*+-.^_`|~",
                    )


_PATH_TEMPLATE = re.compile(r"(?:[^{}]|\{[^{}]+\})*")


def _path_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """A path is URL text with parameters written `{name}`: no control characters, no stray braces."""
    paths = document.get("paths")
    for path in paths if isinstance(paths, dict) else ():
        if not isinstance(path, str):
            continue
        bad = next((c for c in path if not c.isprintable()), None)
        if bad is not None:
            yield pointer_of(("paths", path)), (
                f"path {path[:80]!r} contains the control character {bad!r}, which a URL cannot carry"
            )
        elif not _PATH_TEMPLATE.fullmatch(path):
            yield pointer_of(("paths", path)), (
                f"path {path[:80]!r} has unbalanced or nested braces; "
                "a path parameter is written {name}"
            )


def _security_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """An API key's header or cookie name must be one HTTP can carry; a query name has no control characters."""
    schemes = (document.get("components") or {}).get("securitySchemes")
    for key, scheme in (schemes.items() if isinstance(schemes, dict) else ()):
        if not isinstance(scheme, dict) or scheme.get("type") != "apiKey":
            continue
        name, where = scheme.get("name"), scheme.get("in")
        if not isinstance(name, str):
            continue
        at = pointer_of(("components", "securitySchemes", key, "name"))
        if where in ("header", "cookie") and not _HTTP_TOKEN.match(name):
            yield at, (
                f"{where} name {name[:80]!r} cannot be sent: HTTP names allow only letters, "
                "digits and !#$%&'*+-.^_`|~"
            )
        elif not all(c.isprintable() for c in name):
            yield at, f"query parameter name {name[:80]!r} contains a control character"


# what the validator reports without a location, and the checks above report with one
_OWN_CHECKS = re.compile(
    r"^Operation ID '.*' for '.*' in '.*' is not unique$|^Duplicate parameter '.*'$"
)
_OPERATION_IN = re.compile(r"for '(\w+)'(?: operation)? in '([^']*)'")


def _operation_id_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """operationIds are unique: each later use is reported where it stands, naming the first."""
    first: dict[str, str] = {}
    paths = document.get("paths")
    for path, item in (paths.items() if isinstance(paths, dict) else ()):
        for method, operation in (item.items() if isinstance(item, dict) else ()):
            if not isinstance(operation, dict) or not isinstance(operation.get("operationId"), str):
                continue
            op_id = operation["operationId"]
            where = f"{method.upper()} {path}"
            if op_id in first:
                yield (
                    pointer_of(("paths", path, method, "operationId")),
                    f"operationId {op_id!r} is also used by {first[op_id]}; operationIds must be unique",
                )
            else:
                first[op_id] = where


def check(
    spec: LoadedSpec, lenient: bool = False, clean_parts: CleanParts | None = None
) -> list[Problem]:
    """Validate and raise SpecError on errors (all of them, unless lenient); return the warnings.
    `clean_parts`: see `validate`."""
    problems = validate(spec, clean_parts)
    errors = [p for p in problems if p.severity == "error"]
    if errors and not lenient:
        raise SpecError(problems)
    if lenient:
        warnings = [
            Problem(p.file, p.message, p.pointer, p.line, p.column, "warning") for p in problems
        ]
        return warnings + _without_broken_references(spec, errors)
    return problems


def _without_broken_references(spec: LoadedSpec, errors: list[Problem]) -> list[Problem]:
    """Make a spec with dangling or cyclic `$ref`s generable, saying what each one cost:
    an operation that uses one is dropped; elsewhere the reference becomes a free-form value."""
    document = spec.document
    notes: list[Problem] = []
    dropped: set[tuple[str, str]] = set()
    for problem in errors:
        if not problem.pointer.endswith("/$ref") or "$ref" not in problem.message:
            continue
        parts = parts_of(spec_pointer(spec, problem))
        if parts[:1] == ["paths"] and len(parts) >= 3:
            path, method = parts[1], parts[2]
            item = document.get("paths", {}).get(path)
            if method == "$ref" or method == "parameters":
                if isinstance(item, dict) and (path, "*") not in dropped:
                    document["paths"].pop(path, None)
                    dropped.add((path, "*"))
                    notes.append(
                        _note(
                            problem, f"dropped every operation of path {path!r}: {problem.message}"
                        )
                    )
            elif isinstance(item, dict) and method in item and (path, method) not in dropped:
                del item[method]
                dropped.add((path, method))
                notes.append(
                    _note(problem, f"dropped operation {method.upper()} {path}: {problem.message}")
                )
            continue
        try:
            holder = resolve_pointer(document, pointer_of(parts[:-1]))
        except KeyError:
            continue
        if isinstance(holder, dict):
            holder.pop("$ref", None)
            notes.append(_note(problem, f"generated as a free-form value (Any): {problem.message}"))
    return notes


def spec_pointer(spec: LoadedSpec, problem: Problem) -> str:
    """The pointer of a problem in the bundled document (problems in other files carry their own)."""
    if problem.file == spec.path:
        return problem.pointer
    for bundled, (file, inner) in spec.origins.items():
        if file == problem.file and (
            problem.pointer == inner or problem.pointer.startswith(inner.rstrip("/") + "/")
        ):
            return (
                bundled + problem.pointer[len(inner.rstrip("/")) :]
                if inner != "#"
                else bundled + problem.pointer[1:]
            )
    return problem.pointer


def _note(problem: Problem, message: str) -> Problem:
    return Problem(problem.file, message, problem.pointer, problem.line, problem.column, "warning")


def _version_problems(document: dict[str, Any]) -> list[tuple[str, str]]:
    version = document.get("openapi")
    if version is None:
        if "swagger" in document:
            return [
                (
                    "#/swagger",
                    f"Swagger {document['swagger']} is not supported; convert the spec to OpenAPI 3",
                )
            ]
        return [("#", "missing 'openapi' field; expected an OpenAPI 3.0 or 3.1 document")]
    if not isinstance(version, str):
        return [
            (
                "#/openapi",
                f"'openapi' must be a string such as '3.0.3'; got the {type(version).__name__} {version!r} "
                "(quote it in YAML)",
            )
        ]
    if not version.startswith(SUPPORTED):
        return [
            (
                "#/openapi",
                f"OpenAPI version {version!r} is not supported; specbind reads 3.0.x and 3.1.x",
            )
        ]
    return []


def _refs(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield at, ref
        # keys here are names, not keywords
        names = bool(at) and at[-1] in ("properties", "schemas")
        for key, value in node.items():
            if names or key not in ("example", "examples"):
                yield from _refs(value, at + (key,))
            # a map of Example objects, which may be $refs
            elif key == "examples" and isinstance(value, dict):
                for name, entry in value.items():
                    if isinstance(entry, dict) and isinstance(entry.get("$ref"), str):
                        yield at + (key, name), entry["$ref"]
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _refs(value, at + (i,))


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
            yield where, f"$ref {ref!r} does not resolve: " + _missing_part(
                document, ref, missing.args[0]
            )
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


def _missing_part(document: dict[str, Any], ref: str, missing: str) -> str:
    """'#/components/schemas has no 'Pet' (did you mean 'pet'?)' for a reference that names nothing."""
    parts = parts_of(ref)
    held = parts[: parts.index(missing)] if missing in parts else []
    where = pointer_of(held) if held else "the document"
    text = f"{where} has no {missing!r}"
    try:
        siblings = resolve_pointer(document, pointer_of(held))
    except KeyError:
        return text
    near = (
        [k for k in siblings if isinstance(k, str) and k.lower() == missing.lower()]
        if isinstance(siblings, dict)
        else []
    )
    return text + (f" (did you mean {near[0]!r}?)" if near else "")


def _validator_problems(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    from jsonschema.exceptions import best_match
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    cls = (
        OpenAPIV31SpecValidator
        if str(document["openapi"]).startswith("3.1")
        else OpenAPIV30SpecValidator
    )
    found: list[tuple[str, str]] = []
    try:
        for error in cls(document).iter_errors():
            chosen = error
            if error.context:
                useful = [
                    e for e in error.context if "'$ref' is a required property" not in e.message
                ]
                chosen = best_match(useful or error.context)
            pointer = pointer_of(list(chosen.absolute_path))
            if _is_relative(document, error):
                pointer = _find_relative(document, list(error.absolute_path), error.instance)
            operation = _OPERATION_IN.search(chosen.message)
            if pointer == "#" and operation:  # messages about an operation name it only in words
                pointer = pointer_of(("paths", operation.group(2), operation.group(1)))
            required = _UNDEFINED_REQUIRED.match(chosen.message)
            if pointer == "#" and required:  # reported without a place: find the schema
                pointer = _schema_requiring(document, re.findall(r"'([^']*)'", required.group(1)))
            elif pointer == "#" and chosen.validator != "required":  # a value without its place
                pointer = _holding(document, _reported_value(chosen))
            message = _message(chosen)
            if pointer == "#" and chosen.validator == "required":
                message += " of the document's top level (next to 'openapi')"
            found.append((pointer, _short(message)))
    except Exception as exc:  # the validator itself broke on this input: report, never crash
        if not found:  # (it often breaks on exactly what it has just reported)
            found.append(
                ("#", f"the OpenAPI validator could not check this document: {_short(str(exc))}")
            )
    # a vague 'not valid under any of the given schemas' above a precise problem adds nothing
    precise = [p for p, m in found if "is not valid under any of the given schemas" not in m]
    first: dict[str, str] = {}  # one problem per place: a precise one over a vague one
    for pointer, message in found:
        if pointer not in first or (_vague(first[pointer]) and not _vague(message)):
            first[pointer] = message
    for pointer, message in first.items():
        if _vague(message) and any(p != pointer and p.startswith(pointer + "/") for p in precise):
            continue
        yield pointer, message


def _vague(message: str) -> bool:
    return "is not valid under any of the given schemas" in message


_UNDEFINED_REQUIRED = re.compile(r"^Required list has not defined properties: \[(.*)\]$")


def _schema_requiring(document: Any, names: list[str], at: tuple[Any, ...] = ()) -> str:
    """The first allOf schema whose `required` lists `names` that no part of it defines ('#' if none)."""
    if isinstance(document, dict):
        required, parts = document.get("required"), document.get("allOf")
        if isinstance(required, list) and isinstance(parts, list) and set(names) <= set(required):
            defined = set(document.get("properties") or ())
            for part in parts:
                if isinstance(part, dict) and isinstance(part.get("properties"), dict):
                    defined |= set(part["properties"])
            if not set(names) & defined:
                return pointer_of(at + ("required",))
        children: Any = document.items()
    elif isinstance(document, list):
        children = enumerate(document)
    else:
        return "#"
    for key, child in children:
        found = _schema_requiring(child, names, at + (key,))
        if found != "#":
            return found
    return "#"


def _is_relative(document: dict[str, Any], error: Any) -> bool:
    """Schema checks report paths relative to the schema they looked at."""
    path = list(error.absolute_path)
    try:
        value = resolve_pointer(document, pointer_of(path))
    except KeyError:
        return True
    return bool(value != error.instance)


def _find_relative(document: dict[str, Any], rel: list[Any], instance: Any) -> str:
    """Where in the document a schema-relative path with this value sits (schemas first)."""
    if not rel:  # the value checked itself, reached through a `$ref`: a schema, a default, ...
        return _holding(document, instance)
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


_VALUE_FIRST = re.compile(r"^(.+?) is not (?:of type|valid under|one of|a |an )")


def _reported_value(error: Any) -> Any:
    """The value an error is about: its instance, else the value its message starts with (an error
    the validator raised while following a `$ref` may carry neither a path nor an instance)."""
    if type(error.instance).__name__ != "Unset":
        return error.instance
    match = _VALUE_FIRST.match(error.message)
    try:
        return ast.literal_eval(match.group(1)) if match else None
    except (ValueError, SyntaxError, RecursionError, MemoryError):
        return None


# where a value is a schema or is checked against one: the first places to look for a bad value
_SCHEMA_SLOTS = {"items", "additionalProperties", "not", "schema", "default", "example"}
_SCHEMA_MAPS = {"properties", "patternProperties", "schemas", "allOf", "anyOf", "oneOf"}


def _holding(document: dict[str, Any], instance: Any) -> str:
    """The place holding `instance`, a value the validator reports without a path: the first
    where a schema (or a value checked against one) stands, else the first at all ('#' if none)."""
    places = [at for at, value in _values(document, ()) if at and _same(value, instance)]
    slots = [
        at for at in places if at[-1] in _SCHEMA_SLOTS or at[-2:-1] in {(k,) for k in _SCHEMA_MAPS}
    ]
    return pointer_of((slots or places)[0]) if places else "#"


def _same(value: Any, instance: Any) -> bool:
    return type(value) is type(instance) and bool(value == instance)


def _values(node: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield at, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _values(value, at + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _values(value, at + (i,))


def _nodes(node: Any, at: tuple[Any, ...]) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(node, dict):
        yield at, node
        for key, value in node.items():
            yield from _nodes(value, at + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _nodes(value, at + (i,))


def _message(error: Any) -> str:
    """A validator's message; one too long for a line, starting with the value it is about, has
    the value abbreviated (`{'Example 1': {...}} is not of type 'array'`): the value can be a
    whole schema, and the cause comes after it."""
    message = str(error.message)
    if type(error.instance).__name__ != "Unset":
        quoted = repr(error.instance)
        if len(message) > MAX_MESSAGE and message.startswith(quoted):  # (short ones stay whole)
            message = _QUOTED.repr(error.instance) + message[len(quoted) :]
    return message


def _quoting() -> reprlib.Repr:
    quoting = reprlib.Repr()  # (keyword arguments only from Python 3.12)
    quoting.maxlevel, quoting.maxdict, quoting.maxlist = 2, 2, 3
    quoting.maxstring, quoting.maxother = 40, 60
    return quoting


_QUOTED = _quoting()


def _short(message: str) -> str:
    """One line of at most MAX_MESSAGE characters; a longer one loses its middle, never its end
    (where a message says what is wrong)."""
    message = " ".join(message.split())
    if len(message) <= MAX_MESSAGE:
        return message
    head = MAX_MESSAGE // 2
    return message[:head] + " … " + message[-(MAX_MESSAGE - head - 3) :]


def located(
    spec: LoadedSpec, found: list[tuple[str, str]], severity: str = "error"
) -> list[Problem]:
    """Problems from (pointer, message) pairs of the bundled document, located in their files."""
    return [
        Problem(p.file, p.message, p.pointer, p.line, p.column, severity)
        for p in _located(spec, found)
    ]


def _located(spec: LoadedSpec, found: list[tuple[str, str]] | list[Problem]) -> list[Problem]:
    origins = {item[0]: spec.origin_of(item[0]) for item in found if not isinstance(item, Problem)}
    positions = _positions(list(origins.values()))
    problems = []
    for item in found:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        pointer, message = item
        file, inner = origins[pointer]
        line, column = positions.get((file.absolute(), inner)) or (None, None)
        problems.append(Problem(file, message, pointer=inner, line=line, column=column))
    return problems


def _positions(places: list[tuple[Path, str]]) -> dict[tuple[Path, str], tuple[int, int] | None]:
    """Line and column of each (file, pointer), every file read and parsed once; the positions
    found are kept for the next call (a file's text is part of the key)."""
    wanted: dict[Path, list[str]] = {}
    for file, pointer in places:
        wanted.setdefault(file.absolute(), []).append(pointer)
    found: dict[tuple[Path, str], tuple[int, int] | None] = {}
    for file, pointers in wanted.items():
        try:
            stamp = file.stat()
        except OSError:
            continue
        key = (file, stamp.st_mtime_ns, stamp.st_size)
        if key not in _KNOWN_POSITIONS and len(_KNOWN_POSITIONS) >= 16:
            _KNOWN_POSITIONS.clear()
        known = _KNOWN_POSITIONS.setdefault(key, {})
        missing = [p for p in dict.fromkeys(pointers) if p not in known]
        if missing:
            known.update(locate_all(file, missing))
        found.update({(file, p): known[p] for p in pointers})
    return found


# positions found so far, per (file, mtime, size): a long-lived process (the mock, tests) asks again
_KNOWN_POSITIONS: dict[tuple[Path, int, int], dict[str, tuple[int, int] | None]] = {}
