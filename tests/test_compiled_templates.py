"""Compiled templates are kept like .pyc files, for the package templates and datamodel-code-generator's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from specbind.codegen import endpoints, paths

from tests.helpers import ROOT

KEPT = paths.template_dir() / "__pycache__"


def test_package_templates_are_compiled_once_and_kept_beside_them() -> None:
    # Only these templates' own files are removed: other test workers generate meanwhile, and
    # write into the same folder.
    kept = _compiled_package_templates()
    for path in kept:
        path.unlink(missing_ok=True)
    endpoints._environment.cache_clear()
    _load_package_templates()
    first = {p: p.stat().st_mtime_ns for p in kept}  # every one of them is there again
    endpoints._environment.cache_clear()
    _load_package_templates()
    assert {p: p.stat().st_mtime_ns for p in kept} == first  # read, not written again


def _compiled_package_templates() -> list[Path]:
    """Where Jinja2 keeps the compiled form of each package template (its cache key names it)."""
    cache = endpoints._environment().bytecode_cache
    assert cache is not None
    folder = paths.template_dir() / "package"
    assert Path(cache.directory) == KEPT
    return [
        Path(cache.directory) / (cache.pattern % cache.get_cache_key(name, str(folder / name)))
        for name in endpoints.API_FILES.values()
    ]


def _load_package_templates() -> None:
    for template in endpoints.API_FILES.values():
        endpoints._environment().get_template(template)


def test_datamodel_code_generator_keeps_its_compiled_model_templates_there_too() -> None:
    # Only the model templates' files (the package templates' are `*.guarded.jinja2c`), and not the
    # folder: other test workers read and write the package templates' files meanwhile.
    for path in KEPT.glob("*.jinja2c"):
        if not path.name.endswith(".guarded.jinja2c"):
            path.unlink(missing_ok=True)
    code = (
        "from specbind.spec.load import load; from specbind.codegen.models import generate_models; "
    )
    code += f"generate_models(load({str(ROOT / 'spec' / 'chat-api.yaml')!r}).document, '# h')"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    models = [p for p in KEPT.glob("*.jinja2c") if not p.name.endswith(".guarded.jinja2c")]
    assert len(models) >= 2  # dataclass.jinja2 and Enum.jinja2 at least


def test_an_unusable_templates_folder_falls_back_to_the_user_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "__pycache__").write_text("not a folder")
    monkeypatch.setattr(paths, "template_dir", lambda: tmp_path / "templates")
    monkeypatch.setenv("SPECBIND_CACHE", str(tmp_path / "cache"))
    assert Path(paths.compiled_templates().directory) == tmp_path / "cache" / "templates"
