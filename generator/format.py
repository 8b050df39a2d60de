"""Stage 5 — format: isort then black over every generated module, cached by content hash."""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

LINE_LENGTH = 100


def _cache_dir() -> Path:
    base = os.environ.get("SPECBIND_CACHE")
    if not base:
        base = os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "specbind")
    return Path(base) / "format"


@lru_cache(maxsize=1)
def formatter_versions() -> dict[str, str]:
    """Versions of the formatters; they decide the bytes of the output."""
    from importlib.metadata import version

    return {"black": version("black"), "isort": version("isort")}


def format_code(code: str) -> str:
    """Formatted source; the same input always gives the same bytes."""
    versions = formatter_versions()
    key = hashlib.sha256(f"{versions}|{LINE_LENGTH}|".encode() + code.encode()).hexdigest()
    cached = _cache_dir() / key[:2] / key
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    result = _format(code)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(result, encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass  # a read-only home only costs speed
    return result


def _format(code: str) -> str:
    import black
    import isort

    sorted_code = isort.code(code, profile="black", line_length=LINE_LENGTH)
    mode = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=LINE_LENGTH)
    return black.format_str(sorted_code, mode=mode)
