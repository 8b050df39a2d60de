"""Stage 5 — format: isort then black (or ruff) over every generated module, cached by content hash.

The formatter and its settings are the project's (`style.Style`, found from the output folder).

A module is cut into top-level chunks (one per class, function or statement after two blank lines),
each formatted on its own and cached by its content hash, so a one-schema change to a big spec formats
one chunk again instead of the whole `models.py`. Black formats top-level definitions independently and
puts exactly two blank lines between them, so joining formatted chunks with two blank lines gives the
bytes that formatting the whole module gives (tests pin this). isort runs only on chunks that import.
A large class (a client with a method per operation) is cut once more, before each method (with
its decorators or comments) that follows a blank line: the methods are formatted on their own inside a
stand-in `class _:` line and joined with one blank line, as black lays out a class body. So one class of
tens of thousands of lines is no longer one job for one core, and a one-operation change formats one
method again. Uncached chunks are formatted on every core when there are enough of them. With ruff, all the
uncached chunks go to one `ruff check --select I --fix` and one `ruff format` run (a process per chunk
would cost ~10 ms each), on a worker so other stages go on meanwhile.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

from specbind.codegen.paths import cache_dir, caching_enabled
from specbind.codegen.style import Style
from specbind.codegen.workers import Pending, Workers, available
from specbind.spec.problems import Problem, SpecError

# A top-level statement (with the comments right above it) after two blank lines starts a chunk;
# black keeps two blank lines between top-level statements (and puts them around definitions).
_CHUNK_START = re.compile(r"\n\n\n(?=[#@A-Za-z_])(?!(?:else|elif|except|finally|case)\b)")
# a line that starts a top-level statement
_STATEMENT = re.compile(r"^[A-Za-z_@][^\n]*", re.MULTILINE)
_IMPORTS = re.compile(r"^[ \t]*(?:import|from)[ \t]", re.MULTILINE)
# Below this many uncached lines, starting worker processes costs more than it saves.
PARALLEL_MIN_LINES = 1500
# A blank line, then a method (or its decorators or comments) in a top-level class body.
_MEMBER_START = re.compile(r"\n\n+(?=    (?:@|#|def |async def ))")
# classes longer than this are formatted method by method
MEMBER_SPLIT_MIN_LINES = 200
# the stand-in class line a method is formatted under
MEMBER_WRAPPER = "class _:\n"


def _cache_dir() -> Path:
    return cache_dir() / "format"


FORMATTER_TOOLS = {"black": ("black", "isort"), "ruff": ("ruff",)}


@lru_cache(maxsize=2)
def formatter_versions(formatter: str = "black") -> dict[str, str]:
    """Versions of the formatter's tools; they decide the bytes of the output."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for tool in FORMATTER_TOOLS[formatter]:
        try:
            versions[tool] = version(tool)
        except PackageNotFoundError:
            versions[tool] = "not installed"
    return versions


def format_code(code: str, style: Style | None = None) -> str:
    """Formatted source; the same input always gives the same bytes."""
    return format_modules({"": code}, style=style)[""]


def format_modules(
    sources: dict[str, str], workers: Workers | None = None, style: Style | None = None
) -> dict[str, str]:
    """Every module formatted; chunks come from the cache or are formatted (in parallel if worth it)."""
    return start_formatting(sources, workers, style).get()


def start_formatting(
    sources: dict[str, str], workers: Workers | None = None, style: Style | None = None
) -> Pending[dict[str, str]]:
    """Begin formatting on `workers` (or on a pool of its own when there is enough to format);
    the result's `get()` waits for the formatted modules, so other work can go on meanwhile.
    `style`: the formatter and its settings (black's defaults when None)."""
    style = style or Style()
    if style.formatter == "ruff":
        ruff_binary()  # a missing ruff is an error before anything is formatted
    chunks = {name: split_chunks(code) for name, code in sources.items()}
    done: dict[str, str] = {}
    todo: dict[str, tuple[str, Any]] = {}  # key -> chunk and how to format it
    # module -> its chunks in order, each the keys of its parts (one, or a class's head and methods)
    module_keys: dict[str, list[list[str]]] = {}
    for name, module_chunks in chunks.items():
        how = _how(style, sources[name], workers)
        module_keys[name] = []
        for chunk in module_chunks:
            parts = split_members(chunk)
            keys = [_key(part, style, how) for part in parts]
            module_keys[name].append(keys)
            for part, key in zip(parts, keys):
                if key in done or key in todo:
                    continue
                cached = _read_cache(key)
                if cached is None:
                    todo[key] = (part, how)
                else:
                    done[key] = cached
    own = None
    # Longest first, so no worker is left with a big chunk at the end.
    keys = sorted(todo, key=lambda k: -len(todo[k][0]))
    if style.formatter == "ruff":
        workers = workers or Workers(0)
        batch = workers.submit(_format_ruff, [todo[key][0] for key in keys], style)
        formatting: Pending[list[str]] = batch
    else:
        if not _worth_workers(chunk for chunk, _ in todo.values()):
            workers = Workers(0)  # here, even with workers at hand: they may not have started
        elif workers is None and available() > 1:
            import_formatters()  # once, before forking: the workers inherit them
            workers = own = Workers(available())
        formatting = (workers or Workers(0)).map(
            _format_black, [(todo[key][0], style, todo[key][1]) for key in keys]
        )

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
            name: join_chunks([join_members([done[key] for key in keys]) for keys in ordered])
            for name, ordered in module_keys.items()
        }

    return Pending(finish)


def _worth_workers(chunks: Iterable[str]) -> bool:
    """Whether there is enough to do for worker processes (a small change is done sooner here)."""
    return sum(chunk.count("\n") for chunk in chunks) >= PARALLEL_MIN_LINES


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


def has_imports(code: str) -> bool:
    """Whether a line of `code` outside triple-quoted strings imports: a docstring line that starts
    with "from" (GitHub's descriptions have them) is not an import. Strings are told as the cuts
    tell them: by the parity of the triple quotes before."""
    double = single = counted = 0
    for match in _IMPORTS.finditer(code):
        double += code.count('"""', counted, match.start())
        single += code.count("'''", counted, match.start())
        counted = match.start()
        if double % 2 == 0 and single % 2 == 0:
            return True
    return False


def split_members(chunk: str) -> list[str]:
    """A chunk that is a long class without imports, as its head (the class line, its docstring and
    whatever precedes the first cut) and its methods, each under `MEMBER_WRAPPER`; any other chunk as
    itself. A cut is never inside a triple-quoted string, and never right after a comment line (black
    places a comment that ends a file by other rules than one inside a class body)."""
    if (
        chunk.count("\n") < MEMBER_SPLIT_MIN_LINES
        or not chunk.startswith("class ")
        or has_imports(chunk)
    ):
        return [chunk]
    parts: list[str] = []
    start = 0
    for match in _MEMBER_START.finditer(chunk):
        before = chunk[start : match.start()]
        if (
            before.count('"""') % 2 == 0
            and before.count("'''") % 2 == 0
            and not before.rsplit("\n", 1)[-1].lstrip().startswith("#")
            and (parts or "\n" in before)  # the head keeps a body
        ):
            parts.append(before + "\n")
            start = match.end()
    if not parts:
        return [chunk]
    parts.append(chunk[start:])
    # each ending in one newline, as black leaves it (else black formats it twice)
    return parts[:1] + [MEMBER_WRAPPER + part.rstrip("\n") + "\n" for part in parts[1:]]


def join_members(formatted: list[str]) -> str:
    """A class formatted in parts put back together: its head, then each method without the
    stand-in class line, one blank line apart."""
    if len(formatted) == 1:
        return formatted[0]
    members = []
    for part in formatted[1:]:
        if not part.startswith(MEMBER_WRAPPER):  # black changed the stand-in line: never seen
            raise ValueError(f"a method formatted on its own lost its class line: {part[:80]!r}")
        members.append(part[len(MEMBER_WRAPPER) :].rstrip("\n"))
    return "\n\n".join([formatted[0].rstrip("\n"), *members]) + "\n"


def join_chunks(formatted: list[str]) -> str:
    parts = [chunk.rstrip("\n") for chunk in formatted if chunk.strip()]
    return "\n\n\n".join(parts) + "\n" if parts else ""


def _key(chunk: str, style: Style, how: Any) -> str:
    """The cache key of a chunk: its text, the formatter's versions and the settings it formats with."""
    settings = json.dumps(
        [formatter_versions(style.formatter), style.as_record(), how], sort_keys=True
    )
    return hashlib.sha256(settings.encode() + b"|" + chunk.encode()).hexdigest()


def _read_cache(key: str) -> str | None:
    if not caching_enabled():
        return None
    try:
        return (_cache_dir() / key[:2] / key).read_text(encoding="utf-8")
    except OSError:
        return None


def _write_cache(key: str, result: str) -> None:
    if not caching_enabled():
        return
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


def _how(style: Style, module: str, workers: Workers | None = None) -> Any:
    """What formatting one chunk of `module` needs besides the chunk and the style: with black and
    no target versions configured, the targets black infers from the whole module (black infers them
    per file, and a chunk alone could infer others: a trailing comma after `*args` depends on it).
    """
    if style.formatter != "black":
        return None
    black = style.settings["black"]
    if black["target-version"]:
        return black["target-version"]
    if "requires-python" in black:
        from black.files import infer_target_version

        inferred = infer_target_version({"project": {"requires-python": black["requires-python"]}})
        if inferred is not None:
            return sorted(v.name.lower() for v in inferred)
    return _inferred_targets(module, workers)


_UNPARSEABLE = "-"  # a chunk's cached features when it does not parse on its own


def _inferred_targets(module: str, workers: Workers | None = None) -> list[str]:
    """The target versions black infers for `module`: those with every feature the module uses
    (black's `detect_target_versions`). Found chunk by chunk, each chunk's features cached by its
    hash and the uncached ones parsed on `workers`: black finds each feature within one statement,
    so the chunks' features together are the module's, and a change to one chunk parses that chunk
    again instead of the whole module. A long class is parsed in the parts it is formatted in (its
    head, then each method under the stand-in class line), so a one-method change parses one method.
    A chunk that does not parse alone: the whole module decides.
    """
    chunks = [part for chunk in split_chunks(module) for part in split_members(chunk)]
    keys = [_features_key(chunk) for chunk in chunks]
    found: list[str | None] = [_read_cache(key) for key in keys]
    todo = [i for i, cached in enumerate(found) if cached is None]
    if not _worth_workers(chunks[i] for i in todo):
        workers = None  # parsed here, sooner than on workers that may not have started
    parsed = (workers or Workers(0)).map(_chunk_features, [chunks[i] for i in todo]).get()
    for i, features in zip(todo, parsed):
        found[i] = features
        _write_cache(keys[i], features)
    if _UNPARSEABLE in found:
        return _module_targets(module)
    from black.mode import VERSION_TO_FEATURES, Feature, TargetVersion

    used = {Feature[name] for features in found if features for name in features.split()}
    return sorted(v.name.lower() for v in TargetVersion if used <= VERSION_TO_FEATURES[v])


def _features_key(chunk: str) -> str:
    return hashlib.sha256(f"features|{formatter_versions()}|".encode() + chunk.encode()).hexdigest()


def _chunk_features(chunk: str) -> str:
    """The names of the features black finds in `chunk` (`_UNPARSEABLE` when it does not parse)."""
    import black

    try:
        node = black.parsing.lib2to3_parse(chunk)
    except black.parsing.InvalidInput:
        return _UNPARSEABLE
    return " ".join(sorted(feature.name for feature in black.get_features_used(node)))


def _module_targets(module: str) -> list[str]:
    """The target versions black infers for `module` parsed whole (cached by its hash)."""
    key = hashlib.sha256(f"targets|{formatter_versions()}|".encode() + module.encode()).hexdigest()
    cached = _read_cache(key)
    if cached is not None:
        return cached.split()
    import black

    try:
        node = black.parsing.lib2to3_parse(module)
    except black.parsing.InvalidInput:
        return []  # black will say what is wrong when it formats the chunk
    targets = sorted(v.name.lower() for v in black.detect_target_versions(node))
    _write_cache(key, " ".join(targets))
    return targets


def _format_black(job: tuple[str, Style, list[str]]) -> str:
    """isort and black over one chunk; `job` is the chunk with the style and target versions."""
    return _format(*job)


def _format(code: str, style: Style | None = None, targets: list[str] | None = None) -> str:
    """isort and black over `code` with the style's settings (black's defaults when None); `targets`:
    the target versions (else what `_how` finds for `code` as a whole module)."""
    import black

    style = style or Style()
    if targets is None:
        targets = _how(style, code)
    settings = style.settings["black"]
    if has_imports(code):
        import isort

        code = isort.code(code, config=_isort_config(json.dumps(style.settings["isort"])))
    mode = black.Mode(
        target_versions={black.mode.TargetVersion[name.upper()] for name in targets},
        line_length=settings["line-length"],
        string_normalization=not settings["skip-string-normalization"],
        magic_trailing_comma=not settings["skip-magic-trailing-comma"],
        preview=settings["preview"],
        unstable=settings["unstable"],
        enabled_features={black.mode.Preview[name] for name in settings["enable-unstable-feature"]},
    )
    return black.format_str(code, mode=mode)


@lru_cache(maxsize=4)
def _isort_config(settings: str) -> Any:
    import isort

    return isort.Config(**json.loads(settings))


def ruff_binary() -> str:
    """The ruff executable of the installed `ruff` package."""
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]
    except ImportError:
        raise SpecError(
            [Problem(Path("ruff"), "formatter 'ruff' needs ruff: pip install 'specbind[ruff]'")]
        ) from None
    return str(find_ruff_bin())


def _format_ruff(chunks: list[str], style: Style) -> list[str]:
    """`ruff check --select I --fix` (import sorting) and `ruff format` over every chunk, in one run
    of each, with the project's ruff settings (or ruff's defaults, isolated from any user file)."""
    import tempfile

    if not chunks:
        return []
    config = ["--config", style.ruff_config] if style.ruff_config else ["--isolated"]
    ruff = ruff_binary()
    with tempfile.TemporaryDirectory(prefix="specbind-ruff-") as tmp:
        paths = [Path(tmp) / f"chunk{i:05}.py" for i in range(len(chunks))]
        for path, chunk in zip(paths, chunks):
            path.write_text(chunk, encoding="utf-8")
        # The files by name: ruff applies the project's `exclude` to what it finds in a folder.
        for command in (
            ["check", "--select", "I", "--fix-only", "--exit-zero"],
            ["format"],
        ):
            run = subprocess.run(
                [ruff, *command, "--no-cache", "--quiet", *config, *map(str, paths)],
                capture_output=True,
                text=True,
            )
            if run.returncode != 0:
                where = Path(style.ruff_config or "ruff")
                message = " ".join(run.stderr.split())[:300] or f"exit status {run.returncode}"
                raise SpecError([Problem(where, f"ruff {command[0]} failed: {message}")])
        return [path.read_text(encoding="utf-8") for path in paths]
