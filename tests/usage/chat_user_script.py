"""A user's script over the committed tyntec_chat bindings: `mypy --strict` must pass over it
(tests/test_generated_code.py), so every feature below keeps its types. It is type-checked, not run.

A line ending in `# type: ignore[...]` must stay an error: mypy --strict reports ignores that are
no longer needed, so a type that became too loose fails the check.
"""

from __future__ import annotations

import asyncio
from types import MappingProxyType

import httpx
import tyntec_chat
from tyntec_chat import (
    ApiResponseError,
    AsyncClient,
    Client,
    MissingCredentialError,
    NotFoundError,
    Problem,
    RateLimitError,
    RawResponse,
)
from tyntec_chat.models import MessageRequest, MessageResponse, SMSRequest, StoredMessage

HEADERS = MappingProxyType({"X-Team": "payments"})  # any Mapping[str, str]


def sync_usage() -> None:
    request = MessageRequest(
        to="+1233423454", channels=["sms"], sms=SMSRequest(content_type="text", text="hi")
    )
    SMSRequest(content_type="fax")  # type: ignore[arg-type]
    with Client(api_key="key", headers=HEADERS) as client:
        client_type: Client = client  # __enter__ returns Self
        accepted: MessageResponse = client.send_message(
            request, extra_headers={"X-Trace": "1"}, extra_query={"dry": "1"}, timeout=3.0
        )
        raw: RawResponse[StoredMessage] = client.with_raw_response.retrieve_message("id")
        status: int = raw.status_code
        headers: httpx.Headers = raw.headers
        response: httpx.Response = raw.http_response
        stored: StoredMessage = raw.parse()
        with client.with_streaming_response.download_media("media-id") as streamed:
            for chunk in streamed.iter_bytes():
                chunk.hex()
        patient: Client = client.with_options(timeout=60.0, max_retries=5, headers={"X": "y"})
        try:
            patient.send_message(request)
        except ApiResponseError as error:
            print(error.status_code, error.headers, error.body)
        except RateLimitError as error:
            wait: float | None = error.retry_after
            print(wait)
        try:
            client.retrieve_message("id")
        except NotFoundError as error:  # the body decoded with the spec's own Problem schema
            problem: Problem | None = error.problem
            detail: str = error.problem.detail if error.problem else error.body
            wrong: int = error.problem.status  # type: ignore[assignment,union-attr]
            print(problem, detail, wrong, Problem.from_json(error.body).to_dict())
        print(client_type, accepted, status, headers, response, stored, streamed.status_code)


async def async_usage() -> None:
    async with AsyncClient(api_key="key") as client:
        client_type: AsyncClient = client
        raw: RawResponse[StoredMessage] = await client.with_raw_response.retrieve_message("id")
        async with client.with_streaming_response.download_media("media-id") as streamed:
            async for chunk in streamed.aiter_bytes():
                chunk.hex()
        copy: AsyncClient = client.with_options(base_url="https://example.test")
        print(client_type, raw.parse(), streamed.headers, copy, tyntec_chat.__name__)


def setup_usage() -> None:
    version: str = tyntec_chat.__version__
    try:
        Client(base_url="https://example.test", http_client=httpx.Client(timeout=5.0))
    except MissingCredentialError as error:
        print(version, error)


asyncio.run(async_usage())
