"""Problems found in a spec: plain values that every stage reports the same way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can."""

    file: Path
    message: str
    pointer: str = ""
    line: int | None = None
    column: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = str(self.file)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        at = f" at {self.pointer}" if self.pointer else ""
        return _printable(f"{where}: {self.severity}{at}: {self.message}")


def _printable(text: str) -> str:
    """One line of terminal-safe text: the spec's control characters (a newline, an ANSI escape)
    appear escaped, as `repr` writes them."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


class SpecError(Exception):
    """Raised by a stage when the input cannot be used; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self) -> tuple[type[SpecError], tuple[list[Problem]]]:
        return SpecError, (self.problems,)  # intact when raised in a worker process


def pointer_of(parts: Sequence[object]) -> str:
    """JSON pointer (RFC 6901) for a path of keys and indexes; '#' prefixed."""
    escaped = (str(p).replace("~", "~0").replace("/", "~1") for p in parts)
    return "#/" + "/".join(escaped) if parts else "#"


def parts_of(pointer: str) -> list[str]:
    """The unescaped segments of a '#/a/b' pointer."""
    body = pointer.lstrip("#").lstrip("/")
    if not body:
        return []
    return [s.replace("~1", "/").replace("~0", "~") for s in body.split("/")]
