"""Whole-stage results kept by content: a stage that sees the same input again returns what it
returned before instead of running again.

A result is stored under the sha256 of everything that decides it: the stage's name, its input
(pickled: same bytes only for the same structure, types and all), the versions of the tools the stage
runs, and every source file of specbind's pipeline (`specbind.spec`, `specbind.codegen`) and its
templates, so an upgrade or a local edit never reads an older result. Entries live in specbind's
user cache (`paths.cache_dir()`: `$SPECBIND_CACHE`, else `$XDG_CACHE_HOME/specbind`), never next to
the generated code; `SPECBIND_NO_CACHE=1` turns every cache off. Each entry is written to a
temporary file and renamed into place, so concurrent runs see a whole entry or none, and an entry
that cannot be read back (truncated, from another Python) counts as missing.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from specbind.codegen.paths import PACKAGE_DIR, cache_dir, caching_enabled, template_dir

# bump when the layout of an entry changes
FORMAT = 1


def key(stage: str, tools: tuple[str, ...], *inputs: Any) -> str:
    """The key of `stage`'s result for `inputs`, run with the installed versions of `tools`."""
    digest = hashlib.sha256(f"{stage}|{FORMAT}|{_versions(tools)}|{code_hash()}|".encode())
    digest.update(pickle.dumps(inputs, protocol=5))
    return digest.hexdigest()


def read(entry: str) -> Any | None:
    """The stored result under `entry`, or None when there is none (or caching is off)."""
    if not caching_enabled():
        return None
    try:
        with open(_path(entry), "rb") as file:
            stored_key, value = pickle.load(file)
    except Exception:  # missing, unreadable or foreign: recompute
        return None
    return value if stored_key == entry else None


def write(entry: str, value: Any) -> None:
    """Store `value` under `entry`; a read-only or full disk only costs speed."""
    if not caching_enabled():
        return
    path = _path(entry)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as file:
            pickle.dump((entry, value), file, protocol=5)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def _path(entry: str) -> Path:
    return cache_dir() / "stages" / entry[:2] / entry


@lru_cache(maxsize=8)
def _versions(tools: tuple[str, ...]) -> str:
    found = []
    for tool in tools:
        try:
            found.append(f"{tool}={version(tool)}")
        except PackageNotFoundError:
            found.append(f"{tool}=not installed")
    return ",".join(found)


@lru_cache(maxsize=1)
def code_hash() -> str:
    """One hash over specbind's pipeline code and templates: what else decides a stage's result."""
    digest = hashlib.sha256()
    roots = [PACKAGE_DIR / "spec", PACKAGE_DIR / "codegen", template_dir()]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix not in (".pyc", ".jinja2c") and not _cached(path):
                digest.update(f"{path.relative_to(root.parent).as_posix()}\0".encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _cached(path: Path) -> bool:
    return "__pycache__" in path.parts
