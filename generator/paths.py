"""Where specbind's own files are."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def template_dir() -> Path:
    """The Jinja2 templates: `templates/` beside the package in a checkout, bundled copy in a wheel."""
    for candidate in (PACKAGE_DIR.parent / "templates", PACKAGE_DIR / "_templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("specbind's templates folder is missing; reinstall specbind")
