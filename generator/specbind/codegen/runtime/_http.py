"""HTTP plumbing shared by every operation: request specs, parameter encoding, sending, reading."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum
from types import TracebackType
from typing import IO, Any, Callable, Generic, Mapping, TypeVar
from urllib.parse import quote

import httpx

from ._codec import DecodeError, format_datetime, to_wire
from .errors import (
    ApiConnectionError,
    ApiError,
    ApiResponseError,
    ApiTimeoutError,
    Problems,
    RequestValidationError,
    body_text,
    error_for,
    shorten,
)

T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
# The largest body, decoded, that is read into memory (JSON, error bodies, in-memory downloads), and
# the largest one a download writes to a file. None means no limit.
DEFAULT_MAX_BODY_SIZE = 32 * 1024 * 1024
DEFAULT_MAX_DOWNLOAD_SIZE = 1024 * 1024 * 1024


@dataclass(frozen=True)
class RequestSpec(Generic[T]):
    """Everything needed to send one operation's request and read its response."""

    method: str
    path: str
    read: Callable[[httpx.Response], T]
    params: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    cookies: dict[str, str] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    data: Mapping[str, Any] | None = None
    files: Mapping[str, Any] | None = None
    idempotent: bool = False
    checks: str | None = None  # key of the body's schema in `_checks.SCHEMAS`
    body_name: str = "body"  # how errors about the body name it
    problems: Problems = field(default_factory=dict)  # the error bodies' decoders by status key


@dataclass(frozen=True)
class BinaryContent:
    """A binary response body with its media type and, where the server names one, its file name."""

    content: bytes
    content_type: str
    filename: str | None = None

    @classmethod
    def from_response(cls, response: httpx.Response) -> BinaryContent:
        """Read the body, `Content-Type` and `Content-Disposition` of a response."""
        return cls(
            response.content, response.headers.get("content-type", ""), filename_of(response)
        )


@dataclass(frozen=True)
class SavedContent:
    """A binary response body that was written to a file, with its media type and file name."""

    path: str | None  # None when written to an open file object
    size: int
    content_type: str
    filename: str | None = None


class Body:
    """A response body read into memory as it arrives, decoded, up to `limit` bytes."""

    def __init__(self, response: httpx.Response, limit: int | None) -> None:
        self._response = response
        self._limit = limit
        self._chunks: list[bytes] = []
        self._size = 0
        self._cut = False

    def add(self, chunk: bytes) -> bool:
        """Keep one chunk; False once the body is over the limit (read no further)."""
        if self._limit is not None and self._size + len(chunk) > self._limit:
            self._chunks.append(chunk[: self._limit - self._size])
            self._cut = True
            return False
        self._chunks.append(chunk)
        self._size += len(chunk)
        return True

    def response(self) -> httpx.Response:
        """The response with its body in memory. A success body over the limit raises
        ApiResponseError; an error body over it is cut there (its error is still raised)."""
        status = self._response.status_code
        if self._cut and self._response.is_success:
            reason = f"the body is larger than max_body_size ({self._limit} bytes)"
            raise ApiResponseError(status, reason, "", self._response.headers)
        drop = ("content-encoding", "content-length", "transfer-encoding")
        headers = [(k, v) for k, v in self._response.headers.multi_items() if k not in drop]
        return httpx.Response(
            status,
            headers=headers,
            content=b"".join(self._chunks),
            request=self._response.request,
            extensions=self._response.extensions,
        )


class Destination:
    """Where a streamed body goes: a path, written to a temporary file and renamed into place only when
    complete (a failed download leaves nothing behind), or an open binary file, written as it comes.
    A body over `limit` bytes raises ApiResponseError (what an open file got so far stays in it).
    """

    def __init__(
        self,
        target: str | os.PathLike[str] | IO[bytes],
        response: httpx.Response,
        limit: int | None = None,
    ) -> None:
        self._response = response
        self._limit = limit
        self.path: str | None = None
        self._out: IO[bytes] | None = None
        if isinstance(target, (str, os.PathLike)):
            self.path = os.fspath(target)
        else:
            self._out = target
        self._temp: str | None = None
        self.size = 0

    def __enter__(self) -> Destination:
        if self.path is not None:
            folder = os.path.dirname(os.path.abspath(self.path))
            self._out = tempfile.NamedTemporaryFile(dir=folder, prefix=".download-", delete=False)
            self._temp = self._out.name
        return self

    def write(self, chunk: bytes) -> None:
        """Append one chunk."""
        if self._out is None:
            raise RuntimeError("use Destination in a with statement")
        if self._limit is not None and self.size + len(chunk) > self._limit:
            reason = f"the body is larger than max_download_size ({self._limit} bytes)"
            raise ApiResponseError(self._response.status_code, reason, "")
        self._out.write(chunk)
        self.size += len(chunk)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.path is None or self._out is None or self._temp is None:
            return
        self._out.close()
        if kind is None:
            os.replace(self._temp, self.path)
        else:
            os.unlink(self._temp)

    def saved(self) -> SavedContent:
        """What was written, described."""
        content_type = self._response.headers.get("content-type", "")
        return SavedContent(self.path, self.size, content_type, filename_of(self._response))


class NotGiven:
    """Marks an argument that was not passed (None may be meaningful, as in `timeout=None`)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


def filename_of(response: httpx.Response) -> str | None:
    """The file name from a `Content-Disposition` header, if any."""
    from email.message import Message

    header = response.headers.get("content-disposition")
    if not header:
        return None
    message = Message()
    message["content-disposition"] = header
    name = message.get_filename()
    return str(name) if name else None


def text(value: Any) -> str:
    """The text form of one parameter value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def path_param(value: Any, name: str = "") -> str:
    """A path segment, percent-encoded so it cannot change the path's shape; an empty one raises
    ValueError (`/messages/` is another route than `/messages/{id}`)."""
    if isinstance(value, (list, tuple)):
        segment = ",".join(quote(text(v), safe="") for v in value)
    else:
        segment = quote(text(value), safe="")
    if not segment:
        raise ValueError(f"the path parameter {name or 'value'} is empty; nothing was sent")
    return segment


def with_extras(
    spec: RequestSpec[T],
    extra_headers: Mapping[str, str] | None,
    extra_query: Mapping[str, str] | None,
) -> RequestSpec[T]:
    """The request spec with a caller's extra headers (they win) and query parameters added."""
    if not extra_headers and not extra_query:
        return spec
    return replace(
        spec,
        headers={**spec.headers, **(extra_headers or {})},
        params=[*spec.params, *(extra_query or {}).items()],
    )


def query_params(values: list[tuple[str, Any, str, bool]]) -> list[tuple[str, str]]:
    """Query pairs for (name, value, style, explode); None is left out."""
    pairs: list[tuple[str, str]] = []
    for name, value, style, explode in values:
        if value is None:
            continue
        value = to_wire(value) if not isinstance(value, (Enum, datetime, date)) else value
        if isinstance(value, (list, tuple)):
            if explode and style == "form":
                pairs.extend((name, text(v)) for v in value)
            else:
                separator = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
                pairs.append((name, separator.join(text(v) for v in value)))
        elif isinstance(value, dict):
            if style == "deepObject":
                pairs.extend((f"{name}[{k}]", text(v)) for k, v in value.items())
            elif explode:
                pairs.extend((str(k), text(v)) for k, v in value.items())
            else:
                pairs.append((name, ",".join(f"{k},{text(v)}" for k, v in value.items())))
        else:
            pairs.append((name, text(value)))
    return pairs


def header_params(values: Mapping[str, Any]) -> dict[str, str]:
    """Header values as text; None is left out; lists are comma-separated."""
    headers = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            headers[name] = ",".join(text(v) for v in value)
        else:
            headers[name] = text(value)
    return headers


def encode_model(body: Any, model: str) -> Any:
    """The JSON value of a request body model; one that cannot be encoded raises RequestValidationError."""
    if body is None:
        return None
    try:
        return body.to_dict()
    except DecodeError as exc:  # a member's value is not of its type (a str for a list)
        reason = f"cannot be encoded: {exc}"
    except (AttributeError, TypeError, ValueError) as exc:
        reason = f"cannot be encoded ({type(exc).__name__}: {exc}); is every member of the documented type?"
    raise RequestValidationError(model, "", reason, skippable=False)


def check_lists(operation: str, /, **values: Any) -> None:
    """Refuse a value other than a list (a str above all) for a list parameter, before it is
    sent whole or split into characters; None (not given) passes."""
    for name, value in values.items():
        if value is not None and not isinstance(value, (list, tuple)):
            note = "; a string is not split into items" if isinstance(value, str) else ""
            reason = f"expected a list, got {type(value).__name__}{note}"
            raise RequestValidationError(f"{operation}()", name, reason, skippable=False)


def multipart_parts(value: Any) -> dict[str, Any]:
    """`data` and `files` for a multipart body: bytes, `(filename, bytes[, type])` tuples and open
    files are file parts; other members are text parts (objects as JSON, lists repeated); None is left out.
    """
    fields: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for name, item in (to_wire(value) or {}).items():
        if item is None:
            continue
        if isinstance(item, (bytes, tuple)) or hasattr(item, "read"):
            files[name] = item
        elif isinstance(item, dict):
            fields[name] = json.dumps(item)
        elif isinstance(item, list):
            fields[name] = [text(v) for v in item]
        else:
            fields[name] = text(item)
    return {"data": fields, "files": files}


def read_json(response: httpx.Response) -> Any:
    """The JSON body of a success response; a body that is not JSON raises ApiResponseError."""
    try:
        return json.loads(response.content)
    except ValueError:
        reason = "the body is not valid JSON"
    except RecursionError:
        reason = "the body is JSON nested too deeply to read"
    raise ApiResponseError(response.status_code, reason, body_text(response), response.headers)


def read(spec: RequestSpec[T], response: httpx.Response) -> T:
    """The operation's result; a success body that does not fit its model raises ApiResponseError,
    an error status the `ApiStatusError` it describes (its body decoded as the operation says)."""
    if not 200 <= response.status_code < 300:
        raise error_for(response, spec.problems)
    try:
        return spec.read(response)
    except DecodeError as exc:
        reason = f"the body does not fit the spec: {exc}"
    except RecursionError:
        reason = "the body is nested too deeply to decode"
    raise ApiResponseError(response.status_code, reason, body_text(response), response.headers)


def wrap_transport_error(exc: httpx.RequestError, request: RequestSpec[Any]) -> ApiError:
    """The package's own exception for a network failure, or a body that cannot be decoded (its
    message has no URL, so no query credential, and is at most a few hundred characters)."""
    where = f"{request.method} {request.path}"
    if isinstance(exc, httpx.TimeoutException):
        return ApiTimeoutError(f"{where} timed out ({type(exc).__name__})")
    return ApiConnectionError(shorten(f"{where} failed: {type(exc).__name__}: {exc}"))


def deadline_error(request: RequestSpec[Any], seconds: float | None) -> ApiTimeoutError:
    """The exception for an attempt that passed its deadline."""
    return ApiTimeoutError(f"{request.method} {request.path} timed out (deadline of {seconds} s)")
