"""Stage 6 — write: replace OUTDIR/PACKAGE atomically, never touching files specbind did not write."""

from __future__ import annotations

import errno
import os
import shutil
import sys
import tempfile
from pathlib import Path

from specbind.spec.problems import Problem, SpecError
from specbind.vendoring.record import RECORD_NAME, read_record, recorded_files


def owned_files(package_dir: Path) -> set[str] | None:
    """Files the record says specbind wrote there; None when there is no record."""
    record = read_record(package_dir)
    if record is None:
        return None
    return set(recorded_files(record)) | {RECORD_NAME}


def foreign_files(package_dir: Path) -> list[str]:
    """Files in an existing package folder that specbind did not write (relative, posix)."""
    if not package_dir.exists():
        return []
    owned = owned_files(package_dir) or set()
    found = []
    for path in sorted(package_dir.rglob("*")):
        rel = path.relative_to(package_dir).as_posix()
        if (
            (path.is_file() or path.is_symlink())
            and rel not in owned
            and "__pycache__" not in path.parts
        ):
            found.append(rel)
    return found


def write_package(out_dir: Path, package: str, files: dict[str, str]) -> Path:
    """Write the files as OUTDIR/PACKAGE in one step; returns the package folder.

    Files that specbind did not write are carried over untouched; a generated file that would
    overwrite one of them is an error. Stale generated files (from removed models) disappear.
    A package folder that is a symlink to a folder is followed: the folder it points to is
    replaced, and the link stays. Every failure is a SpecError naming the folder.
    """
    target = out_dir / package
    try:
        return _write(target, files)
    except SpecError:
        raise
    except OSError as exc:
        raise SpecError([Problem(target, _why(exc, target))]) from None


def _why(exc: OSError, target: Path) -> str:
    if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) and exc.filename2 is not None:
        return "another run wrote this folder at the same time; nothing of this run was kept, run again"
    reason = exc.strerror or str(exc)
    shown = exc.filename and not str(exc.filename).endswith(STAGING_SUFFIX)
    where = f" ({exc.filename})" if shown and Path(exc.filename) != target else ""
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"cannot write here: {reason}{where}; nothing was changed"
    return f"cannot write the package: {reason}{where}; nothing was changed"


def _write(target: Path, files: dict[str, str]) -> Path:
    if target.is_symlink():
        if not target.resolve().is_dir():
            raise SpecError(
                [
                    Problem(
                        target,
                        "is a symlink to something that is not a folder; refusing to replace it",
                    )
                ]
            )
        target = Path(os.path.realpath(target))  # the link stays and shows the new package
    out_dir, package = target.parent, target.name
    if out_dir.exists() and not out_dir.is_dir():
        raise SpecError(
            [Problem(out_dir, "is not a folder; give a folder to write the package into")]
        )
    _recover(target)
    if target.exists() and not target.is_dir():
        raise SpecError([Problem(target, "exists and is not a directory; refusing to replace it")])
    keep = foreign_files(target)
    clashes = sorted(set(keep) & set(files))
    if clashes:
        raise SpecError(
            [
                Problem(target / name, "was not written by specbind; refusing to overwrite it")
                for name in clashes
            ]
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(out_dir, package)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{package}.{os.getpid()}.", suffix=STAGING_SUFFIX, dir=out_dir)
    )
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    try:
        for name, content in files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode("utf-8"))
        for name in keep:
            (staging / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target / name, staging / name, follow_symlinks=False)
        _swap(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


STAGING_SUFFIX = ".new"


def remove_abandoned_staging(out_dir: Path, package: str) -> list[Path]:
    """Remove the staging folders (`.PACKAGE.PID.*.new`) of runs that were killed: those whose
    process is gone. A staging folder of a run still going is left alone."""
    removed = []
    for folder in out_dir.glob(f".{package}.*{STAGING_SUFFIX}"):
        pid = folder.name[len(package) + 2 :].split(".", 1)[0]
        if folder.is_dir() and not folder.is_symlink() and not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _alive(pid: str) -> bool:
    if not pid.isdigit():
        return False  # written before staging folders carried their process id
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _swap(staging: Path, target: Path) -> None:
    """Put staging in target's place in one step; the old folder is removed afterwards."""
    if not target.exists():
        os.replace(staging, target)
        return
    if _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)
        return
    # No atomic exchange here: two renames; _recover() repairs a crash between them.
    old = _old(target)
    if old.exists():
        shutil.rmtree(old)
    os.replace(target, old)
    try:
        os.replace(staging, target)
    except BaseException:
        os.replace(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return bool(renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0)


def _old(target: Path) -> Path:
    return target.with_name(f".{target.name}.old")


def _recover(target: Path) -> None:
    """A crash between the two renames of the fallback swap leaves only the old folder: restore it."""
    old = _old(target)
    if old.is_dir() and not target.exists():
        os.replace(old, target)
