"""GET /media/{media-id}: bytes with media type and file name, or streamed into a file chunk by chunk."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from tests.calling import Api, api, server, shared_server, truncating_server  # noqa: F401
from tests.http_server import Reply, ScriptedServer

MEDIA_ID = "77185196-664a-43ec-b14a-fe97036c697f"
MEDIA_PATH = f"/media/{MEDIA_ID}"
BIG = os.urandom(3 * 1024 * 1024 + 17)  # 3 MiB and a bit: many chunks on the way


@pytest.mark.parametrize(
    ("content_type", "disposition", "filename"),
    [
        ("audio/ogg", 'attachment; filename="voice.ogg"', "voice.ogg"),
        (
            "application/pdf",
            "attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf",
            "Rechnung März.pdf",
        ),
        ("text/plain; charset=utf-8", None, None),  # `text/*` with format: binary stays bytes
        ("video/mp4", "inline", None),
        ("application/json", None, None),  # `application/*` includes JSON: still the raw bytes
    ],
)
def test_download_media_for_each_wildcard_type(
    api: Api,
    server: ScriptedServer,
    content_type: str,
    disposition: str | None,
    filename: str | None,
) -> None:
    body = b'{"not": "parsed"}\xff\x00'
    headers = {"Content-Type": content_type}
    if disposition:
        headers["Content-Disposition"] = disposition
    server.on("GET", MEDIA_PATH, Reply(200, body, headers))
    media = api.call("download_media", MEDIA_ID)
    assert isinstance(media, api.package.BinaryContent)
    assert (media.content, media.content_type, media.filename) == (body, content_type, filename)


def test_the_accept_header_lists_the_spec_media_types(api: Api, server: ScriptedServer) -> None:
    server.on("GET", MEDIA_PATH, Reply(200, b"x", {"Content-Type": "audio/ogg"}))
    api.call("download_media", MEDIA_ID)
    assert (
        server.seen[0].headers["accept"]
        == "audio/*, application/*, text/*, video/*, application/json"
    )


def test_streaming_to_a_path(api: Api, server: ScriptedServer, tmp_path: Path) -> None:
    server.on("GET", MEDIA_PATH, Reply(200, BIG, {"Content-Type": "video/mp4",
                                                  "Content-Disposition": 'attachment; filename="clip.mp4"'}))  # fmt: skip
    target = tmp_path / "clip.mp4"
    saved = api.call("download_media_to_file", MEDIA_ID, target)
    assert saved == api.package.SavedContent(str(target), len(BIG), "video/mp4", "clip.mp4")
    assert target.read_bytes() == BIG
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]  # no temporary file left


class Recorder(io.RawIOBase):
    """A binary file that remembers the size of every write."""

    def __init__(self) -> None:
        self.writes: list[int] = []
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.writes.append(len(chunk))
        self.data.extend(chunk)
        return len(chunk)


def test_streaming_to_an_open_file_writes_chunk_by_chunk(api: Api, server: ScriptedServer) -> None:
    server.on("GET", MEDIA_PATH, Reply(200, BIG, {"Content-Type": "application/octet-stream"}))
    out = Recorder()
    saved = api.call("download_media_to_file", MEDIA_ID, out)
    assert bytes(out.data) == BIG and saved.size == len(BIG) and saved.path is None
    assert len(out.writes) > 1 and max(out.writes) < len(BIG) // 2  # never the whole body at once


def test_a_failed_streamed_download_raises_and_leaves_no_file(
    api: Api, server: ScriptedServer, tmp_path: Path
) -> None:
    problem = {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "no such media",
    }
    server.on("GET", MEDIA_PATH, Reply.json(404, problem))
    with pytest.raises(api.package.NotFoundError) as caught:
        api.call("download_media_to_file", MEDIA_ID, tmp_path / "never.bin")
    assert caught.value.problem.detail == "no such media"
    assert list(tmp_path.iterdir()) == []


def test_a_streamed_download_is_retried_like_any_get(
    api: Api, server: ScriptedServer, tmp_path: Path
) -> None:
    server.on("GET", MEDIA_PATH, Reply(503, b"busy", {"Content-Type": "text/plain"}),
              Reply(200, b"payload", {"Content-Type": "audio/ogg"}))  # fmt: skip
    saved = api.call("download_media_to_file", MEDIA_ID, str(tmp_path / "a.ogg"))
    assert saved.size == 7 and (tmp_path / "a.ogg").read_bytes() == b"payload"
    assert len(api.sleeps) == 1


def test_a_connection_lost_mid_download_raises_and_leaves_no_file(api: Api, tmp_path: Path) -> None:
    with truncating_server(announced=100_000, sent=b"only this much") as url:
        api.url = url
        with pytest.raises(api.package.ApiConnectionError, match="RemoteProtocolError"):
            api.call("download_media_to_file", MEDIA_ID, tmp_path / "cut.bin", max_retries=0)
    assert list(tmp_path.iterdir()) == []


def test_a_connection_lost_mid_body_raises_connection_error_without_streaming(api: Api) -> None:
    with truncating_server(announced=100_000, sent=b"only this much") as url:
        api.url = url
        with pytest.raises(api.package.ApiConnectionError, match="RemoteProtocolError"):
            api.call("download_media", MEDIA_ID, max_retries=0)
