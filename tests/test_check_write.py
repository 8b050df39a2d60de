"""Writing a package: atomic replacement; files specbind did not write are never deleted or overwritten."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from specbind.codegen.generate import generate
from specbind.spec.problems import SpecError
from specbind.vendoring import write
from specbind.vendoring.record import RECORD_NAME, dump_record, make_record
from specbind.vendoring.write import write_package

from tests.helpers import ROOT, package_files

BASE = ROOT / "tests" / "specs" / "evolution" / "base.yaml"


def _files(names: dict[str, str]) -> dict[str, str]:
    """A package in memory with a record listing exactly these files."""
    files = dict(names)
    files[RECORD_NAME] = dump_record(make_record({Path("x.yaml"): b"x"}, {}, files))
    return files


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_stale_generated_files_disappear_and_user_files_stay(tmp_path: Path) -> None:
    write_package(
        tmp_path,
        "pkg",
        _files({"__init__.py": "", "models.py": "A = 1\n", "old_model.py": "B = 2\n"}),
    )
    (tmp_path / "pkg" / "custom.py").write_text("mine\n")
    (tmp_path / "pkg" / "notes").mkdir()
    (tmp_path / "pkg" / "notes" / "todo.txt").write_text("mine too\n")
    write_package(tmp_path, "pkg", _files({"__init__.py": "", "models.py": "A = 2\n"}))
    tree = _tree(tmp_path / "pkg")
    assert "old_model.py" not in tree
    assert tree["custom.py"] == "mine\n" and tree["notes/todo.txt"] == "mine too\n"
    assert tree["models.py"] == "A = 2\n"


def test_a_spec_that_emits_fewer_models_removes_them(tmp_path: Path) -> None:
    full = package_files(BASE, "pets")
    write_package(tmp_path, "pets", full)
    record = json.loads(full[RECORD_NAME])
    extra = "pets_v1_compat.py"  # as if an earlier generation had emitted it
    (tmp_path / "pets" / extra).write_text("OLD = 1\n")
    record["files"][extra] = "0" * 64
    (tmp_path / "pets" / RECORD_NAME).write_text(dump_record(record))
    write_package(tmp_path, "pets", full)
    assert not (tmp_path / "pets" / extra).exists()
    assert _tree(tmp_path / "pets") == full


def test_never_overwrites_a_file_specbind_did_not_write(tmp_path: Path) -> None:
    write_package(tmp_path, "pkg", _files({"__init__.py": ""}))
    (tmp_path / "pkg" / "models.py").write_text("hand written\n")
    before = _tree(tmp_path / "pkg")
    with pytest.raises(SpecError) as err:
        write_package(tmp_path, "pkg", _files({"__init__.py": "", "models.py": "A = 1\n"}))
    assert "models.py: error: was not written by specbind; refusing to overwrite it" in str(
        err.value
    )
    assert _tree(tmp_path / "pkg") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # no staging folder left behind


def test_folder_without_a_record_is_all_user_files(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("mine\n")
    with pytest.raises(SpecError):
        write_package(tmp_path, "pkg", _files({"__init__.py": ""}))
    write_package(tmp_path, "pkg", _files({"client.py": "C = 1\n"}))
    assert _tree(tmp_path / "pkg")["__init__.py"] == "mine\n"


def test_symlink_kept_as_a_symlink(tmp_path: Path) -> None:
    write_package(tmp_path, "pkg", _files({"__init__.py": ""}))
    (tmp_path / "elsewhere.txt").write_text("outside\n")
    os.symlink(tmp_path / "elsewhere.txt", tmp_path / "pkg" / "link.txt")
    write_package(tmp_path, "pkg", _files({"__init__.py": "X = 1\n"}))
    assert (tmp_path / "pkg" / "link.txt").is_symlink()


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_replacement_swaps_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    results: list[bool] = []
    real = write._exchange
    monkeypatch.setattr(
        write, "_exchange", lambda a, b: results.append(exchange and real(a, b)) or results[-1]
    )
    write_package(tmp_path, "pkg", _files({"__init__.py": "v1\n"}))
    inode = (tmp_path / "pkg").stat().st_ino
    write_package(tmp_path, "pkg", _files({"__init__.py": "v2\n"}))
    assert results == [exchange]  # Linux swaps the two folders in one renameat2 call
    assert (tmp_path / "pkg").stat().st_ino != inode  # a new folder took the old one's place
    assert _tree(tmp_path / "pkg")["__init__.py"] == "v2\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_failure_while_staging_leaves_the_old_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_package(tmp_path, "pkg", _files({"__init__.py": "v1\n"}))
    before = _tree(tmp_path / "pkg")

    def boom(staging: Path, target: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(write, "_swap", boom)
    with pytest.raises(OSError):
        write_package(tmp_path, "pkg", _files({"__init__.py": "v2\n"}))
    assert _tree(tmp_path / "pkg") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


def test_crash_between_the_two_renames_is_recovered(tmp_path: Path) -> None:
    write_package(tmp_path, "pkg", _files({"__init__.py": "v1\n"}))
    (tmp_path / "pkg" / "custom.py").write_text("mine\n")
    os.replace(tmp_path / "pkg", tmp_path / ".pkg.old")  # what a crash mid-swap leaves
    write_package(tmp_path, "pkg", _files({"__init__.py": "v2\n"}))
    assert _tree(tmp_path / "pkg") == {
        "__init__.py": "v2\n",
        "custom.py": "mine\n",
        RECORD_NAME: _tree(tmp_path / "pkg")[RECORD_NAME],
    }
    assert not (tmp_path / ".pkg.old").exists()
