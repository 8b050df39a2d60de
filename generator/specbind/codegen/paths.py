"""Where specbind's own files are."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the `specbind` package


def template_dir() -> Path:
    """The Jinja2 templates. In a checkout or an editable install, `templates/` at the top of the
    repository that holds `generator/specbind` (so edits to them take effect); in a wheel, the copy
    inside the package (`specbind/_templates`). Never a `templates` folder that merely sits beside
    the package in site-packages: another distribution may own that."""
    if PACKAGE_DIR.parent.name == "generator":
        checkout = PACKAGE_DIR.parent.parent / "templates"
        if checkout.is_dir() and (checkout.parent / "pyproject.toml").is_file():
            return checkout
    bundled = PACKAGE_DIR / "_templates"
    if bundled.is_dir():
        return bundled
    raise FileNotFoundError("specbind's templates folder is missing; reinstall specbind")


def runtime_dir() -> Path:
    """The runtime modules every generated package carries (`specbind/codegen/runtime`), read as text."""
    return PACKAGE_DIR / "codegen" / "runtime"


def compiled_templates(flavour: str = "") -> Any:
    """Jinja2's compiled form of the templates, kept like Python keeps `.pyc` files: in a `__pycache__`
    folder beside them (else in the user's cache), reused while a template's source is unchanged.
    Compiling them costs a cold run about as much as rendering them. `flavour` names an environment
    that compiles differently (its own files)."""
    from jinja2 import FileSystemBytecodeCache

    for folder in (template_dir() / "__pycache__", cache_dir() / "templates"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        if os.access(folder, os.W_OK):
            return FileSystemBytecodeCache(
                str(folder), f"%s{'.' + flavour if flavour else ''}.jinja2c"
            )
    return None


def caching_enabled() -> bool:
    """False when `SPECBIND_NO_CACHE` is set (to anything but "" or "0"): every run computes everything."""
    return os.environ.get("SPECBIND_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path:
    """specbind's cache: `$SPECBIND_CACHE`, else `$XDG_CACHE_HOME/specbind` or `~/.cache/specbind`."""
    base = os.environ.get("SPECBIND_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "specbind"
