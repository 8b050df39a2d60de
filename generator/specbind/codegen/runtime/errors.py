"""Exceptions raised by the client; every one of them derives from `ApiError`.

An error response becomes an `ApiStatusError` subclass chosen by its status (`NotFoundError` for 404,
`RateLimitError` for 429, ...). Its body is decoded into `problem` with the schema the spec
gives it (`_problem.ErrorBody`: the spec's own model, or RFC 7807 `ProblemDetails` for a spec that
defines none); a body that does not fit is kept as text only. No exception keeps the request, so none can show its credentials.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Mapping, TypeAlias

import httpx

from ._codec import DecodeError
from ._problem import decoders

if TYPE_CHECKING:
    from ._problem import ErrorBody

__all__ = [
    "ApiConnectionError",
    "ApiError",
    "ApiResponseError",
    "ApiStatusError",
    "ApiTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "DecodeError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "UnprocessableEntityError",
]

# status key of the spec ('404', '4XX', 'default') -> the decoder of its error body's schema
# (a string: `ErrorBody` may name classes of `models`, which load only when first used)
Problems: TypeAlias = "Mapping[str, Callable[[Any], ErrorBody]]"


class ApiError(Exception):
    """Base class of every error this package raises for a request."""


class ApiConnectionError(ApiError):
    """The server could not be reached, or the connection broke before a response arrived."""


class ApiTimeoutError(ApiConnectionError):
    """The request took longer than its timeout."""


class RequestValidationError(ApiError):
    """A request body breaks its schema, or a value is not of its documented type (a str for a
    list); nothing was sent. `field` names the member, wire names, or the parameter."""

    def __init__(self, model: str, field: str, reason: str, skippable: bool = True) -> None:
        self.model = model
        self.field = field
        self.reason = reason
        where = f"{model}.{field}" if field else model
        note = "; validate_requests=False skips this check" if skippable else ""
        super().__init__(f"{where}: {reason} (nothing was sent{note})")


class ApiResponseError(ApiError):
    """A success response whose body does not fit the spec (not JSON, or not the documented shape).

    The server accepted the request: a call that is not idempotent must not simply be repeated.

    Attributes:
        status_code: the HTTP status (2xx).
        headers: the response headers.
        body: the response body as text, whatever it is.
        reason: what does not fit.
    """

    def __init__(
        self, status_code: int, reason: str, body: str, headers: httpx.Headers | None = None
    ) -> None:
        self.status_code = status_code
        self.reason = reason
        self.body = body
        self.headers = headers if headers is not None else httpx.Headers()
        accepted = (
            "the server accepted the request (do not repeat it unless it is idempotent), but "
            if 200 <= status_code < 300
            else ""
        )
        super().__init__(f"HTTP {status_code}: {shorten(accepted + reason, 500)}")


class ApiStatusError(ApiError):
    """The server answered with an error status.

    Attributes:
        status_code: the HTTP status.
        headers: the response headers.
        body: the response body as text, whatever it is.
        problem: the body decoded with the spec's schema for this status (`ErrorBody`), or None
            when it is not JSON or does not fit.
        retry_after: the server's Retry-After in seconds, when it was longer than the retry policy
            accepts (the request was not retried).
    """

    retry_after: float | None = None

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        headers: httpx.Headers | None = None,
        body: str = "",
        problem: ErrorBody | None = None,
    ) -> None:
        self.status_code = status_code
        self.headers = headers if headers is not None else httpx.Headers()
        self.body = body
        self.problem = problem
        super().__init__(message)


class BadRequestError(ApiStatusError):
    """400 Bad Request."""


class AuthenticationError(ApiStatusError):
    """401 Unauthorized: the credential is missing or wrong."""


class PermissionDeniedError(ApiStatusError):
    """403 Forbidden."""


class NotFoundError(ApiStatusError):
    """404 Not Found."""


class ConflictError(ApiStatusError):
    """409 Conflict."""


class UnprocessableEntityError(ApiStatusError):
    """422 Unprocessable Entity."""


class RateLimitError(ApiStatusError):
    """429 Too Many Requests (raised once retries are used up)."""


class InternalServerError(ApiStatusError):
    """Any 5xx status."""


BY_STATUS: dict[int, type[ApiStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def error_for(response: httpx.Response, problems: Problems | None = None) -> ApiStatusError:
    """The exception for an error response; it never fails, whatever the body holds.

    `problems` are the operation's error bodies by status key (see `read_problem`)."""
    status = response.status_code
    try:  # the path only: a query string may carry a credential
        where = f"{response.request.method} {response.request.url.path}"
    except RuntimeError:  # a response built without a request
        where = ""
    kind = BY_STATUS.get(status, InternalServerError if status >= 500 else ApiStatusError)
    body = body_text(response)
    problem = None
    summary = response.reason_phrase or "error"
    try:
        value = json.loads(response.content)
    except (ValueError, RecursionError):  # not JSON (or too deep to read): `body` keeps the text
        value = None
    else:
        problem = read_problem(status, value, problems or {})
    said = _said(value)
    if said:
        summary = said
    elif not isinstance(value, dict) and body.strip():  # an object says nothing more readable
        summary = f"{summary}: {shorten(body)}"
    message = f"HTTP {status} {summary}" + (f" ({where})" if where else "")
    return kind(status, message, headers=response.headers, body=body, problem=problem)


def read_problem(status: int, value: Any, problems: Problems) -> ErrorBody | None:
    """An error body decoded with the schema the operation documents for `status` (the status
    itself, else its range `4XX`, else `default`). For a status it does not document: the first of
    its error schemas, then of the spec's, that the body fits. None when the body fits none."""
    documented = (
        problems.get(str(status)) or problems.get(f"{status // 100}XX") or problems.get("default")
    )
    candidates = (
        [documented] if documented else list(dict.fromkeys([*problems.values(), *decoders()]))
    )
    for decode in candidates:
        try:
            return decode(value)
        except (DecodeError, KeyError, TypeError, ValueError, AttributeError, RecursionError):
            continue
    return None


def _said(value: Any) -> str:
    """What an error body says about itself, for the message: its title and detail, else its message."""
    if not isinstance(value, dict):
        return ""
    texts = [value[k] for k in ("title", "detail") if isinstance(value.get(k), str) and value[k]]
    if not texts:
        texts = [
            value[k] for k in ("message", "error") if isinstance(value.get(k), str) and value[k]
        ]
    return shorten(" - ".join(texts[:2]))


def wait_refused(
    response: httpx.Response, wait: float, limit: float, problems: Problems | None = None
) -> ApiStatusError:
    """The error for a response whose Retry-After (`wait` seconds) exceeds the policy's `limit`."""
    error = error_for(response, problems)
    error.retry_after = wait
    note = f"the server asks to wait {wait:.0f} s before a retry, more than max_retry_after ({limit:g} s)"
    error.args = (f"{error.args[0]}; {note}",)
    return error


def body_text(response: httpx.Response) -> str:
    """The body as text, whatever its declared encoding."""
    try:
        return response.text
    except (UnicodeDecodeError, LookupError):
        return response.content.decode("utf-8", "replace")


def shorten(text: str, limit: int = 200) -> str:
    """`text` on one line, cut to `limit` characters; a message stays readable whatever the server sent."""
    text = " ".join(text[: limit * 4].split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
