"""A document cut into parts that validate on their own, so a run after a small edit validates only
what changed (`validate.validate` with a record of clean parts).

A part is one path item, one webhook or one component (a schema, a response, a parameter...). Its
key covers its own content, the content of every component it reaches through `$ref`s (and
discriminator mappings), and the rest of the document (`info`, `servers`, security schemes...): a
part with a key found clean before is clean again. A document whose references reach anywhere else
(into `paths`, or inside a part in a way this cannot follow) is not cut at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from specbind.spec.problems import parts_of

# top-level maps whose entries are parts (components: each map under it)
PART_MAPS = ("paths", "webhooks")
# components that the rest of the document names without a `$ref`: kept with it, not cut
NAMED_COMPONENTS = ("securitySchemes",)

Location = tuple[str, ...]
# the location standing for everything outside the parts: checked like a part (every reduced
# document holds it), so a document with no parts, or one whose problem lies outside them, is checked
REST: Location = ("",)


@dataclass(frozen=True)
class Parts:
    """The keys of a document's parts, and which components each reaches."""

    keys: dict[Location, str]
    reaches: dict[Location, frozenset[Location]]

    def covering(self, wanted: Iterable[Location]) -> set[Location]:
        """The parts `wanted` and every component they reach."""
        out: set[Location] = set()
        for location in wanted:
            out.add(location)
            out |= self.reaches[location]
        return out


def cut(document: dict[str, Any]) -> Parts | None:
    """The document's parts with their keys; None when it cannot be cut safely."""
    rest, own = _split(document)
    if own is None:
        return None
    try:
        content = {location: _digest(node) for location, node in own.items()}
        base = _digest(rest)
    except (TypeError, ValueError, RecursionError):  # not plain JSON data: check it whole
        return None
    direct: dict[Location, set[Location]] = {}
    for location, node in own.items():
        refs = _references(node)
        if refs is None or not refs <= own.keys():
            return None  # a reference outside the components (or to one that is not there)
        direct[location] = refs
    reaches = {location: _reach(location, direct) for location in own}
    reaches[REST] = frozenset()
    keys = {REST: hashlib.sha256(f"rest|{base}".encode()).hexdigest()}
    for location in own:
        digest = hashlib.sha256(f"{base}|{_name(location)}|{content[location]}".encode())
        for other in sorted(reaches[location]):
            digest.update(f"|{_name(other)}={content[other]}".encode())
        keys[location] = digest.hexdigest()
    return Parts(keys, reaches)


# where `reduced` puts the components the checked parts only refer to: an extension member, which
# openapi-spec-validator does not check, while references into it still resolve
PARKED = "x-specbind-parked"


def reduced(
    document: dict[str, Any], locations: Iterable[Location], parked: Iterable[Location] = ()
) -> dict[str, Any]:
    """The document with only the parts at `locations` (with the rest of it, which every part
    needs), and the components at `parked` under `PARKED`, every reference to them pointing there:
    they are there to be reached, not checked. The caller passes all the parts reach, so every
    reference resolves."""
    out, _ = _split(document)
    out = dict(out)
    moved = {location for location in parked if location[0] == "components"}
    if PARKED in out:  # the document has a member of that name (!): nothing is parked
        locations, moved = set(locations) | moved, set()
    rewrite = _references_into(moved, PARKED)
    for location in sorted(set(locations) - moved):
        if location == REST:
            continue
        if location[0] == "components":
            node = document["components"][location[1]][location[2]]
            components = out.setdefault("components", {})
            components.setdefault(location[1], {})[location[2]] = rewrite(node)
        else:
            out.setdefault(location[0], {})[location[1]] = rewrite(
                document[location[0]][location[1]]
            )
    for _, kind, name in sorted(moved):
        node = document["components"][kind][name]
        out.setdefault(PARKED, {}).setdefault(kind, {})[name] = rewrite(node)
    return out


def _references_into(moved: set[Location], to: str) -> Callable[[Any], Any]:
    """A copier of a part with its references to the `moved` components pointing under `to`."""
    if not moved:
        return lambda node: node

    def target(ref: Any) -> Any:
        if isinstance(ref, str):
            location = _component(ref) if ref.startswith("#") else None
            if location in moved:
                return "#/" + to + ref[len("#/components") :]
        return ref

    def copy(node: Any) -> Any:
        if isinstance(node, dict):
            out = {key: copy(value) for key, value in node.items()}
            if "$ref" in out:
                out["$ref"] = target(out["$ref"])
            mapping = _discriminator_mapping(out)
            if mapping is not None:
                out["mapping"] = {key: target(value) for key, value in mapping.items()}
            return out
        if isinstance(node, list):
            return [copy(item) for item in node]
        return node

    return copy


def _split(document: dict[str, Any]) -> tuple[dict[str, Any], dict[Location, Any] | None]:
    """The document without its parts (their maps left empty), and the parts by location; None
    for the parts when a map that should hold them is something else."""
    rest = {key: value for key, value in document.items() if key not in PART_MAPS + ("components",)}
    own: dict[Location, Any] = {}
    for key in PART_MAPS:
        if key in document:
            items = document[key]
            if not isinstance(items, dict):
                return rest, None
            rest[key] = {}
            own.update({(key, name): node for name, node in items.items()})
    if "components" in document:
        components = document["components"]
        if not isinstance(components, dict):
            return rest, None
        kept: dict[str, Any] = {}
        for kind, items in components.items():
            if kind in NAMED_COMPONENTS or kind.startswith("x-"):
                kept[kind] = items
                continue
            if not isinstance(items, dict):
                return rest, None
            kept[kind] = {}
            own.update({("components", kind, name): node for name, node in items.items()})
        rest["components"] = kept
    return rest, own


def _references(node: Any) -> set[Location] | None:
    """The components `node` refers to directly; None for a reference that is not to one."""
    found: set[Location] = set()
    todo = [node]
    while todo:
        item = todo.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                target = _component(ref)
                if target is None:
                    return None
                found.add(target)
            mapping = _discriminator_mapping(item)
            if mapping is not None:
                for value in mapping.values():
                    if isinstance(value, str):
                        target = (
                            _component(value)
                            if value.startswith("#")
                            else ("components", "schemas", value)
                        )
                        if target is None:
                            return None
                        found.add(target)
            todo.extend(item.values())
        elif isinstance(item, list):
            todo.extend(item)
    return found


def _discriminator_mapping(node: dict[str, Any]) -> dict[str, Any] | None:
    """The `mapping` of `node` when it is a discriminator (its values refer to schemas)."""
    mapping = node.get("mapping")
    return mapping if isinstance(mapping, dict) and "propertyName" in node else None


def _component(ref: str) -> Location | None:
    """The component a local `$ref` lands in (or inside): `#/components/schemas/Pet/properties/x`
    lands in ("components", "schemas", "Pet"); None for any other reference."""
    if not ref.startswith("#/components/"):
        return None
    segments = parts_of(ref)
    if len(segments) < 3 or segments[1] in NAMED_COMPONENTS:
        return None
    return ("components", segments[1], segments[2])


def _reach(start: Location, direct: dict[Location, set[Location]]) -> frozenset[Location]:
    seen: set[Location] = set()
    todo = list(direct[start])
    while todo:
        location = todo.pop()
        if location not in seen:
            seen.add(location)
            todo.extend(direct[location])
    seen.discard(start)
    return frozenset(seen)


def _digest(node: Any) -> str:
    text = json.dumps(node, sort_keys=True, separators=(",", ":"), default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def _name(location: Location) -> str:
    return json.dumps(location)
