"""Credentials for each kind of security scheme, put on a request as the spec says.

An API key goes in a header, a query parameter or a cookie; HTTP basic gets a username and a
password (encoded here); bearer gets a token; OAuth2 client credentials get a client id and secret,
and fetch the token from the scheme's `tokenUrl`, keep it until it expires and fetch it again then
(or once after a 401). No credential shows its value in a repr, a str or a log line.
"""

from __future__ import annotations

import base64
import json
import os
import time
from typing import Callable

import httpx

from .errors import ApiError, AuthenticationError, error_for


class MissingCredentialError(ApiError, ValueError):
    """The spec requires a credential on every operation and none was given."""


class Secret:
    """Holds a credential; neither its repr nor its str shows it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    @classmethod
    def of(cls, value: str, name: str = "credential") -> Secret:
        """A credential as read from a file or a variable: surrounding whitespace (a trailing
        newline) is dropped; one holding control characters, or nothing, raises ValueError naming
        `name`, never the value."""
        secret = cls(value.strip())
        if not secret._value or not all(c.isprintable() for c in secret._value):
            raise ValueError(f"{name} is empty or holds control characters")
        return secret

    def reveal(self) -> str:
        """The value, for the request only."""
        return self._value

    def __repr__(self) -> str:
        return "'***'"

    __str__ = __repr__


def given(value: str | None, variable: str, name: str = "credential") -> Secret | None:
    """The credential passed in as `name`, else the one in the environment variable, else None;
    either is stripped and refused (ValueError) when empty or holding control characters."""
    if value is not None:
        return Secret.of(value, name)
    from_environment = os.environ.get(variable)
    return Secret.of(from_environment, variable) if from_environment else None


class Credential:
    """One scheme's credential: it puts itself on a request and can take itself off again."""

    def apply(self, request: httpx.Request) -> None:
        """Add the credential to the request."""
        raise NotImplementedError

    def strip(self, request: httpx.Request) -> None:
        """Remove the credential from the request (a redirect to another origin must not carry it)."""
        request.headers.pop("Authorization", None)


class ApiKey(Credential):
    """An API key in a header, a query parameter or a cookie (`where`), under the spec's `name`."""

    def __init__(self, where: str, name: str, key: Secret) -> None:
        self.where = where
        self.name = name
        self._key = key

    def apply(self, request: httpx.Request) -> None:
        if self.where == "query":
            request.url = request.url.copy_add_param(self.name, self._key.reveal())
        elif self.where == "cookie":
            cookie = request.headers.get("Cookie")
            pair = f"{self.name}={self._key.reveal()}"
            request.headers["Cookie"] = f"{cookie}; {pair}" if cookie else pair
        else:
            request.headers[self.name] = self._key.reveal()

    def strip(self, request: httpx.Request) -> None:
        if self.where == "query":
            request.url = request.url.copy_remove_param(self.name)
        elif self.where == "cookie":
            pairs = request.headers.get("Cookie", "").split("; ")
            kept = "; ".join(p for p in pairs if p and not p.startswith(f"{self.name}="))
            if kept:
                request.headers["Cookie"] = kept
            else:
                request.headers.pop("Cookie", None)
        else:
            request.headers.pop(self.name, None)

    def __repr__(self) -> str:
        return f"ApiKey({self.where} {self.name!r}: '***')"


class HttpBasic(Credential):
    """HTTP basic authentication: `Authorization: Basic base64(username:password)`."""

    def __init__(self, username: Secret, password: Secret) -> None:
        self._username = username
        self._password = password

    def apply(self, request: httpx.Request) -> None:
        pair = f"{self._username.reveal()}:{self._password.reveal()}".encode()
        request.headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")

    def __repr__(self) -> str:
        return "HttpBasic('***')"


class Bearer(Credential):
    """A bearer token: `Authorization: Bearer <token>`."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = "Bearer " + self._token.reveal()

    def __repr__(self) -> str:
        return "Bearer('***')"


class ClientCredentials(Credential):
    """OAuth2 client credentials: the token comes from `token_url` and is kept until shortly before
    it expires (`expires_in`); the client fetches it with `token_request` and hands the answer to
    `store`, before the first request, when it has expired, and once after a 401."""

    MARGIN = 30.0  # seconds before the announced expiry at which the token counts as expired

    def __init__(
        self,
        client_id: Secret,
        client_secret: Secret,
        token_url: str,
        scopes: tuple[str, ...] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self.token_url = token_url
        self.scopes = scopes
        self._clock = clock
        self._token: Secret | None = None
        self._expires_at = 0.0

    def needs_token(self) -> bool:
        """Whether a token must be fetched before the next request."""
        return self._token is None or self._clock() >= self._expires_at

    def forget(self) -> None:
        """Drop the token (the server refused it), so that the next request fetches a new one."""
        self._token = None

    def token_request(self, http: httpx.Client | httpx.AsyncClient, base_url: str) -> httpx.Request:
        """The token request: a form POST with the client's id and secret (HTTP basic, RFC 6749 §2.3.1)."""
        form = {"grant_type": "client_credentials"}
        if self.scopes:
            form["scope"] = " ".join(self.scopes)
        url = httpx.URL(base_url + "/").join(self.token_url)
        request = http.build_request("POST", url, data=form, headers={"Accept": "application/json"})
        HttpBasic(self._client_id, self._client_secret).apply(request)
        return request

    def store(self, response: httpx.Response) -> None:
        """Keep the token from the token endpoint's answer; an error or a body without one raises."""
        if not response.is_success:
            raise error_for(response)
        try:
            answer = json.loads(response.content)
            token = answer["access_token"]
            lifetime = float(answer.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise AuthenticationError(
                response.status_code,
                f"the token endpoint {self.token_url} answered without an access_token",
                headers=response.headers,
            ) from None
        try:
            self._token = Secret.of(str(token), "the access_token")
        except ValueError as exc:
            raise AuthenticationError(
                response.status_code,
                f"the token endpoint {self.token_url} answered with an unusable token: {exc}",
                headers=response.headers,
            ) from None
        self._expires_at = self._clock() + max(lifetime - self.MARGIN, 0.0)

    def apply(self, request: httpx.Request) -> None:
        if self._token is not None:
            request.headers["Authorization"] = "Bearer " + self._token.reveal()

    def __repr__(self) -> str:
        return f"ClientCredentials(token_url={self.token_url!r}, '***')"


def api_key(where: str, name: str, key: Secret | None) -> ApiKey | None:
    """An API key credential, or None without a key."""
    return None if key is None else ApiKey(where, name, key)


def http_basic(username: Secret | None, password: Secret | None) -> HttpBasic | None:
    """A basic credential, or None unless both parts are given."""
    return None if username is None or password is None else HttpBasic(username, password)


def bearer(token: Secret | None) -> Bearer | None:
    """A bearer credential, or None without a token."""
    return None if token is None else Bearer(token)


def client_credentials(
    client_id: Secret | None,
    client_secret: Secret | None,
    token_url: str,
    scopes: tuple[str, ...] = (),
) -> ClientCredentials | None:
    """An OAuth2 client-credentials credential, or None unless both parts are given."""
    if client_id is None or client_secret is None:
        return None
    return ClientCredentials(client_id, client_secret, token_url, scopes)


def credentials(
    found: list[Credential | None], required: bool, missing: str
) -> tuple[Credential, ...]:
    """The credentials given; none at all where the spec requires one raises MissingCredentialError
    with `missing` (which names the parameters and the environment variables)."""
    present = tuple(c for c in found if c is not None)
    if required and not present:
        raise MissingCredentialError(missing)
    return present
