"""The real-spec corpus: public specs listed in tests/specs/real/sources.toml, downloaded on demand
from the npm registry (pinned version, checked `dist.integrity`), each file checked against its
sha256 and kept in a gitignored cache. The files are not committed (see tests/specs/real/README.md).

    from tests.real_specs import fetch, load_sources
    paths = fetch(s for s in load_sources() if s.use == "test")   # key -> Path of the spec file

Benchmark scripts put the repository root on sys.path and do the same with `use == "benchmark"`.
Several pytest-xdist workers may fetch at once: one lock file per tarball serialises them, and
every file lands by an atomic rename, so a reader never sees half a file.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import tarfile
import tempfile
import tomllib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent / "specs" / "real"
SOURCES = HERE / "sources.toml"
CACHE = HERE / ".cache"
REGISTRY = os.environ.get("SPECBIND_NPM_REGISTRY", "https://registry.npmjs.org")
USES = ("test", "benchmark")


class RealSpecError(Exception):
    """A spec of the corpus could not be had: the registry is unreachable, or bytes differ."""


@dataclass(frozen=True)
class RealSpec:
    key: str
    package: str  # npm package, scoped names included (`@readme/oas-examples`)
    version: str
    integrity: str  # the tarball's `dist.integrity`: "sha512-" + base64 digest
    path: str  # the file inside the tarball (`package/...`)
    sha256: str  # of that file
    vendor: str
    licence: str
    style: str
    use: str  # "test" or "benchmark"
    lenient: str = ""  # why the spec needs --lenient: the located warning it gives
    invalid_examples: dict[str, str] = field(default_factory=dict)  # pointer -> why it is wrong

    def tarball_url(self, registry: str = REGISTRY) -> str:
        name = self.package.rsplit("/", 1)[-1]  # a scope is in the path, not in the file name
        return f"{registry.rstrip('/')}/{self.package}/-/{name}-{self.version}.tgz"


def load_sources(path: Path = SOURCES) -> list[RealSpec]:
    with path.open("rb") as file:
        entries = tomllib.load(file)["spec"]
    specs = [RealSpec(**entry) for entry in entries]
    for spec in specs:
        if spec.use not in USES:
            raise ValueError(f"{path}: {spec.key}: use must be one of {USES}, not {spec.use!r}")
    return specs


def cached_path(spec: RealSpec, cache: Path = CACHE) -> Path:
    return cache / f"{spec.package.replace('/', '+')}@{spec.version}" / spec.path


def fetch(
    specs: Iterable[RealSpec], cache: Path = CACHE, registry: str = REGISTRY
) -> dict[str, Path]:
    """Each spec's file in the cache (downloading its tarball once if a file is missing or
    differs); raises RealSpecError naming the package when that cannot be done."""
    wanted = list(specs)
    by_tarball: dict[tuple[str, str, str], list[RealSpec]] = {}
    for spec in wanted:
        by_tarball.setdefault((spec.package, spec.version, spec.integrity), []).append(spec)
    for (package, version, _), group in by_tarball.items():
        if any(not _intact(spec, cache) for spec in group):
            cache.mkdir(parents=True, exist_ok=True)
            with _locked(cache / f".{package.replace('/', '+')}@{version}.lock"):
                missing = [spec for spec in group if not _intact(spec, cache)]
                if missing:  # another worker may have fetched them while this one waited
                    _download(missing, cache, registry)
    return {spec.key: cached_path(spec, cache) for spec in wanted}


def _intact(spec: RealSpec, cache: Path) -> bool:
    path = cached_path(spec, cache)
    return path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == spec.sha256


@contextmanager
def _locked(lock: Path) -> Iterator[None]:
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _download(specs: list[RealSpec], cache: Path, registry: str) -> None:
    first = specs[0]
    what, url = f"{first.package}@{first.version}", first.tarball_url(registry)
    algorithm, _, expected = first.integrity.partition("-")
    with tempfile.TemporaryFile() as tarball:
        digest = hashlib.new(algorithm)
        try:
            with httpx.stream("GET", url, follow_redirects=True, timeout=60) as reply:
                reply.raise_for_status()
                for chunk in reply.iter_bytes():
                    digest.update(chunk)
                    tarball.write(chunk)
        except httpx.HTTPError as exc:
            raise RealSpecError(
                f"cannot download the real-spec corpus package {what} from {url}: "
                f"{exc or type(exc).__name__} (the corpus tests need the npm registry; set "
                "SPECBIND_NPM_REGISTRY for a mirror)"
            ) from None
        got = base64.b64encode(digest.digest()).decode()
        if got != expected:
            raise RealSpecError(
                f"{what} from {url} is not the pinned tarball: integrity "
                f"{algorithm}-{got}, sources.toml pins {first.integrity}"
            )
        tarball.seek(0)
        with tarfile.open(fileobj=tarball, mode="r:gz") as archive:
            for spec in specs:
                _extract(archive, spec, cache, what)


def _extract(archive: tarfile.TarFile, spec: RealSpec, cache: Path, what: str) -> None:
    try:
        member = archive.extractfile(spec.path)
    except KeyError:
        member = None
    if member is None:
        raise RealSpecError(f"{what} has no file {spec.path} (sources.toml entry {spec.key})")
    data = member.read()
    got = hashlib.sha256(data).hexdigest()
    if got != spec.sha256:
        raise RealSpecError(
            f"{what}: {spec.path} has sha256 {got}, sources.toml entry {spec.key} pins {spec.sha256}"
        )
    target = cached_path(spec, cache)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as part:
        part.write(data)
    os.replace(part.name, target)  # atomic: a reader sees the old file or the whole new one
