"""Checking one HTTP request against its operation: security, parameters, content type and body.

Each check returns plain messages naming what is wrong (`query parameter 'limit': 'x' is not of
type 'integer'`); an empty list means the request is fine.
"""

from __future__ import annotations

import base64
import binascii
import json
import sys
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl

from specbind.mock.schemas import Schemas
from specbind.spec.document import (
    SecurityScheme,
    deref,
    security_requirements,
    security_schemes,
)

SKIPPED_HEADERS = {
    "accept",
    "content-type",
    "authorization",
}  # OpenAPI: such header parameters are ignored
UNCHECKED = object()  # a body the mock takes as it is
SPLITTERS = {"form": ",", "simple": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


@dataclass
class Request:
    """An HTTP request as the mock sees it: header names lower-case, query pairs in order."""

    method: str
    path: str  # as sent, percent-encoded
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def query_values(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.headers.get("cookie", ""))
        except Exception:  # an unparsable Cookie header carries no cookies
            return {}
        return {k: m.value for k, m in jar.items()}


def first_media(node: dict[str, Any]) -> dict[str, Any]:
    """The first media type object of a parameter's or header's `content`, or {}."""
    for media in (node.get("content") or {}).values():
        return media if isinstance(media, dict) else {}
    return {}


def security_problems(
    document: dict[str, Any], operation: dict[str, Any], request: Request
) -> list[str]:
    """Why no security requirement of the operation is met (empty when one is, or none applies)."""
    requirements = security_requirements(document, operation)
    if not requirements:
        return []
    schemes = security_schemes(document)
    missing: list[str] = []
    for requirement in requirements:
        lacking = [_credential_problem(schemes.get(name), name, request) for name in requirement]
        lacking = [m for m in lacking if m]
        if not lacking:
            return []
        missing.append(" and ".join(lacking))
    return [" or ".join(dict.fromkeys(missing))]


def _credential_problem(scheme: SecurityScheme | None, name: str, request: Request) -> str:
    if scheme is None:
        return ""  # a scheme the document does not define cannot be checked
    if scheme.type == "apiKey":
        where, key = scheme.location, scheme.name
        present: str | None = None
        if where == "header":
            present = request.headers.get(key.lower())
        elif where == "query":
            present = next(iter(request.query_values(key)), None)
        elif where == "cookie":
            present = request.cookies.get(key)
        return "" if present else f"missing API key: {where} {key!r} (security scheme {name!r})"
    if scheme.type in ("http", "oauth2", "openIdConnect"):
        wanted = (scheme.http_scheme or "bearer") if scheme.type == "http" else "bearer"
        given = request.headers.get("authorization", "")
        prefix, _, credentials = given.partition(" ")
        if prefix.lower() != wanted or not credentials.strip():
            return f"missing credentials: 'Authorization: {wanted.capitalize()} ...' (security scheme {name!r})"
        if wanted == "basic" and not _is_basic(credentials.strip()):
            return f"malformed Basic credentials in 'Authorization' (security scheme {name!r})"
    return ""  # mutualTLS and unknown kinds cannot be checked here


def _is_basic(credentials: str) -> bool:
    try:
        return ":" in base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False


def parameter_problems(
    schemas: Schemas,
    parameters: list[dict[str, Any]],
    path_values: dict[str, str],
    request: Request,
) -> list[str]:
    """Missing required parameters and values that do not fit their schemas."""
    problems: list[str] = []
    for parameter in parameters:
        name, where = str(parameter.get("name")), str(parameter.get("in"))
        if where == "header" and name.lower() in SKIPPED_HEADERS:
            continue
        raw = _raw_values(schemas.document, parameter, path_values, request)
        label = f"{where} parameter {name!r}"
        if raw is None:
            if parameter.get("required") or where == "path":
                problems.append(f"{label}: required but missing")
            continue
        schema, value = _parameter_value(schemas.document, parameter, raw)
        if schema is None:
            problems.append(f"{label}: {value}")  # the value is the parse error
            continue
        problems.extend(schemas.errors(value, schema, "request", label))
    return problems


def _raw_values(
    document: dict[str, Any],
    parameter: dict[str, Any],
    path_values: dict[str, str],
    request: Request,
) -> list[str] | None:
    name, where = str(parameter.get("name")), parameter.get("in")
    if where == "path":
        return [path_values[name]] if name in path_values else None
    if where == "query":
        if parameter.get("style") == "deepObject":
            prefix = name + "["
            pairs = [
                f"{k[len(prefix):-1]}={v}"
                for k, v in request.query
                if k.startswith(prefix) and k.endswith("]")
            ]
            return pairs or None
        values = request.query_values(name)
        members = _exploded_members(document, parameter)
        if not values and members:  # a form-exploded object: its members stand in the query
            values = [f"{k}={v}" for k, v in request.query if k in members]
        return values or None
    if where == "header":
        value = request.headers.get(name.lower())
        return None if value is None else [value]
    if where == "cookie":
        value = request.cookies.get(name)
        return None if value is None else [value]
    return None


def _exploded_members(document: dict[str, Any], parameter: dict[str, Any]) -> set[str]:
    """The member names of a form-exploded object query parameter (empty for anything else)."""
    schema = deref(document, parameter.get("schema")) or {}
    if parameter.get("style", "form") != "form" or not parameter.get("explode", True):
        return set()
    return set(schema.get("properties") or {}) if _type_of(schema) == "object" else set()


def _parameter_value(
    document: dict[str, Any], parameter: dict[str, Any], raw: list[str]
) -> tuple[Any, Any]:
    """(schema node, deserialized value), or (None, error message) when the text cannot be read."""
    if "content" in parameter:  # a parameter carried as a media type, e.g. JSON in a query value
        media = first_media(parameter)
        value, problem = read_json(raw[0])
        return (None, problem) if problem else (media.get("schema") or {}, value)
    schema = parameter.get("schema") or {}
    resolved = deref(document, schema) or {}
    kind = _type_of(resolved)
    where = parameter.get("in")
    style = parameter.get("style") or ("form" if where in ("query", "cookie") else "simple")
    explode = parameter.get("explode", style == "form")
    text = raw[0]
    if where == "path" and style in ("label", "matrix"):
        text = text.lstrip(".;").split("=", 1)[-1] if style == "matrix" else text.lstrip(".")
    if kind == "array":
        items = deref(document, resolved.get("items") or {}) or {}
        if where == "query" and explode and style == "form":
            texts = raw
        else:
            texts = text.split(SPLITTERS.get(style, ",")) if text else []
        return schema, [coerce(t, items, document) for t in texts]
    if kind == "object":
        if style == "deepObject" or (where == "query" and explode):
            pairs = [p.partition("=") for p in raw]
            return schema, {
                k: coerce(v, _member(document, resolved, k), document) for k, _, v in pairs
            }
        parts = text.split(",")
        if explode:
            pairs = [p.partition("=") for p in parts]
            return schema, {
                k: coerce(v, _member(document, resolved, k), document) for k, _, v in pairs
            }
        return schema, {
            k: coerce(v, _member(document, resolved, k), document)
            for k, v in zip(parts[::2], parts[1::2])
        }
    return schema, coerce(text, resolved, document)


def _member(document: dict[str, Any], schema: dict[str, Any], name: str) -> dict[str, Any]:
    return deref(document, (schema.get("properties") or {}).get(name)) or {}


def _type_of(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind is None and "properties" in schema:
        return "object"
    return kind if isinstance(kind, str) else None


def coerce(text: str, schema: dict[str, Any], document: dict[str, Any]) -> Any:
    """Text from a URL, header or form field as the JSON value its schema describes, when it reads
    as one; otherwise the text itself (so that the schema check names the mismatch)."""
    kind = _type_of(deref(document, schema) or {})
    try:
        if kind == "integer":
            return int(text)
        if kind == "number":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
    except ValueError:
        return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if kind == "null" and text in ("", "null"):
        return None
    return text


def content_type_problems(
    document: dict[str, Any], operation: dict[str, Any], request: Request
) -> list[str]:
    """A body in a media type that the operation does not take (the server answers 415)."""
    body = deref(document, operation.get("requestBody"))
    if not isinstance(body, dict) or not request.body:
        return []
    content = body.get("content") or {}
    if match_media_type(request.media_type, list(content)) is not None:
        return []
    given = request.media_type or "none"
    return [
        f"content type {given!r} is not accepted; the operation takes {', '.join(content) or 'no body'}"
    ]


def body_problems(schemas: Schemas, operation: dict[str, Any], request: Request) -> list[str]:
    """A body that is missing, unreadable or does not fit its schema."""
    document = schemas.document
    body = deref(document, operation.get("requestBody"))
    if not isinstance(body, dict):
        return []
    if not request.body:
        return ["request body: required but missing"] if body.get("required") else []
    content = body.get("content") or {}
    declared = match_media_type(request.media_type, list(content))
    if declared is None:
        return []  # content_type_problems tells
    schema = (content.get(declared) or {}).get("schema")
    value, problem = _read_body(document, request, schema)
    if problem:
        return [f"request body: {problem}"]
    if value is UNCHECKED or not isinstance(schema, dict):
        return []
    return schemas.errors(value, schema, "request", "request body")


def _read_body(document: dict[str, Any], request: Request, schema: Any) -> tuple[Any, str]:
    media_type = request.media_type
    if is_json(media_type):
        return read_json(request.body)
    resolved = deref(document, schema) or {}
    if media_type == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(
                request.body.decode("utf-8"), keep_blank_values=True, strict_parsing=False
            )
        except UnicodeDecodeError:
            return None, "form data is not UTF-8"
        return _form_object(document, resolved, pairs), ""
    if media_type.startswith("multipart/"):
        header = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(header + request.body)
        if not message.is_multipart():
            return None, "multipart body could not be read (boundary missing or wrong)"
        pairs = []
        for part in message.iter_parts():
            payload = part.get_payload(decode=True)
            payload = payload if isinstance(payload, bytes) else b""
            filename = part.get_filename()
            text = filename if filename is not None else payload.decode("utf-8", "replace")
            pairs.append((str(part.get_param("name", header="content-disposition") or ""), text))
        return _form_object(document, resolved, pairs), ""
    if _type_of(resolved) == "string" and resolved.get("format") != "binary":
        try:
            return request.body.decode("utf-8"), ""
        except UnicodeDecodeError:
            return None, f"a {media_type!r} body must be UTF-8 text"
    return UNCHECKED, ""  # bytes, or a format such as XML that the mock does not parse


class _TooManyDigits(ValueError):
    pass


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > sys.get_int_max_str_digits():
        raise _TooManyDigits
    return int(text)


def read_json(text: str | bytes) -> tuple[Any, str]:
    """(value, "") for JSON text, else (None, why it cannot be read): malformed, not UTF-8,
    nested deeper than Python reads, or a number with more digits than Python converts."""
    try:
        return json.loads(text, parse_int=_integer), ""
    except json.JSONDecodeError as exc:
        return None, f"not valid JSON ({exc})"
    except _TooManyDigits:
        return (
            None,
            f"not readable JSON: a number has more than {sys.get_int_max_str_digits()} digits",
        )
    except UnicodeDecodeError as exc:
        return None, f"not valid JSON ({exc})"
    except RecursionError:
        return None, "not readable JSON: nested too deeply"


def _form_object(
    document: dict[str, Any], schema: dict[str, Any], pairs: list[tuple[str, str]]
) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for name, text in pairs:
        member = _member(document, schema, name)
        if _type_of(member) == "array":
            items = deref(document, member.get("items") or {}) or {}
            value.setdefault(name, []).append(coerce(text, items, document))
        else:
            value[name] = coerce(text, member, document)
    return value


def is_json(media_type: str) -> bool:
    media_type = media_type.split(";")[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


def match_media_type(given: str, declared: list[str]) -> str | None:
    """The declared media type (maybe a range such as `image/*`) that `given` falls under."""
    given = given.split(";")[0].strip().lower()
    for candidate in declared:
        if candidate.split(";")[0].strip().lower() == given:
            return candidate
    kind = given.split("/")[0]
    for candidate in declared:
        pattern = candidate.split(";")[0].strip().lower()
        if pattern == "*/*" or (pattern.endswith("/*") and pattern.split("/")[0] == kind and given):
            return candidate
    return None
