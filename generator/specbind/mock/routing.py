"""The mock: answers HTTP requests for any spec from the spec alone (no server code here).

`Mock.handle(Request) -> Response` finds the operation, checks the request (security first, then
parameters and body) and answers with one of the operation's declared responses:

- the status is the lowest declared 2xx, unless the request says `Prefer: code=404`;
- the body is the media type's example (`Prefer: example=NAME` picks a named one), else the schema's
  examples, else a value made from the schema; the first candidate valid for the schema wins;
- binary media types get bytes; wildcard media types (`audio/*`) get a concrete type.

An invalid request gets the operation's own 422/400 response (else its 4XX/default response) with
what is wrong filled into the body where the schema has a place for it (`detail`, `message`, ...).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

from specbind.mock.requests import (
    Request,
    body_problems,
    content_type_problems,
    first_media,
    is_json,
    parameter_problems,
    security_problems,
)
from specbind.mock.samples import sample
from specbind.mock.schemas import PATTERN_TIMEOUT, Schemas
from specbind.spec.document import METHODS, deref, security_requirements, security_schemes

if TYPE_CHECKING:
    from specbind.spec.load import RefAccess

BINARY_BODY = bytes(range(256))  # what a binary response carries when the spec gives no example
CONCRETE = {
    "application": "application/octet-stream",
    "audio": "audio/mpeg",
    "image": "image/png",
    "text": "text/plain",
    "video": "video/mp4",
    "font": "font/woff2",
    "*": "application/octet-stream",
}
PROBLEM_JSON = "application/problem+json"
STATUS_MEMBERS = ("status", "code", "statuscode")

__all__ = ["Mock", "Request", "Response"]


@dataclass(frozen=True)
class Response:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    pattern: re.Pattern[str]
    names: tuple[str, ...]  # path parameter names, in the order of the pattern's groups
    operation: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]  # path-level and operation-level, dereferenced

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.template}"


class Mock:
    """Every operation of one bundled OpenAPI document, ready to answer requests."""

    def __init__(self, document: dict[str, Any], pattern_timeout: float = PATTERN_TIMEOUT) -> None:
        """`pattern_timeout`: seconds of `pattern` matching allowed for each checked value."""
        self.document = document
        self.schemas = Schemas(document, pattern_timeout)
        self.routes = _routes(document)
        self.prefixes = _server_prefixes(document)
        self._answers: dict[tuple[Any, ...], Response] = {}

    @classmethod
    def from_spec(
        cls,
        spec: str | Path,
        pattern_timeout: float = PATTERN_TIMEOUT,
        access: RefAccess | None = None,
    ) -> Mock:
        """Load (bundling multi-file specs) and validate a spec; SpecError when it is not usable.
        `access` says where its `$ref`s may read besides the spec's folder tree."""
        from specbind.spec.load import load
        from specbind.spec.validate import check

        loaded = load(spec, access)
        check(loaded)
        return cls(loaded.document, pattern_timeout)

    def handle(self, request: Request) -> Response:
        found = self._find(request)
        if isinstance(found, Response):
            return found
        route, path_values = found
        lacking = security_problems(self.document, route.operation, request)
        if lacking:
            return self._error(route, 401, lacking, request)
        unreadable = content_type_problems(self.document, route.operation, request)
        if unreadable:
            return self._error(route, 415, unreadable, request)
        problems = parameter_problems(self.schemas, list(route.parameters), path_values, request)
        problems += body_problems(self.schemas, route.operation, request)
        if problems:
            status = 422 if "422" in (route.operation.get("responses") or {}) else 400
            return self._error(route, status, problems, request)
        return self._answer(route, request)

    # -- finding the operation -------------------------------------------------------------

    def _find(self, request: Request) -> tuple[Route, dict[str, str]] | Response:
        paths = [request.path] + [
            request.path[len(p) :] or "/" for p in self.prefixes if request.path.startswith(p + "/")
        ]
        allowed: list[str] = []
        for path in paths:
            for candidate in (path, path.rstrip("/") or "/"):
                for route in self.routes:
                    match = route.pattern.fullmatch(candidate)
                    if not match:
                        continue
                    if route.method == request.method.lower():
                        return route, dict(zip(route.names, map(unquote, match.groups())))
                    allowed.append(route.method.upper())
        if allowed:
            detail = f"{request.method} is not allowed on {request.path}; allowed: {', '.join(dict.fromkeys(allowed))}"
            return problem_response(405, detail, (("Allow", ", ".join(dict.fromkeys(allowed))),))
        return problem_response(
            404, f"no operation in the spec matches {request.method} {request.path}"
        )

    # -- answers ------------------------------------------------------------------------------

    def _answer(self, route: Route, request: Request) -> Response:
        prefer = _prefer(request.headers.get("prefer", ""))
        responses = route.operation.get("responses") or {}
        if "code" in prefer:
            key = _response_key(responses, prefer["code"])
            if key is None or not prefer["code"].isdigit() or not 100 <= int(prefer["code"]) <= 599:
                declared = ", ".join(responses) or "none"
                return problem_response(
                    500,
                    f"Prefer: code={prefer['code']}: {route.label} declares no such response "
                    f"(declared: {declared})",
                )
            status = int(prefer["code"])
        else:
            key, status = _default_response(responses)
        if key is None:
            return Response(200, (), b"")
        return self._render(route, key, status, request, prefer)

    def _render(
        self, route: Route, key: str, status: int, request: Request, prefer: dict[str, str]
    ) -> Response:
        response = deref(self.document, (route.operation.get("responses") or {})[key]) or {}
        content = response.get("content") or {}
        if not content or status in (204, 304) or request.method.upper() == "HEAD":
            return Response(status, self._headers(response), b"")
        chosen = negotiate(list(content), request.headers.get("accept", ""))
        if chosen is None:
            detail = (
                f"Accept {request.headers.get('accept')!r} matches none of {', '.join(content)}"
            )
            return self._error(route, 406, [detail], request)
        declared, content_type = chosen
        # answers depend only on these, so each is made once (examples are checked, samples built)
        cache_key = (
            route.label,
            key,
            status,
            content_type,
            prefer.get("example"),
            prefer.get("dynamic"),
        )
        if cache_key not in self._answers:
            media = content[declared] or {}
            try:
                value = self._body_value(media, prefer)
            except LookupError as exc:
                return problem_response(500, f"{route.label} {key} {declared}: {exc.args[0]}")
            if status >= 400 and "example" not in prefer and isinstance(media.get("schema"), dict):
                value = self._with_status(value, media["schema"], status)
            body = encode(value, content_type, media.get("schema"), self.document)
            headers = self._headers(response) + (("Content-Type", content_type),)
            self._answers[cache_key] = Response(status, headers, body)
        return self._answers[cache_key]

    def _body_value(self, media: dict[str, Any], prefer: dict[str, str]) -> Any:
        schema = media.get("schema")
        examples = {
            name: deref(self.document, e) or {} for name, e in (media.get("examples") or {}).items()
        }
        if "example" in prefer:
            if prefer["example"] not in examples:
                raise LookupError(
                    f"Prefer: example={prefer['example']}: no such example "
                    f"(declared: {', '.join(examples) or 'none'})"
                )
            return examples[prefer["example"]].get("value")
        if not isinstance(schema, dict):
            return media.get("example", next((e.get("value") for e in examples.values()), None))
        if prefer.get("dynamic") == "true":
            return sample(schema, self.document, use_examples=False, omit="writeOnly")
        return self._valid_value(schema, media, examples)

    def _valid_value(
        self, schema: dict[str, Any], media: dict[str, Any], examples: dict[str, Any]
    ) -> Any:
        candidates = [media["example"]] if "example" in media else []
        candidates += [e["value"] for e in examples.values() if "value" in e]
        for value in candidates:
            if self.schemas.valid(value, schema, "response"):
                return value
        return self._sample(schema)

    def _sample(self, schema: dict[str, Any]) -> Any:
        """The schema's examples where they are valid, else a value made from the schema."""
        value = sample(schema, self.document, accept=self._fits, omit="writeOnly")
        if self.schemas.valid(value, schema, "response"):
            return value
        return sample(schema, self.document, use_examples=False, omit="writeOnly")

    def _fits(self, value: Any, schema: dict[str, Any]) -> bool:
        return self.schemas.valid(value, schema, "response")

    def _headers(self, response: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        out = []
        for name, header in (response.get("headers") or {}).items():
            header = deref(self.document, header) or {}
            if name.lower() == "content-type":
                continue
            if "example" in header:
                value = header["example"]
            else:
                schema = header.get("schema") or first_media(header).get("schema")
                value = self._sample(schema) if isinstance(schema, dict) else None
            if value is not None:
                out.append((name, _header_text(value)))
        return tuple(out)

    # -- errors in the spec's own shape ---------------------------------------------------------

    def _error(self, route: Route, status: int, problems: list[str], request: Request) -> Response:
        title = HTTPStatus(status).phrase
        detail = "; ".join(problems)
        extra: tuple[tuple[str, str], ...] = ()
        if status == 401:
            extra = (("WWW-Authenticate", self._challenge(route)),)
        responses = route.operation.get("responses") or {}
        key = _response_key(responses, str(status))
        if key is None:
            return problem_response(status, detail, extra)
        response = deref(self.document, responses[key]) or {}
        content = response.get("content") or {}
        chosen = negotiate(list(content), request.headers.get("accept", "")) or (
            negotiate(list(content), "") if content else None
        )
        if chosen is None:
            return Response(status, self._headers(response) + extra, b"")
        declared, content_type = chosen
        schema = (content[declared] or {}).get("schema")
        value = (
            self._error_value(schema, status, title, problems)
            if isinstance(schema, dict)
            else detail
        )
        headers = self._headers(response) + extra + (("Content-Type", content_type),)
        return Response(status, headers, encode(value, content_type, schema, self.document))

    def _error_value(
        self, schema: dict[str, Any], status: int, title: str, problems: list[str]
    ) -> Any:
        """A body valid for `schema` that says what is wrong, where the schema has room for it."""
        detail = "; ".join(problems)
        base = self._sample(schema)
        if not isinstance(base, dict):
            return detail if self.schemas.valid(detail, schema, "response") else base
        members = _properties(self.document, schema)
        filled = dict(base)
        for name, member in members.items():
            kind = (deref(self.document, member) or {}).get("type")
            word = name.lower().replace("_", "")
            if word in STATUS_MEMBERS:
                filled[name] = str(status) if kind == "string" else status
            elif word in ("title", "error", "reason") and kind == "string":
                filled[name] = title
            elif (
                word in ("detail", "details", "message", "description", "errordescription")
                and kind == "string"
            ):
                filled[name] = detail
            elif kind == "array" and _is_strings(self.document, member):
                filled[name] = problems
        if detail not in filled.values() and problems not in filled.values():
            filled["detail"] = detail
        for attempt in (
            filled,
            {k: v for k, v in filled.items() if k != "detail" or "detail" in members},
        ):
            if self.schemas.valid(attempt, schema, "response"):
                return attempt
        return base

    def _with_status(self, value: Any, schema: dict[str, Any], status: int) -> Any:
        """An error body whose status member (RFC 7807 `status`, `code`) says the status served."""
        if not isinstance(value, dict):
            return value
        for name, member in _properties(self.document, schema).items():
            if name.lower().replace("_", "") in STATUS_MEMBERS:
                kind = (deref(self.document, member) or {}).get("type")
                changed = {**value, name: str(status) if kind == "string" else status}
                if self.schemas.valid(changed, schema, "response"):
                    value = changed
        return value

    def _challenge(self, route: Route) -> str:
        requirements = security_requirements(self.document, route.operation) or [{}]
        schemes = security_schemes(self.document)
        for name in requirements[0]:
            scheme = schemes.get(name)
            if scheme and scheme.type == "http":
                return f'{(scheme.http_scheme or "bearer").capitalize()} realm="specbind mock"'
            if scheme and scheme.type == "apiKey":
                return f'apiKey {scheme.location}="{scheme.name}"'
        return 'Bearer realm="specbind mock"'


# -- helpers ------------------------------------------------------------------------------------


def _routes(document: dict[str, Any]) -> list[Route]:
    routes = []
    for template, item in (document.get("paths") or {}).items():
        item = deref(document, item)
        if not isinstance(item, dict):
            continue
        shared = [deref(document, p) for p in item.get("parameters") or []]
        pattern, names = _compile(template)
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            own = [deref(document, p) for p in operation.get("parameters") or []]
            keys = {(p.get("name"), p.get("in")) for p in own}
            parameters = tuple(
                p for p in shared if (p.get("name"), p.get("in")) not in keys
            ) + tuple(own)
            routes.append(Route(method, template, pattern, names, operation, parameters))
    # concrete paths before templated ones (`/users/me` before `/users/{id}`), as OpenAPI says
    routes.sort(key=lambda r: (len(r.names), -len(r.template)))
    return routes


def _compile(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    names: list[str] = []
    regex = ""
    for part in re.split(r"(\{[^{}/]+\})", template):
        if part.startswith("{") and part.endswith("}"):
            names.append(part[1:-1])
            regex += "([^/]+)"
        else:
            regex += re.escape(part)
    return re.compile(regex), tuple(names)


def _server_prefixes(document: dict[str, Any]) -> list[str]:
    prefixes = []
    for server in document.get("servers") or []:
        url = str((server or {}).get("url", ""))
        for name, variable in ((server or {}).get("variables") or {}).items():
            url = url.replace("{" + name + "}", str((variable or {}).get("default", "")))
        path = urlparse(url).path.rstrip("/")
        if path and "{" not in path:
            prefixes.append(path)
    return sorted(set(prefixes), key=len, reverse=True)


def _prefer(header: str) -> dict[str, str]:
    """`Prefer: code=404, example=bad` as {'code': '404', 'example': 'bad'}."""
    found = {}
    for part in re.split(r"[,;]", header):
        key, _, value = part.strip().partition("=")
        if key:
            found[key.strip().lower()] = value.strip().strip('"') or "true"
    return found


def _response_key(responses: dict[str, Any], code: str) -> str | None:
    for key in (code, f"{code[:1]}XX", f"{code[:1]}xx", "default"):
        if key in responses:
            return key
    return None


def _default_response(responses: dict[str, Any]) -> tuple[str | None, int]:
    codes = sorted(k for k in responses if k.isdigit())
    for code in codes:
        if code.startswith("2"):
            return code, int(code)
    for key in ("2XX", "2xx", "default"):
        if key in responses:
            return key, 200
    if codes:
        return codes[0], int(codes[0])
    return None, 200


def _properties(document: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    schema = deref(document, schema) or {}
    members = dict(schema.get("properties") or {})
    for part in schema.get("allOf") or [] if depth < 8 else []:
        members.update(_properties(document, part, depth + 1))
    return members


def _is_strings(document: dict[str, Any], schema: Any) -> bool:
    items = (deref(document, schema) or {}).get("items")
    return (deref(document, items) or {}).get("type") == "string"


def negotiate(declared: list[str], accept: str) -> tuple[str, str] | None:
    """(declared media type, concrete Content-Type) best matching an Accept header, or None."""
    ranges = _accept_ranges(accept) or ["*/*"]
    for wanted in ranges:
        for media_type in declared:
            if _covers(wanted, media_type) or _covers(media_type, wanted):
                return media_type, _concrete(media_type, wanted)
    return None


def _accept_ranges(accept: str) -> list[str]:
    weighted = []
    for i, item in enumerate(accept.split(",")):
        media_type, *params = [p.strip() for p in item.split(";")]
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media_type and q > 0:
            weighted.append((-q, i, media_type.lower()))
    return [m for _, _, m in sorted(weighted)]


def _covers(media_range: str, media_type: str) -> bool:
    media_range, media_type = (
        media_range.split(";")[0].strip(),
        media_type.split(";")[0].strip().lower(),
    )
    if media_range == "*/*":
        return True
    if media_range.endswith("/*"):
        return media_type.split("/")[0] == media_range.split("/")[0]
    return media_range == media_type


def _concrete(declared: str, wanted: str) -> str:
    if "*" not in declared:
        return declared
    if "*" not in wanted:
        return wanted
    return CONCRETE.get(declared.split("/")[0], "application/octet-stream")


def is_binary(content_type: str, schema: Any, document: dict[str, Any]) -> bool:
    """Whether a body of this media type and schema is bytes rather than JSON or text."""
    if is_json(content_type):
        return False
    schema = deref(document, schema) if isinstance(schema, dict) else None
    if isinstance(schema, dict) and schema.get("format") == "binary":
        return True
    if (
        isinstance(schema, dict)
        and schema.get("type") == "string"
        or content_type.startswith("text/")
    ):
        return False
    return content_type.split("/")[0] in ("application", "audio", "image", "video", "font") and (
        schema is None or "xml" not in content_type
    )


def encode(value: Any, content_type: str, schema: Any, document: dict[str, Any]) -> bytes:
    if is_binary(content_type, schema, document):
        return (
            value.encode()
            if isinstance(value, str) and value
            else value if isinstance(value, bytes) else BINARY_BODY
        )
    if is_json(content_type) or not isinstance(value, str):
        return json.dumps(value).encode()
    return value.encode()


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{_header_text(v)}" for k, v in value.items())
    return str(value)


def problem_response(
    status: int, detail: str, headers: tuple[tuple[str, str], ...] = ()
) -> Response:
    """An RFC 7807 problem from the mock itself, for requests the spec has no answer shape for."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    return Response(status, headers + (("Content-Type", PROBLEM_JSON),), json.dumps(body).encode())
