"""Reading a bundled OpenAPI document: its HTTP methods, JSON pointers, `$ref`s and security schemes.

Every stage that walks the document (validate, codegen, the mock) reads it through these, so a
pointer resolves, a reference chain ends and a security scheme reads the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from specbind.spec.problems import parts_of

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")  # of a Path Item


def resolve_pointer(document: Any, pointer: str) -> Any:
    """The node a local '#/…' pointer names; KeyError (naming the first missing part) when it names nothing."""
    node = document
    for part in parts_of(pointer):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(part)
    return node


def deref(document: Any, node: Any, strict: bool = False) -> Any:
    """Follow `$ref`s from `node` to the first node that is not a reference.

    A reference that names nothing gives None, or KeyError when `strict`. A chain that comes back
    to a reference it already followed stops there and gives that reference's node.
    """
    followed: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if ref in followed:
            return node
        followed.add(ref)
        try:
            node = resolve_pointer(document, ref)
        except KeyError:
            if strict:
                raise
            return None
    return node


@dataclass(frozen=True)
class SecurityScheme:
    """One entry of `components/securitySchemes`, as plain data."""

    key: str  # its name in securitySchemes, as security requirements name it
    type: str  # apiKey, http, oauth2, openIdConnect, mutualTLS
    location: str = ""  # apiKey: header, query or cookie
    name: str = ""  # apiKey: the header, query parameter or cookie that carries the key
    http_scheme: str = ""  # http: the Authorization scheme, lower case (bearer, basic, ...)
    description: str = ""
    client_credentials: bool = False  # oauth2: it has a clientCredentials flow
    token_url: str = ""  # oauth2 clientCredentials: where the token comes from
    scopes: tuple[str, ...] = ()  # oauth2 clientCredentials: the scopes the flow declares


def security_schemes(document: dict[str, Any]) -> dict[str, SecurityScheme]:
    """The document's security schemes by key, `$ref`s followed; entries that are not objects are left out."""
    components = document.get("components")
    found = components.get("securitySchemes") if isinstance(components, dict) else None
    schemes: dict[str, SecurityScheme] = {}
    for key, value in (found if isinstance(found, dict) else {}).items():
        scheme = deref(document, value)
        if not isinstance(scheme, dict):
            continue
        schemes[key] = SecurityScheme(
            key=str(key),
            type=str(scheme.get("type", "")),
            location=str(scheme.get("in", "")),
            name=str(scheme.get("name", "")),
            http_scheme=str(scheme.get("scheme", "")).lower(),
            description=str(scheme.get("description", "") or ""),
            **_client_credentials(scheme),
        )
    return schemes


def _client_credentials(scheme: dict[str, Any]) -> dict[str, Any]:
    """The SecurityScheme fields of an oauth2 scheme's clientCredentials flow (none without one)."""
    flows = scheme.get("flows") if scheme.get("type") == "oauth2" else None
    flow = flows.get("clientCredentials") if isinstance(flows, dict) else None
    if not isinstance(flow, dict):
        return {}
    scopes = flow.get("scopes")
    return {
        "client_credentials": True,
        "token_url": str(flow.get("tokenUrl", "") or ""),
        "scopes": tuple(str(s) for s in scopes) if isinstance(scopes, dict) else (),
    }


def security_requirements(
    document: dict[str, Any], operation: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The alternatives that may authorize `operation` (the document's when it has no `security`, or
    when `operation` is None): each maps scheme keys to scopes, all of which must be met. An empty
    list: no security applies; an empty alternative: calling without credentials is fine."""
    found = (operation or {}).get("security", document.get("security"))
    if not isinstance(found, list):
        return []
    return [requirement if isinstance(requirement, dict) else {} for requirement in found]
