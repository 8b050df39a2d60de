"""Provenance: the machine-readable record of what produced a generated package."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from generator.paths import template_dir

RECORD_NAME = "_specbind_record.json"
RECORD_FORMAT = 1


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


@lru_cache(maxsize=1)
def tool_versions() -> dict[str, str]:
    """Versions of every tool that decides the output bytes."""
    return {
        name: version(name)
        for name in ("specbind", "datamodel-code-generator", "black", "isort", "Jinja2")
    }


def template_hashes() -> dict[str, str]:
    root = template_dir()
    return {
        path.relative_to(root).as_posix(): sha256(path.read_bytes())
        for path in sorted(root.rglob("*.jinja2"))
    }


def spec_digest(files: dict[Path, bytes]) -> tuple[str, dict[str, str]]:
    """One sha256 over every file of a (multi-file) spec, and each file's own."""
    per_file = {path.as_posix(): sha256(data) for path, data in sorted(files.items(), key=lambda kv: kv[0].as_posix())}
    combined = sha256("\n".join(f"{name} {digest}" for name, digest in per_file.items()))
    return combined, per_file


def make_record(
    spec_files: dict[Path, bytes], options: dict[str, Any], files: dict[str, str]
) -> dict[str, Any]:
    combined, per_file = spec_digest(spec_files)
    return {
        "format": RECORD_FORMAT,
        "spec": {"sha256": combined, "files": per_file},
        "tools": tool_versions(),
        "templates": template_hashes(),
        "options": options,
        "files": {name: sha256(content) for name, content in sorted(files.items())},
    }


def dump_record(record: dict[str, Any]) -> str:
    return json.dumps(record, indent=2, sort_keys=True) + "\n"


def read_record(package_dir: Path) -> dict[str, Any] | None:
    """The record of a generated package, or None if there is none (or it is unreadable)."""
    try:
        record = json.loads((package_dir / RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None
