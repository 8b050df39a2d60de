"""Stage 5 — format: isort then black over every generated module, cached by content hash.

A module is cut into top-level chunks (one per class, function or statement after two blank lines),
each formatted on its own and cached by its content hash, so a one-schema change to a big spec formats
one chunk again instead of the whole `models.py`. Black formats top-level definitions independently and
puts exactly two blank lines between them, so joining formatted chunks with two blank lines gives the
bytes that formatting the whole module gives (tests pin this). isort runs only on chunks that import.
Uncached chunks are formatted on every core when there are enough of them.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

from specbind.codegen.paths import cache_dir
from specbind.codegen.workers import Pending, Workers, available

LINE_LENGTH = 100
# A top-level statement (with the comments right above it) after two blank lines starts a chunk;
# black keeps two blank lines between top-level statements (and puts them around definitions).
_CHUNK_START = re.compile(r"\n\n\n(?=[#@A-Za-z_])(?!(?:else|elif|except|finally|case)\b)")
_STATEMENT = re.compile(
    r"^[A-Za-z_@][^\n]*", re.MULTILINE
)  # a line that starts a top-level statement
_IMPORTS = re.compile(r"^[ \t]*(?:import|from)[ \t]", re.MULTILINE)
# Below this many uncached lines, starting worker processes costs more than it saves.
PARALLEL_MIN_LINES = 1500


def _cache_dir() -> Path:
    return cache_dir() / "format"


@lru_cache(maxsize=1)
def formatter_versions() -> dict[str, str]:
    """Versions of the formatters; they decide the bytes of the output."""
    from importlib.metadata import version

    return {"black": version("black"), "isort": version("isort")}


def format_code(code: str) -> str:
    """Formatted source; the same input always gives the same bytes."""
    return format_modules({"": code})[""]


def format_modules(sources: dict[str, str], workers: Workers | None = None) -> dict[str, str]:
    """Every module formatted; chunks come from the cache or are formatted (in parallel if worth it)."""
    return start_formatting(sources, workers).get()


def start_formatting(
    sources: dict[str, str], workers: Workers | None = None
) -> Pending[dict[str, str]]:
    """Begin formatting on `workers` (or on a pool of its own when there is enough to format);
    the result's `get()` waits for the formatted modules, so other work can go on meanwhile."""
    chunks = {name: split_chunks(code) for name, code in sources.items()}
    done: dict[str, str] = {}
    todo: dict[str, str] = {}  # key -> chunk
    for parts in chunks.values():
        for part in parts:
            key = _key(part)
            if key in done or key in todo:
                continue
            cached = _read_cache(key)
            if cached is None:
                todo[key] = part
            else:
                done[key] = cached
    own = None
    if workers is None:
        if (
            sum(chunk.count("\n") for chunk in todo.values()) >= PARALLEL_MIN_LINES
            and available() > 1
        ):
            import_formatters()  # once, before forking: the workers inherit them
            workers = own = Workers(available())
        else:
            workers = Workers(0)
    # Longest first, so no worker is left with a big chunk at the end.
    keys = sorted(todo, key=lambda k: -len(todo[k]))
    formatting = workers.map(_format, [todo[key] for key in keys])

    def finish() -> dict[str, str]:
        try:
            results = formatting.get()
        finally:
            if own is not None:
                own.close()
        for key, result in zip(keys, results):
            done[key] = result
            _write_cache(key, result)
        return {
            name: join_chunks([done[_key(part)] for part in parts])
            for name, parts in chunks.items()
        }

    return Pending(finish)


def split_chunks(code: str) -> list[str]:
    """The module cut before each top-level statement that follows two blank lines (not inside a string,
    and not right after imports: there isort decides the blank lines from what follows)."""
    chunks, start = [], 0
    for match in _CHUNK_START.finditer(code):
        before = code[start : match.start()]
        last = _STATEMENT.findall(before)
        if (
            before.count('"""') % 2 == 0
            and before.count("'''") % 2 == 0
            and not (last and last[-1].startswith(("import ", "from ")))
        ):
            chunks.append(before)
            start = match.end()
    chunks.append(code[start:])
    # Each chunk ends in exactly one newline, as black would leave it: a chunk that is already
    # formatted then costs black one pass (format_str formats twice whenever the first pass changed anything).
    return [chunk.rstrip("\n") + "\n" for chunk in chunks]


def join_chunks(formatted: list[str]) -> str:
    parts = [chunk.rstrip("\n") for chunk in formatted if chunk.strip()]
    return "\n\n\n".join(parts) + "\n" if parts else ""


def _key(chunk: str) -> str:
    return hashlib.sha256(
        f"{formatter_versions()}|{LINE_LENGTH}|".encode() + chunk.encode()
    ).hexdigest()


def _read_cache(key: str) -> str | None:
    try:
        return (_cache_dir() / key[:2] / key).read_text(encoding="utf-8")
    except OSError:
        return None


def _write_cache(key: str, result: str) -> None:
    cached = _cache_dir() / key[:2] / key
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(result, encoding="utf-8")
        os.replace(tmp, cached)
    except OSError:
        pass  # a read-only home only costs speed


def import_formatters() -> None:
    """Import black and isort now (a worker warming up while others are busy)."""
    import black  # noqa: F401
    import isort  # noqa: F401


def _format(code: str) -> str:
    import black

    if _IMPORTS.search(code):
        import isort

        code = isort.code(code, profile="black", line_length=LINE_LENGTH)
    mode = black.Mode(target_versions={black.mode.TargetVersion.PY311}, line_length=LINE_LENGTH)
    return black.format_str(code, mode=mode)
