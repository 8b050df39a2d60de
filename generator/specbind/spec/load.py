"""Stage 1 — load: read a YAML or JSON spec and bundle its relative external `$ref`s into one document.

Multi-file specs are resolved with `referencing`. External schemas are hoisted into
`components/schemas` (so they become named models); other external objects are inlined.
A `$ref` may read only files inside the spec's folder tree, or inside a folder the configuration
names (`allow_ref_dirs`, `ref_map`); real paths are compared, so a symlink cannot lead out.
Remote (`http(s)://`) references are read only from the local folder `ref_map` maps their URL
prefix to: specbind never fetches anything.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import yaml
from specbind.spec.json_positions import json_positions
from specbind.spec.problems import Problem, SpecError, parts_of, pointer_of

if TYPE_CHECKING:
    from referencing import Registry, Resource

MAX_BYTES = 25 * 1024 * 1024
# Every later stage's work grows with the nodes it walks: YAML aliases expanded, external objects
# inlined where they are used, local non-schema `$ref`s (parameters, responses, ...) once per use.
# A spec may expand to at most EXPANSION_FACTOR times the nodes written in its files (plus a small
# allowance), and never past MAX_NODES: a 10,000-schema spec is about 600,000-850,000 nodes as
# written and expands by under 2x, while 63 KB of aliases once made 1.6 million nodes (>600 s).
MAX_NODES = 2_000_000
EXPANSION_FACTOR = 10
EXPANSION_ALLOWANCE = 10_000
MAX_DEPTH = 100  # real specs nest a few dozen levels; every later stage recurses
REMOTE_SCHEMES = ("http", "https", "ftp")
# Keys under which a $ref points at a schema (once inside a schema, everything below is schema).
SCHEMA_KEYS = {"schema", "schemas"}

# A whole component schema: later stages name its class instead of expanding it.
_SCHEMA_REF = re.compile(r"#/components/schemas/[^/]+")

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _JsonValuesLoader(_Loader):  # type: ignore[misc,valid-type]
    """SafeLoader that keeps timestamps as strings, so examples stay JSON values."""


_JsonValuesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


class DuplicateKey(yaml.MarkedYAMLError):
    """A mapping names the same key twice; PyYAML would silently keep the last one."""


def _construct_mapping(
    loader: yaml.SafeLoader, node: yaml.MappingNode, deep: bool = False
) -> dict[str, Any]:
    """A mapping whose keys are the text written in the file (JSON keys are strings: `200`, `True`
    and `null` stay "200", "True" and "null"), refusing a key written twice."""
    first_at: dict[str, yaml.Mark] = {}
    for key_node, _ in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
            if key_node.value in first_at:
                raise DuplicateKey(
                    None,
                    None,
                    f"duplicate key {key_node.value!r} (first at line {first_at[key_node.value].line + 1}); "
                    "YAML would keep only the last",
                    key_node.start_mark,
                )
            first_at[key_node.value] = key_node.start_mark
    loader.flatten_mapping(node)
    mapping: dict[str, Any] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None,
                None,
                "a mapping key must be a plain value, not a list or mapping",
                key_node.start_mark,
            )
        mapping[key_node.value] = loader.construct_object(value_node, deep=deep)
    return mapping


_JsonValuesLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


@dataclass(frozen=True)
class RefAccess:
    """Where a spec's `$ref`s may read besides the spec's own folder tree."""

    ref_map: tuple[tuple[str, Path], ...] = ()  # URL prefix -> local folder holding its copy
    allow_dirs: tuple[Path, ...] = ()  # further folders whose files may be referenced


@dataclass
class LoadedSpec:
    """A spec as one JSON-compatible document, with every file it was read from."""

    path: Path
    document: dict[str, Any]
    files: dict[Path, bytes] = field(default_factory=dict)
    # pointer in `document` -> (file, pointer in that file) for content that came from another file
    origins: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def origin_of(self, pointer: str) -> tuple[Path, str]:
        """The file and in-file pointer a pointer of the bundled document came from."""
        best = ""
        for prefix in self.origins:
            if (pointer == prefix or pointer.startswith(prefix + "/")) and len(prefix) > len(best):
                best = prefix
        if not best:
            return self.path, pointer
        file, inner = self.origins[best]
        return file, inner + pointer[len(best) :]


def read_bytes(path: Path) -> bytes:
    """Read a spec file, refusing what cannot be a spec before parsing it."""
    try:
        status = path.stat()
        size = status.st_size
        if stat.S_ISDIR(status.st_mode):
            raise SpecError([Problem(path, "is a directory, not a spec file")])
        if not stat.S_ISREG(status.st_mode):
            raise SpecError(
                [Problem(path, "is not a regular file (a pipe or device?); give a spec file")]
            )
        if size > MAX_BYTES:
            raise SpecError(
                [
                    Problem(
                        path,
                        f"file is {size / 2**20:.1f} MiB; specs over {MAX_BYTES // 2**20} MiB are refused",
                    )
                ]
            )
        data = path.read_bytes()
    except SpecError:
        raise
    except FileNotFoundError:
        raise SpecError([Problem(path, "file not found")]) from None
    except OSError as exc:
        raise SpecError([Problem(path, f"cannot read file: {exc.strerror or exc}")]) from None
    if not data.strip():
        raise SpecError([Problem(path, "file is empty")])
    if b"\x00" in data[:8192]:
        raise SpecError([Problem(path, "file is binary (contains NUL bytes), not YAML or JSON")])
    return data


def parse(data: bytes, path: Path) -> Any:
    """Parse YAML or JSON text into JSON-compatible values."""
    return parse_counted(data, path)[0]


def parse_counted(data: bytes, path: Path) -> tuple[Any, int]:
    """Parse YAML or JSON text into JSON-compatible values; with the number of nodes written
    (each YAML anchor's content once)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError([Problem(path, f"file is not UTF-8 text (byte {exc.start})")]) from None
    if text.lstrip().startswith("{"):
        try:
            value = json.loads(text, object_pairs_hook=_unique_keys)
            return value, _check_expansion(value, path)
        except json.JSONDecodeError as exc:
            raise SpecError(
                [Problem(path, f"invalid JSON: {exc.msg}", line=exc.lineno, column=exc.colno)]
            ) from None
        except RecursionError:
            raise SpecError(
                [Problem(path, f"JSON nests deeper than {MAX_DEPTH} levels; refused")]
            ) from None
        except _DuplicateJsonKey:
            pass  # parsed again below as YAML (JSON is YAML), which locates the duplicate
    try:
        value = yaml.load(text, Loader=_JsonValuesLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise SpecError(
            [
                Problem(
                    path,
                    f"invalid YAML: {what}",
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            ]
        ) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise SpecError([Problem(path, f"invalid YAML: {exc}")]) from None
    return value, _check_expansion(value, path)


class _DuplicateJsonKey(Exception):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        raise _DuplicateJsonKey()
    return mapping


def expansion_limit(written: int) -> int:
    """The most nodes a spec written with `written` nodes may expand to (see MAX_NODES)."""
    return min(MAX_NODES, EXPANSION_FACTOR * written + EXPANSION_ALLOWANCE)


def _too_big(expanded: int, written: int, how: str) -> str:
    return (
        f"expands to {expanded:,} nodes {how}; a spec of {written:,} written nodes may expand to "
        f"{expansion_limit(written):,} ({EXPANSION_FACTOR} x written + {EXPANSION_ALLOWANCE:,}, "
        f"never past {MAX_NODES:,}); refused (an alias or $ref bomb?)"
    )


def _check_expansion(value: Any, path: Path) -> int:
    """Refuse alias bombs (billion laughs) and self-referencing anchors before anything walks the
    tree; returns the number of nodes written (each anchor's content once)."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    written = 0

    def size(node: Any, depth: int) -> int:
        nonlocal written
        if not isinstance(node, (dict, list)):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise SpecError(
                [
                    Problem(
                        path, "YAML anchor refers to itself (a cyclic alias); JSON cannot hold it"
                    )
                ]
            )
        if depth > MAX_DEPTH:
            raise SpecError(
                [Problem(path, f"the document nests deeper than {MAX_DEPTH} levels; refused")]
            )
        active.add(key)
        children = node.values() if isinstance(node, dict) else node
        total = 1
        written += len(node)  # each member or item as written (an alias once)
        for child in children:  # scalars inline: most nodes are scalars, calls cost
            total += size(child, depth + 1) if isinstance(child, (dict, list)) else 1
        active.discard(key)
        sizes[key] = total
        return total

    expanded = size(value, 0)
    written += 1  # the top node
    if expanded > expansion_limit(written):
        at = _heaviest(value, sizes)
        position = locate(path, pointer_of(at))
        line, column = position if position else (None, None)
        message = _too_big(sizes[id(_at(value, at))], written, "with YAML aliases expanded")
        raise SpecError([Problem(path, message, pointer_of(at), line, column)])
    return written


def _at(value: Any, at: tuple[Any, ...]) -> Any:
    for key in at:
        value = value[key]
    return value


def _heaviest(value: Any, sizes: dict[int, int]) -> tuple[Any, ...]:
    """Where the expansion happens: down the largest child while it holds most of its parent."""
    at: tuple[Any, ...] = ()
    while isinstance(value, (dict, list)):
        items = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        if not items:
            break
        key, child = max(items, key=lambda item: sizes.get(id(item[1]), 1))
        if sizes.get(id(child), 1) * 2 < sizes[id(value)]:
            break
        at, value = at + (key,), child
    return at


def _resolve_local(document: Any, ref: str) -> Any:
    node = document
    for part in parts_of(ref):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def locate(path: Path, pointer: str) -> tuple[int, int] | None:
    """Line and column (1-based) of the node at `pointer` in a YAML/JSON file, or of its nearest parent."""
    return locate_all(path, [pointer])[pointer]


# a text that can only be JSON: its first character after white space opens an object or array
_JSON_START = re.compile(r"[ \t\r\n]*[\[{]")


def locate_all(path: Path, pointers: list[str]) -> dict[str, tuple[int, int] | None]:
    """`locate` for many pointers of one file, reading and parsing it once (a multi-MB spec
    takes seconds to compose, and a run may locate hundreds of warnings)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {pointer: None for pointer in pointers}
    if _JSON_START.match(text):  # JSON: found without composing every node
        found = json_positions(text, pointers)
        if found is not None:
            return dict(found)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        root = None
    return {pointer: _position(root, pointer) for pointer in pointers}


def _position(root: Any, pointer: str) -> tuple[int, int] | None:
    if root is None:
        return None
    node = root
    for part in parts_of(pointer):
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if str(key.value) == part:
                    child = value
                    break
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is None:
            break
        node = child
    return node.start_mark.line + 1, node.start_mark.column + 1


def load(path: str | Path, access: RefAccess | None = None) -> LoadedSpec:
    """Load a spec and everything it references by relative path (or by a URL that `access`
    maps to a local folder), as one document."""
    root = Path(path).absolute()
    data = read_bytes(Path(path))
    document, written = parse_counted(data, Path(path))
    if not isinstance(document, dict):
        kind = type(document).__name__ if document is not None else "nothing"
        raise SpecError(
            [Problem(Path(path), f"top level is {kind}; an OpenAPI document is a mapping")]
        )
    spec = LoadedSpec(path=Path(path), document=document, files={Path(path): data})
    _Bundler(spec, root, access or RefAccess(), written).run()
    return spec


class _Bundler:
    """Rewrites external `$ref`s so the document stands alone."""

    def __init__(self, spec: LoadedSpec, root: Path, access: RefAccess, written: int) -> None:
        self.spec = spec
        self.written = written  # nodes written in the files read so far
        self.limit = expansion_limit(written)
        self.nodes = 0  # nodes of the bundled document made so far
        # local non-schema $ref -> (uses, where the first one stands): expanded once per use later
        self.local_uses: dict[str, list[Any]] = {}
        self.root_uri = root.as_uri()
        # Longest prefix first, so a more specific mapping wins.
        self.ref_map = sorted(
            ((prefix, folder.absolute()) for prefix, folder in access.ref_map),
            key=lambda item: -len(item[0]),
        )
        self.allowed = [
            Path(os.path.realpath(folder))
            for folder in (root.parent, *access.allow_dirs, *(f for _, f in self.ref_map))
        ]
        self.shown = {root.as_uri(): spec.path}
        self._registry: Registry[Any] | None = (
            None  # made at the first external $ref: most specs have none
        )
        self.read: dict[str, Resource[Any]] = {}
        self.hoisted: dict[str, str] = {}  # target uri -> component name
        self.problems: list[Problem] = []
        self.new_schemas: dict[str, Any] = {}  # external schemas hoisted into components/schemas
        components = spec.document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        self.taken = set(schemas) if isinstance(schemas, dict) else set()

    @property
    def registry(self) -> Registry[Any]:
        from referencing import Registry, Resource

        if self._registry is None:
            self._registry = Registry(retrieve=self._retrieve).with_resource(  # type: ignore[call-arg]
                self.root_uri, Resource.opaque(self.spec.document)
            )
        return self._registry

    def run(self) -> None:
        document = self.spec.document
        self._name_schema_map()
        bundled = self._walk(document, self.root_uri, (), False, ())
        if self.new_schemas:
            components = bundled.setdefault("components", {})
            if isinstance(components, dict):
                schemas = components.setdefault("schemas", {})
                if isinstance(schemas, dict):
                    schemas.update(self.new_schemas)
        self.spec.document = bundled
        if self.problems:
            raise SpecError(self.problems)
        self._check_local_expansion()

    def _name_schema_map(self) -> None:
        """`components/schemas` given as a `$ref` to another file (`schemas: {$ref: schemas.json}`):
        its entries are the component schemas, so a `$ref` to one of them, from any file, names
        that component, and a schema hoisted from elsewhere takes another name. (The walk inlines
        the map, and says what is wrong with a `$ref` it cannot read.)"""
        components = self.spec.document.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        ref = schemas.get("$ref") if isinstance(schemas, dict) else None
        if not isinstance(ref, str) or ref.startswith("#"):
            return
        target, refused = self._target(ref, self.root_uri)
        if refused:
            return
        from referencing.exceptions import Unresolvable

        try:
            contents = self.registry.resolver(self.root_uri).lookup(target).contents
        except (SpecError, Unresolvable, ValueError, TypeError, LookupError):
            return
        if not isinstance(contents, dict):
            return
        file_uri, fragment = urldefrag(target)
        for name in contents:
            escaped = str(name).replace("~", "~0").replace("/", "~1")
            self.hoisted[f"{file_uri}#{fragment}/{escaped}"] = str(name)
            self.taken.add(str(name))

    def _check_local_expansion(self) -> None:
        """Later stages expand a local `$ref` to a parameter, response, ... at every use: count
        the document as they walk it, each such target once per use (its own refs included)."""
        if not self.local_uses:
            return
        document = self.spec.document
        sizes: dict[str, int] = {}

        def expanded(ref: str, seen: frozenset[str]) -> int:
            if ref in sizes:
                return sizes[ref]
            try:
                target = _resolve_local(document, ref)
            except (KeyError, IndexError, ValueError, TypeError):
                return 1  # dangling: validation says so
            total, todo = 0, [target]
            while todo:
                node = todo.pop()
                total += 1
                if isinstance(node, dict):
                    inner = node.get("$ref")
                    if isinstance(inner, str) and not _SCHEMA_REF.fullmatch(inner):
                        if inner not in seen:  # a loop is validation's to report
                            total += expanded(inner, seen | {inner})
                    todo.extend(node.values())
                elif isinstance(node, list):
                    todo.extend(node)
            sizes[ref] = total
            return total

        extra = {
            ref: uses * expanded(ref, frozenset([ref]))
            for ref, (uses, _) in self.local_uses.items()
        }
        total = self.nodes + sum(extra.values())
        if total > MAX_NODES or total > expansion_limit(self.written):
            worst = max(extra, key=lambda ref: extra[ref])
            uses, first = self.local_uses[worst]
            file = self.spec.origin_of(pointer_of(first))[0]
            message = _too_big(
                total,
                self.written,
                f"with each local $ref expanded where it is used (this one, {worst!r}: "
                f"{uses:,} uses of {sizes[worst]:,} nodes)",
            )
            raise SpecError([self._problem(file, first, message)])

    def _retrieve(self, uri: str) -> Resource[Any]:
        from referencing import Resource

        if uri not in self.read:
            file = Path(unquote(urlparse(uri).path))
            if not self._allowed(file):  # _target refused it already; never read it anyway
                raise SpecError([Problem(self.spec.path, f"refused to read {uri}")])
            shown = self._shown(file)
            data = read_bytes(shown)
            self.spec.files[shown] = data
            contents, written = parse_counted(data, shown)
            self.written += written
            self.limit = expansion_limit(self.written)
            self.read[uri] = Resource.opaque(contents)
        return self.read[uri]

    def _shown(self, file: Path) -> Path:
        """A path as the user would write it: relative to the root spec's folder when possible."""
        base = self.spec.path.parent
        try:
            return base / file.relative_to(Path(self.root_uri[len("file://") :]).parent)
        except ValueError:
            return file

    def _file_of(self, uri: str) -> Path:
        return self._shown(Path(unquote(urlparse(uri).path)))

    def _walk(
        self, node: Any, base: str, at: tuple[Any, ...], in_schema: bool, stack: tuple[str, ...]
    ) -> Any:
        self.nodes += 1
        if self.nodes > self.limit:
            message = _too_big(
                self.nodes, self.written, "by here, with $refs to other files inlined"
            )
            raise SpecError([self._problem(self._file_of(base), at, message, "")])
        if isinstance(node, list):
            return [self._walk(v, base, at + (i,), in_schema, stack) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and not (base == self.root_uri and ref.startswith("#")):
            # a whole map of components (`schemas: {$ref: schemas.json}`) is inlined as the map
            whole = base == self.root_uri and len(at) == 2 and at[0] == "components"
            return self._external(node, ref, base, at, in_schema, stack, whole=whole)
        if isinstance(ref, str) and not _SCHEMA_REF.fullmatch(ref):
            self.local_uses.setdefault(ref, [0, at])[0] += 1
        out = {}
        for key, value in node.items():
            schema_below = in_schema or key in SCHEMA_KEYS
            out[key] = self._walk(value, base, at + (key,), schema_below, stack)
        discriminator = out.get("discriminator") if in_schema else None
        if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
            at_mapping = at + ("discriminator", "mapping")
            discriminator["mapping"] = {
                tag: self._mapped(target, base, at_mapping + (tag,), stack)
                for tag, target in discriminator["mapping"].items()
            }
        return out

    def _mapped(self, target: Any, base: str, at: tuple[Any, ...], stack: tuple[str, ...]) -> Any:
        """A discriminator mapping's value, read like a `$ref` from the file that holds it.

        A value that is not a reference (no '/' or '#' and no .yaml/.json ending) names a schema
        of `components/schemas` and stays; a reference to another file becomes the pointer of the
        schema hoisted from it, so no later stage resolves it against the working directory."""
        if not isinstance(target, str):
            return target
        if not ("/" in target or "#" in target or target.endswith((".yaml", ".yml", ".json"))):
            return target
        if base == self.root_uri and target.startswith("#"):
            return target
        bundled = self._external({"$ref": target}, target, base, at, True, stack, leaf="")
        return bundled.get("$ref", target) if isinstance(bundled, dict) else target

    def _external(
        self,
        node: dict[str, Any],
        ref: str,
        base: str,
        at: tuple[Any, ...],
        in_schema: bool,
        stack: tuple[str, ...],
        leaf: str = "$ref",
        whole: bool = False,
    ) -> Any:
        """The bundled value of an external `$ref`: a schema is hoisted into components/schemas
        (unless `whole`: the map of components itself), anything else inlined where it stands."""
        where = self._file_of(base)

        def refuse(message: str) -> Any:
            self.problems.append(self._problem(where, at, message, leaf))
            return node

        target, refused = self._target(ref, base)
        if refused:
            return refuse(refused)
        file_uri, fragment = urldefrag(target)
        if file_uri == self.root_uri:
            if not _SCHEMA_REF.fullmatch("#" + fragment):
                self.local_uses.setdefault("#" + fragment, [0, at])[0] += 1
            return {**node, "$ref": "#" + fragment}
        if in_schema and target in self.hoisted:
            return {**node, "$ref": f"#/components/schemas/{self.hoisted[target]}"}
        if target in stack:
            return refuse(f"cyclic $ref {ref!r}")
        from referencing.exceptions import (
            Unresolvable,  # here only for an external $ref: most specs have none
        )

        nowhere = f"$ref {ref!r} does not resolve: no such place in {self._file_of(file_uri).name}"
        try:
            resolved = self.registry.resolver(base).lookup(target)
        except SpecError as exc:
            self.problems.extend(exc.problems)
            return node
        except Unresolvable as exc:
            cause = exc.__cause__
            while cause is not None and not isinstance(cause, SpecError):
                cause = cause.__cause__
            if isinstance(cause, SpecError) and ref.lstrip("/").startswith(
                ("components/", "paths/")
            ):
                return refuse(
                    f"$ref {ref!r} names a file; a local reference starts with '#' ('#/{ref.lstrip('/')}')"
                )
            if isinstance(cause, SpecError):  # the referenced file itself is unusable: say why
                if all(p.line is None for p in cause.problems):  # no place in it: say so here
                    why = "; ".join(f"{p.file}: {p.message}" for p in cause.problems)
                    return refuse(f"$ref {ref!r} cannot be read: {why}")
                self.problems.extend(cause.problems)
                return refuse(f"$ref {ref!r}: the file it names cannot be used (see above)")
            if type(exc).__name__ == "PointerToNowhere":
                return refuse(nowhere)
            return refuse(f"$ref {ref!r} does not resolve")
        except (ValueError, TypeError, LookupError):  # a name as a list index, a list's `#/foo`
            return refuse(nowhere)
        contents = resolved.contents
        if not isinstance(contents, dict) and not (in_schema and isinstance(contents, bool)):
            kind = "a list" if isinstance(contents, list) else f"a {type(contents).__name__}"
            wanted = "a schema" if in_schema else "a mapping"
            return refuse(f"$ref {ref!r} points at {kind}; it must point at {wanted}")
        new_base = file_uri
        origin = (self._file_of(file_uri), "#" + fragment)
        if in_schema and not whole:
            name = self._name_for(fragment, file_uri)
            self.hoisted[target] = name
            pointer = f"#/components/schemas/{name}"
            self.spec.origins[pointer] = origin
            body = self._walk(
                contents,
                new_base,
                ("components", "schemas", name),
                True,
                stack + (target,),
            )
            self.new_schemas[name] = body
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return {**siblings, "$ref": pointer}
        self.spec.origins[pointer_of(at)] = origin
        body = self._walk(contents, new_base, at, in_schema, stack + (target,))
        if isinstance(body, dict):
            body = {**body, **{k: v for k, v in node.items() if k != "$ref"}}
        return body

    def _target(self, ref: str, base: str) -> tuple[str, str]:
        """The absolute `file:` URI a `$ref` reads, or why it may not read anything.

        A URL under a `ref_map` prefix becomes the file of the same relative path in the mapped
        folder. A file may be read only when its real path (symlinks resolved) lies inside the
        spec's folder tree or a folder the configuration names."""
        target = urljoin(base, ref)
        parsed = urlparse(target)
        if parsed.scheme != "file":
            for prefix, folder in self.ref_map:
                if target.startswith(prefix):
                    address, fragment = urldefrag(target[len(prefix) :])
                    local = (folder / unquote(urlparse(address).path)).as_uri()
                    target = local + ("#" + fragment if fragment else "")
                    parsed = urlparse(target)
                    break
        if parsed.scheme != "file":
            if parsed.scheme in REMOTE_SCHEMES:
                return "", (
                    f"remote $ref {ref!r} is not fetched; map its URL prefix to a local copy "
                    "with ref_map in [tool.specbind] or --ref-map PREFIX=DIR"
                )
            return "", f"$ref {ref!r} is neither a relative path nor a URL that ref_map maps"
        if parsed.netloc not in ("", "localhost"):
            return "", f"$ref {ref!r} names another host; only local files are read"
        if not self._allowed(Path(unquote(parsed.path))):
            return "", (
                f"$ref {ref!r} reaches outside the spec's folder ({self.spec.path.parent}); "
                "allow another folder with allow_ref_dirs in [tool.specbind] or --allow-ref-dir DIR"
            )
        return target, ""

    def _allowed(self, file: Path) -> bool:
        real = Path(os.path.realpath(file))
        return any(real.is_relative_to(folder) for folder in self.allowed)

    def _problem(
        self, file: Path, at: tuple[Any, ...], message: str, leaf: str = "$ref"
    ) -> Problem:
        """A problem at the reference standing at `at` (under its key `leaf`) in `file`, with
        its line and column."""
        suffix = f"/{leaf}" if leaf else ""
        inner = pointer_of(at) + suffix
        # `at` is a pointer of the bundled document; find it in its own file
        if file != self.spec.path:
            inner = self.spec.origin_of(pointer_of(at))[1] + suffix
        position = locate(file, inner)
        line, column = position if position else (None, None)
        return Problem(file, message, pointer=inner, line=line, column=column)

    def _name_for(self, fragment: str, file_uri: str) -> str:
        parts = parts_of(fragment)
        stem = Path(urlparse(file_uri).path).stem
        base = parts[-1] if parts else stem
        name, n = base, 2
        while name in self.taken:
            name = f"{base}{n}"
            n += 1
        self.taken.add(name)
        return name
