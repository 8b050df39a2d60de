"""Where specbind's own files are."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent


def template_dir() -> Path:
    """The Jinja2 templates: `templates/` beside the package in a checkout, bundled copy in a wheel."""
    for candidate in (PACKAGE_DIR.parent / "templates", PACKAGE_DIR / "_templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("specbind's templates folder is missing; reinstall specbind")


def compiled_templates() -> Any:
    """Jinja2's compiled form of the templates, kept like Python keeps `.pyc` files: in a `__pycache__`
    folder beside them (else in the user's cache), reused while a template's source is unchanged.
    Compiling them costs a cold run about as much as rendering them."""
    from jinja2 import FileSystemBytecodeCache

    for folder in (template_dir() / "__pycache__", cache_dir() / "templates"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return FileSystemBytecodeCache(str(folder), "%s.jinja2c")
    return None


def cache_dir() -> Path:
    """specbind's cache: `$SPECBIND_CACHE`, else `$XDG_CACHE_HOME/specbind` or `~/.cache/specbind`."""
    base = os.environ.get("SPECBIND_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "specbind"
