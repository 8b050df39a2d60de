"""The format stage: chunked, cached formatting gives exactly the bytes of whole-module isort + black."""

from __future__ import annotations

from pathlib import Path

import black
import isort
import pytest
from specbind.codegen import format as fmt
from specbind.codegen import generate as pipeline
from specbind.codegen.endpoints import PACKAGE_FILES
from specbind.codegen.options import Options
from specbind.codegen.style import Style, project_style
from specbind.codegen.workers import Pending, Workers

from tests.helpers import CHAT_SPEC, ROOT, chat_options

SOURCE = '''# header comment
from typing import Any
import os
from collections import OrderedDict
x = {'a':1,
  'b':2, }


# spec: #/components/schemas/A
@dataclass(kw_only=True)
class A:
    """Doc."""
    name: str = 'x'
    def long(self, argument_one: int, argument_two: int, argument_three: int, argument_four: int) -> int:
        from email.message import Message
        return argument_one+argument_two


# a comment
def f(): return os.sep


async def g():
    pass
class Glued: pass


class Empty:
    """Has a blank line in a docstring


    class NotAChunk:
    """


TEXT = """


class NotAChunkEither:
"""


TABLE = {}


TABLE['a'] = {'k':1}


TABLE['b'] = [1,
   2]


if TABLE:
    y = 1


else:
    y = 2
'''

AFTER_IMPORTS = """import os


z = os.sep


import sys
w = sys.argv
"""


# This repository's own settings (pyproject.toml): line length 100, Python 3.11.
STYLE = project_style(ROOT / "generated")


def whole(code: str) -> str:
    mode = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)
    return black.format_str(isort.code(code, profile="black", line_length=100), mode=mode)


@pytest.fixture(autouse=True)
def empty_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECBIND_CACHE", str(tmp_path))


def test_chunks_give_the_bytes_of_whole_module_formatting() -> None:
    assert len(fmt.split_chunks(SOURCE)) == 10  # not inside strings, not before `else`
    assert fmt.format_code(SOURCE, STYLE) == whole(SOURCE)


def test_no_cut_right_after_imports_where_isort_decides_the_blank_lines() -> None:
    assert len(fmt.split_chunks(AFTER_IMPORTS)) == 2
    assert fmt.format_code(AFTER_IMPORTS, STYLE) == whole(AFTER_IMPORTS)


def test_a_changed_request_schema_reformats_its_own_statements_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SPECBIND_WORKERS", "0")  # formatting in this process, where it is counted
    pipeline.generate(CHAT_SPEC, "tyntec_chat", chat_options())
    changed = tmp_path / "chat-api.yaml"
    text = CHAT_SPEC.read_text(encoding="utf-8")
    changed.write_text(text.replace("maxLength: 255", "maxLength: 254", 1), encoding="utf-8")
    formatted: list[str] = []
    real = fmt._format
    monkeypatch.setattr(
        fmt, "_format", lambda code, *rest: formatted.append(code) or real(code, *rest)
    )
    files = pipeline.generate(changed, "tyntec_chat", chat_options()).files
    assert "'maxLength': 254" in files["_schemas.py"].replace('"', "'")
    assert len(formatted) == 1 and formatted[0].startswith(
        'SCHEMAS["#/components/schemas/MessageRequestContext"]'
    )


def test_parallel_formatting_gives_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fmt, "PARALLEL_MIN_LINES", 1)
    monkeypatch.setattr(fmt, "available", lambda: 2)
    assert fmt.format_modules({"a.py": SOURCE, "b.py": "y=1\n"}, style=STYLE) == {
        "a.py": whole(SOURCE),
        "b.py": "y = 1\n",
    }


def test_unchanged_chunks_come_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    first = fmt.format_code(SOURCE, STYLE)
    formatted: list[str] = []
    real = fmt._format
    monkeypatch.setattr(
        fmt, "_format", lambda code, *rest: formatted.append(code) or real(code, *rest)
    )
    changed = SOURCE.replace("async def g():", "async def g2():")
    assert fmt.format_code(SOURCE, STYLE) == first
    assert formatted == []
    assert fmt.format_code(changed, STYLE) == whole(changed)
    assert len(formatted) == 1 and "g2" in formatted[0]


def test_empty_module_stays_empty() -> None:
    assert fmt.format_code("") == ""


PACKAGE_SPECS = [CHAT_SPEC, *sorted((ROOT / "tests" / "specs" / "features").iterdir())]


@pytest.mark.parametrize("spec", PACKAGE_SPECS, ids=lambda spec: spec.name)
def test_package_templates_render_code_black_leaves_alone(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package modules come out of the templates already formatted, so black formats each chunk
    once (format_str formats a second time whenever its first pass changed something)."""
    rendered: dict[str, str] = {}

    def keep(
        sources: dict[str, str], workers: Workers | None = None, style: Style | None = None
    ) -> Pending[dict[str, str]]:
        rendered.update(sources)  # the pipeline's format stage, skipped
        return Pending(lambda: dict(sources))

    monkeypatch.setattr(pipeline, "start_formatting", keep)
    # At this repository's 100 columns, the line length the templates' fixed text is laid out for.
    options = chat_options() if spec == CHAT_SPEC else Options(style=STYLE)
    pipeline.generate(spec, "pkg", options)
    package = {name: code for name, code in rendered.items() if name != "models.py"}
    assert set(package) == set(PACKAGE_FILES)
    formatted = fmt.format_modules(package, style=STYLE)
    for name, code in package.items():
        assert formatted[name] == code, f"{spec.name}: black or isort would change {name}"


def _long_class() -> str:
    """A class longer than MEMBER_SPLIT_MIN_LINES, unformatted, with what could mislead a cut:
    decorators, comments, a docstring holding a method, a comment right before a blank line."""
    code = (
        'class Big(Base):\n    """Doc.\n\n    def not_a_cut(self): pass\n    """\n    size: int=1\n'
    )
    for i in range(70):
        code += (
            f"\n    @property\n    def m{i}(self, argument_one: int, argument_two: int,"
            f" argument_three: int, argument_{i}: int) -> dict:\n"
            f"        return {{'a':argument_one,\n 'b': {i}}}\n"
        )
        if i % 7 == 0:
            code += f"\n    # a comment between methods\n    x{i} = 'y'\n    # ends a part\n"
        if i % 11 == 0:
            code += f"\n\n    async def a{i}(self):\n        '''Text.\n\n    def in_a_string(): ...\n'''\n"
    return code


def test_a_long_class_formatted_method_by_method_gives_the_bytes_of_the_whole() -> None:
    code = _long_class()
    parts = fmt.split_members(code)
    assert len(parts) > 60 and all(p.startswith(fmt.MEMBER_WRAPPER) for p in parts[1:])
    assert not any("in_a_string" in p.split("\n", 2)[1] for p in parts)  # no cut in a string
    assert fmt.format_code(code, STYLE) == whole(code)


def test_a_docstring_line_that_reads_like_an_import_does_not_keep_a_class_whole() -> None:
    """GitHub's descriptions have lines starting with "from": the 2.3 MB client class was formatted
    as one job (and again after any one-operation change) because they were taken for imports."""
    code = _long_class().replace(
        '"""Doc.\n\n', '"""Doc.\n\nfrom the API, import it\n    import this too\n', 1
    )
    assert not fmt.has_imports(code) and fmt.has_imports(code + "\nimport os\n")
    parts = fmt.split_members(code)
    assert len(parts) > 60
    assert fmt.format_code(code, STYLE) == whole(code)
    real_import = code.replace("    size: int=1\n", "    from os import sep\n    size: int=1\n", 1)
    assert fmt.split_members(real_import) == [real_import]


def test_a_changed_method_of_a_long_class_is_formatted_again_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = _long_class()
    fmt.format_code(code, STYLE)
    formatted: list[str] = []
    real = fmt._format
    monkeypatch.setattr(
        fmt, "_format", lambda code, *rest: formatted.append(code) or real(code, *rest)
    )
    changed = code.replace("def m30(", "def m30_renamed(")
    assert fmt.format_code(changed, STYLE) == whole(changed)
    assert len(formatted) == 1 and "m30_renamed" in formatted[0]


FEATURES = """import os


def walrus(x):
    if (n := len(x)) > 1:
        return n


def only_positional(a, /, b):
    return a


def matching(command):
    match command:
        case [x]:
            return x


class Plain:
    value = f"{os.sep=}"
"""


@pytest.mark.parametrize(
    "module",
    [FEATURES, SOURCE, "x = 1\n", *(ROOT / "generated" / "tyntec_chat").glob("*.py")],
    ids=lambda m: m.name if isinstance(m, Path) else m.split("\n", 1)[0],
)
def test_target_versions_found_chunk_by_chunk_are_those_of_the_whole_module(
    module: str | Path,
) -> None:
    code = module.read_text(encoding="utf-8") if isinstance(module, Path) else module
    assert fmt._inferred_targets(code) == fmt._module_targets(code)


def test_a_chunk_that_does_not_parse_alone_leaves_the_targets_to_the_whole_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fmt, "_chunk_features", lambda chunk: fmt._UNPARSEABLE)
    assert fmt._inferred_targets(FEATURES) == fmt._module_targets(FEATURES)
    assert "py39" not in fmt._inferred_targets(FEATURES)  # match: 3.10 and later
