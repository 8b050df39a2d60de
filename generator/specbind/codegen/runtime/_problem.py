"""The type of `ApiStatusError.problem` for a spec that defines no error body: RFC 7807 problem details.

A spec whose error responses have a schema gets a generated `_problem` instead (made by
`templates/package/_problem.py.jinja2`), whose `ErrorBody` is the spec's own model(s): one type for
an error's body, whether it comes with an exception or is decoded by hand. This module is copied
as it is into the package of a spec that defines none.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, TypeAlias

from ._codec import DecodeError

__all__ = ["ErrorBody", "ProblemDetails", "decoders"]

PROBLEM_MEMBERS = ("type", "title", "status", "detail", "instance")


@dataclass(frozen=True)
class ProblemDetails:
    """An RFC 7807 problem document; members it does not define are kept in `extensions`."""

    type: str = "about:blank"
    title: str | None = None
    status: int | None = None
    detail: str | None = None
    instance: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, value: Any) -> ProblemDetails:
        """The problem a decoded JSON body describes; DecodeError unless it is a JSON object."""
        if not isinstance(value, dict):
            raise DecodeError(
                f"expected a JSON object, got {type(value).__name__}", (cls.__name__,)
            )
        status = value.get("status")
        if isinstance(status, str) and status.strip().isdigit():
            status = int(status)  # some servers send the status as a string
        return cls(
            type=_text(value.get("type")) or "about:blank",
            title=_text(value.get("title")),
            status=status if isinstance(status, int) and not isinstance(status, bool) else None,
            detail=_text(value.get("detail")),
            instance=_text(value.get("instance")),
            extensions={k: v for k, v in value.items() if k not in PROBLEM_MEMBERS},
        )


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


ErrorBody: TypeAlias = ProblemDetails
"""What `ApiStatusError.problem` holds when the body is a JSON object."""


def decoders() -> tuple[Callable[[Any], ErrorBody], ...]:
    """Tried in turn on an error body the operation documents no schema for."""
    return (ProblemDetails.from_dict,)
