"""Writing a package: atomic replacement; files specbind did not write are never deleted or overwritten."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

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
    with pytest.raises(SpecError, match="disk full"):
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


# ---------------------------------------------------------------- failures are one line


def _generate(*args: str) -> Any:
    from click.testing import CliRunner
    from specbind.cli import main

    return CliRunner().invoke(main, ["generate", str(BASE), *args])


def _one_line_error(result: Any, text: str) -> None:
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1 and ": error: " in result.output, result.output
    assert text in result.output


def test_outdir_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("mine\n")
    _one_line_error(
        _generate("-o", str(tmp_path / "afile"), "-p", "pets"), "afile: error: is not a folder"
    )
    _one_line_error(
        _generate("-o", str(tmp_path / "afile" / "sub"), "-p", "pets"), "Not a directory"
    )
    assert (tmp_path / "afile").read_text() == "mine\n"


@contextmanager
def _unwritable(folder: Path) -> Iterator[None]:
    """The folder made immutable (chattr +i, where root could write anything) or read-only."""
    immutable = (
        os.geteuid() == 0
        and subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0
    )
    if not immutable:
        assert os.geteuid() != 0, "cannot make a folder unwritable for root without chattr"
        folder.chmod(0o555)
    try:
        yield
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_an_unwritable_output_folder_is_one_line_and_keeps_the_old_package(
    tmp_path: Path,
) -> None:
    assert _generate("-o", str(tmp_path), "-p", "pets").exit_code == 0
    before = _tree(tmp_path / "pets")
    with _unwritable(tmp_path):
        result = _generate("-o", str(tmp_path), "-p", "pets")
    _one_line_error(result, "pets: error: cannot write here: ")
    assert "nothing was changed" in result.output
    assert _tree(tmp_path / "pets") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pets"]


def test_a_concurrent_writer_that_wins_the_race_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = os.replace

    def other_run_first(source: Any, destination: Any) -> None:
        target = Path(destination)
        if target.name == "pets" and not target.exists():
            target.mkdir()  # another run renamed its package into place just before this one
            (target / "__init__.py").write_text("theirs\n")
        real(source, destination)

    monkeypatch.setattr(os, "replace", other_run_first)
    result = _generate("-o", str(tmp_path), "-p", "pets")
    _one_line_error(result, "another run wrote this folder at the same time")
    assert _tree(tmp_path / "pets") == {"__init__.py": "theirs\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pets"]  # no staging left


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_staging_folders_of_killed_runs_are_removed_by_the_next_run(tmp_path: Path) -> None:
    killed = tmp_path / f".pkg.{_dead_pid()}.x1y2.new"
    old_style = tmp_path / ".pkg.a8b9c0.new"  # before the folders carried their process id
    running = tmp_path / f".pkg.{os.getppid()}.z3.new"  # a run still going: left alone
    other = tmp_path / f".pkg2.{_dead_pid()}.q.new"  # another package's: not ours to remove
    for folder in (killed, old_style, running, other):
        folder.mkdir()
        (folder / "__init__.py").write_text("half written")
    write_package(tmp_path, "pkg", _files({"__init__.py": ""}))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["pkg", running.name, other.name])


def test_a_killed_generation_leaves_a_staging_folder_that_the_next_run_removes(
    tmp_path: Path,
) -> None:
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from specbind.vendoring import write\n"
        "def killed(staging, target):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "write._swap = killed\n"
        f"write.write_package(Path({str(tmp_path)!r}), 'pkg', {{'__init__.py': ''}})\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert result.returncode == -9
    (left,) = [p.name for p in tmp_path.iterdir()]
    assert left.startswith(".pkg.") and left.endswith(".new")
    write_package(tmp_path, "pkg", _files({"__init__.py": ""}))
    assert [p.name for p in tmp_path.iterdir()] == ["pkg"]


def test_a_package_folder_that_is_a_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    write_package(real, "pkg", _files({"__init__.py": "v1\n"}))
    out = tmp_path / "out"
    out.mkdir()
    (out / "pkg").symlink_to(real / "pkg", target_is_directory=True)
    assert write_package(out, "pkg", _files({"__init__.py": "v2\n"})) == real / "pkg"
    assert (out / "pkg").is_symlink() and (out / "pkg").resolve() == real / "pkg"
    assert _tree(real / "pkg")["__init__.py"] == "v2\n"
    assert sorted(p.name for p in out.iterdir()) == ["pkg"]
    assert sorted(p.name for p in real.iterdir()) == ["pkg"]


def test_a_package_symlink_to_nothing_or_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pkg").symlink_to(tmp_path / "missing")
    with pytest.raises(SpecError, match="is a symlink to something that is not a folder"):
        write_package(tmp_path, "pkg", _files({"__init__.py": ""}))
    assert (tmp_path / "pkg").is_symlink() and not (tmp_path / "missing").exists()
