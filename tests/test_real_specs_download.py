"""tests/real_specs.py, the real-spec corpus's downloader, against a fake npm registry on 127.0.0.1:
it checks the tarball's integrity and each file's sha256, caches, fetches each tarball once when
workers ask together, and names the package when it cannot get it."""

from __future__ import annotations

import base64
import hashlib
import io
import socket
import tarfile
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from tests.http_server import Reply, serve
from tests.real_specs import RealSpec, RealSpecError, cached_path, fetch, load_sources

FILES = {"package/api/a.json": b'{"openapi": "3.0.3"}', "package/b.yaml": b"openapi: 3.1.0\n"}


def _tarball() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in FILES.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


TARBALL = _tarball()
TARBALL_PATH = "/@acme/specs/-/specs-1.0.0.tgz"


def _specs(tarball: bytes = TARBALL) -> list[RealSpec]:
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    return [
        RealSpec(
            key=f"spec{i}",
            package="@acme/specs",
            version="1.0.0",
            integrity=integrity,
            path=path,
            sha256=hashlib.sha256(data).hexdigest(),
            vendor="Acme",
            licence="MIT",
            style="",
            use="test",
        )
        for i, (path, data) in enumerate(FILES.items())
    ]


def test_the_listed_files_are_extracted_once_then_read_from_the_cache(tmp_path: Path) -> None:
    with serve() as registry:
        registry.on("GET", TARBALL_PATH, Reply(200, TARBALL))
        paths = fetch(_specs(), tmp_path, registry.url)
        again = fetch(_specs(), tmp_path, registry.url)
        assert len(registry.seen) == 1
    assert paths == again
    assert [paths[f"spec{i}"].read_bytes() for i in range(2)] == list(FILES.values())
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        ".@acme+specs@1.0.0.lock",
        "a.json",
        "b.yaml",
    ]


def test_a_cached_file_that_changed_is_fetched_again(tmp_path: Path) -> None:
    specs = _specs()
    with serve() as registry:
        registry.on("GET", TARBALL_PATH, Reply(200, TARBALL))
        fetch(specs, tmp_path, registry.url)
        cached_path(specs[0], tmp_path).write_bytes(b"{}")
        paths = fetch(specs, tmp_path, registry.url)
        assert len(registry.seen) == 2
    assert paths["spec0"].read_bytes() == FILES["package/api/a.json"]


def test_workers_asking_at_once_download_the_tarball_once(tmp_path: Path) -> None:
    results: list[dict[str, Path]] = []
    with serve() as registry:
        registry.on("GET", TARBALL_PATH, Reply(200, TARBALL))
        workers = [
            threading.Thread(target=lambda: results.append(fetch(_specs(), tmp_path, registry.url)))
            for _ in range(4)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert len(registry.seen) == 1
    assert len(results) == 4 and all(r == results[0] for r in results)


def test_a_tarball_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    with serve() as registry:
        registry.on("GET", TARBALL_PATH, Reply(200, TARBALL[:-1] + bytes([TARBALL[-1] ^ 1])))
        with pytest.raises(RealSpecError, match=r"@acme/specs@1\.0\.0 .* is not the pinned"):
            fetch(_specs(), tmp_path, registry.url)
    assert not any(p.is_file() and p.suffix != ".lock" for p in tmp_path.rglob("*"))


def test_a_file_whose_sha256_differs_is_refused(tmp_path: Path) -> None:
    spec = replace(_specs()[0], sha256="0" * 64)
    with serve() as registry:
        registry.on("GET", TARBALL_PATH, Reply(200, TARBALL))
        with pytest.raises(RealSpecError, match=r"package/api/a\.json has sha256 .* spec0 pins 0+"):
            fetch([spec], tmp_path, registry.url)
    assert not cached_path(spec, tmp_path).exists()


def test_a_path_missing_from_the_tarball_is_named(tmp_path: Path) -> None:
    spec = replace(_specs()[0], path="package/nope.json")
    with serve() as registry:
        registry.on("GET", TARBALL_PATH, Reply(200, TARBALL))
        with pytest.raises(RealSpecError, match=r"has no file package/nope\.json .*spec0"):
            fetch([spec], tmp_path, registry.url)


def test_an_unreachable_registry_is_an_error_naming_the_package(tmp_path: Path) -> None:
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}"
    with pytest.raises(RealSpecError, match=r"cannot download .* package @acme/specs@1\.0\.0"):
        fetch(_specs(), tmp_path, url)
    with serve() as registry:  # a 404 too
        with pytest.raises(RealSpecError, match=r"@acme/specs@1\.0\.0 .*404"):
            fetch(_specs(), tmp_path, registry.url)


def test_sources_toml_lists_test_and_benchmark_specs_with_their_provenance() -> None:
    specs = load_sources()
    assert len({spec.key for spec in specs}) == len(specs)
    assert {spec.use for spec in specs} == {"test", "benchmark"}
    for spec in specs:
        assert spec.integrity.startswith("sha512-") and len(spec.sha256) == 64, spec.key
        assert spec.vendor and spec.licence and spec.style, spec.key
    readme = next(spec for spec in specs if spec.package == "@readme/oas-examples")
    assert readme.tarball_url("https://registry.npmjs.org/") == (
        "https://registry.npmjs.org/@readme/oas-examples/-/oas-examples-8.2.2.tgz"
    )


def test_the_readme_table_lists_every_spec() -> None:
    table = (Path(__file__).parent / "specs" / "real" / "README.md").read_text(encoding="utf-8")
    for spec in load_sources():
        row = next((line for line in table.splitlines() if line.startswith(f"| {spec.key} |")), "")
        assert spec.path.removeprefix("package/") in row and spec.licence in row, spec.key


def test_a_spec_with_an_unknown_use_is_refused(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[[spec]]\nkey = "a"\npackage = "p"\nversion = "1"\nintegrity = "sha512-x"\npath = "x"\n'
        'sha256 = "y"\nvendor = "v"\nlicence = "l"\nstyle = "s"\nuse = "tests"\n'
    )
    with pytest.raises(ValueError, match="a: use must be one of"):
        load_sources(sources)
