"""The guard on the package templates: spec text (`text.SpecText`) is printed only through the
escaping filters; everything else that would print it, or build code from it, fails to render."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from jinja2 import Environment
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import TemplateRuntimeError
from jinja2.nodes import Concat
from specbind.codegen.text import SpecText, is_spec_text


class _MarkingCodeGenerator(CodeGenerator):
    """Compiles `a ~ b` so that the result is `SpecText` when a part is (Jinja2's own join drops it)."""

    def visit_Concat(self, node: Concat, frame: Frame) -> None:
        self.write("environment.join_text((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _join_text(parts: tuple[Any, ...]) -> str:
    joined = "".join(str.__str__(p) if isinstance(p, str) else str(p) for p in parts)
    return SpecText(joined) if any(isinstance(p, SpecText) for p in parts) else joined


def _refuse_spec_text(value: Any) -> Any:
    if isinstance(value, SpecText):
        raise TemplateRuntimeError(
            f"spec text {value[:60]!r} reaches the code without an escaping filter "
            "(docstring, inline, pystr, comment)"
        )
    return value


def _marking(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter whose string result is `SpecText` when any input was."""

    @wraps(function)
    def marked(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if isinstance(result, str) and not isinstance(result, SpecText):
            if is_spec_text(list(args)) or is_spec_text(kwargs):
                return SpecText(result)
        return result

    return marked


def _refusing(function: Callable[..., Any]) -> Callable[..., Any]:
    """A code-writing helper that refuses spec text among its arguments."""

    @wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for value in list(args) + list(kwargs.values()):
            if is_spec_text(value):
                found = next(v for v in _strings(value) if isinstance(v, SpecText))
                _refuse_spec_text(found)
        return function(*args, **kwargs)

    return checked


def _strings(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    return [value]


class GuardedEnvironment(Environment):
    """A Jinja2 environment in which spec text reaches output only through the escaping filters."""

    code_generator_class = _MarkingCodeGenerator


def guard(env: Environment, escaping: set[str], code_writers: set[str]) -> None:
    """Install the guard on `env` (a `GuardedEnvironment`): filters named in `escaping` turn spec text
    into code; every other filter keeps the mark; `code_writers` (globals and filters that build code
    from code) refuse spec text; printing spec text is refused."""
    env.finalize = _refuse_spec_text
    env.join_text = _join_text  # type: ignore[attr-defined]
    for name, function in list(env.filters.items()):
        if name in code_writers:
            env.filters[name] = _refusing(function)
        elif name not in escaping:
            env.filters[name] = _marking(function)
    for name in code_writers & set(env.globals):
        env.globals[name] = _refusing(env.globals[name])  # type: ignore[arg-type]
