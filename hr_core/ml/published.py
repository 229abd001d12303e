"""Builds published to storage with their hashes, and the local cache each process serves one from.

Model versions (ml/versions.py) and recommendation index builds (ml/vector_index.py) are kept the same way:
a build's files under `<prefix>/<id>/` in storage (HR_STORAGE_URL, a folder or an S3 bucket), then
`<prefix>/<id>/manifest.json` naming each file with its SHA-256 (written last: a build without it is
incomplete), and a pointer JSON naming the build every process serves. A process downloads the named build
into `HR_MODELS_DIR/<cache>/<id>/`, checks every file against the manifest, and names it in its own
served file; it reads the pointer at most every HR_MODEL_REFRESH_SECONDS, so every replica of the app, the
API and the workers serves the same build within that time without sharing a disk.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hr_core.errors import ModelError, NotFoundError, StorageError
from hr_core.ml.artifacts import get_models_dir, write_json
from hr_core.settings import get_settings
from hr_core.storage import Storage, hash_file, make_storage, validate_key

log = logging.getLogger(__name__)

MANIFEST_FILE = "manifest.json"

_LOCK = threading.Lock()
_SWITCH_LOCK = threading.Lock()  # one download-and-switch at a time in a process (sessions share the cache)
# (shelf prefix, storage URL, models dir) -> when the pointer was last read and the build then served
_checked: dict[tuple[str, str, str], tuple[float, str | None]] = {}
_refused: dict[tuple[str, str, str], str] = {}  # the same key -> why the pointed build is not served
_storages: dict[tuple[str, str | None], Storage] = {}


@dataclass(frozen=True)
class PublishedFile:
    name: str
    sha256: str
    size: int


def new_build_id() -> str:
    """A sortable, unique build id: UTC time to the microsecond (ids made in one second keep their order; they
    sort after the second-precision ids made before) then six random hex digits."""
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f") + "-" + uuid.uuid4().hex[:6]


def get_storage() -> Storage:
    """The storage HR_STORAGE_URL names, made once per process (and per URL)."""
    settings = get_settings()
    key = (settings.storage_url, settings.s3_endpoint_url)
    with _LOCK:
        if key not in _storages:
            _storages[key] = make_storage(settings.storage_url)
        return _storages[key]


def read_json_key(storage: Storage, key: str) -> dict[str, Any]:
    """A JSON object stored under key (NotFoundError if absent, ModelError if not a JSON object)."""
    raw = storage.get_bytes(key)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ModelError(f"{storage.locate(key)} is not valid JSON ({e})") from e
    if not isinstance(data, dict):
        raise ModelError(f"{storage.locate(key)} is not a JSON object")
    return data


def put_json(storage: Storage, key: str, data: dict[str, Any]) -> None:
    """Store a JSON object under key in one write."""
    storage.put_bytes(key, json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8"))


def manifest_files(manifest: dict[str, Any]) -> tuple[PublishedFile, ...]:
    """The files a manifest names, with their hashes and sizes."""
    return tuple(PublishedFile(str(f["name"]), str(f["sha256"]), int(f["size"])) for f in manifest["files"])


@dataclass(frozen=True)
class Shelf:
    """Where one kind of published build lives: in storage, in the pointer, in the local cache."""

    prefix: str  # in storage: <prefix>/<id>/<file>
    pointer_key: str  # in storage: the JSON naming the served build
    pointer_field: str  # the pointer's field holding that build's id
    cache_dir: str  # in HR_MODELS_DIR: one folder per downloaded build
    served_file: str  # in HR_MODELS_DIR: names the build this cache serves
    what: str  # how messages name a build ("model version")
    fix: str  # what to do when a build fails its check

    def key(self, build: str, name: str) -> str:
        return validate_key(f"{self.prefix}/{build}/{name}")

    def read_manifest(self, storage: Storage, build: str) -> dict[str, Any]:
        try:
            return read_json_key(storage, self.key(build, MANIFEST_FILE))
        except NotFoundError as e:
            raise NotFoundError(f"{self.what} {build!r} does not exist in {storage.url}") from e

    def read_pointed(self, storage: Storage) -> str | None:
        """The id the pointer names (None before the first)."""
        try:
            value = read_json_key(storage, self.pointer_key).get(self.pointer_field)
        except NotFoundError:
            return None
        return str(value) if value else None

    def list_published(self, storage: Storage) -> list[str]:
        """Ids of the complete builds in storage (those with a manifest), newest first."""
        ids = {
            o.key.split("/")[-2]
            for o in storage.list_objects(self.prefix + "/")
            if o.key.count("/") == self.prefix.count("/") + 2 and o.key.endswith("/" + MANIFEST_FILE)
        }
        return sorted(ids, reverse=True)

    @contextlib.contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh folder in the cache to build into (removed afterwards unless published)."""
        root = get_models_dir() / self.cache_dir
        root.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(dir=root, prefix=".tmp-"))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def publish(
        self, storage: Storage, folder: Path, build: str, names: Sequence[str], header: dict[str, Any]
    ) -> dict[str, Any]:
        """Upload a built folder's files, then the manifest with their SHA-256; keep the folder as its cache."""
        files = []
        for name in names:
            path = folder / name
            files.append(PublishedFile(name, hash_file(path), path.stat().st_size))
            storage.put_file(self.key(build, name), path)
        manifest = {**header, "files": [asdict(f) for f in files]}
        put_json(storage, self.key(build, MANIFEST_FILE), manifest)
        write_json(folder / MANIFEST_FILE, manifest)
        with contextlib.suppress(OSError):  # another process of this cache may have it already
            folder.rename(get_models_dir() / self.cache_dir / build)
        return manifest

    def download(self, storage: Storage, build: str, root: Path) -> Path:
        """Download a build into the cache under root, checking each file's SHA-256 against its manifest."""
        target = root / self.cache_dir / build
        if (target / MANIFEST_FILE).is_file():
            return target
        manifest = self.read_manifest(storage, build)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=".tmp-"))
        try:
            for f in manifest_files(manifest):
                path = tmp / Path(f.name).name
                storage.download(self.key(build, f.name), path)
                actual = hash_file(path)
                if actual != f.sha256:
                    raise ModelError(
                        f"{storage.locate(self.key(build, f.name))} fails its integrity check (SHA-256 "
                        f"{actual[:12]}… does not match the manifest's {f.sha256[:12]}…); it was changed after "
                        f"it was published — {self.fix}"
                    )
            write_json(tmp / MANIFEST_FILE, manifest)
            try:
                tmp.rename(target)
            except OSError:  # another process of this cache got there first
                if not (target / MANIFEST_FILE).is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return target

    def served(self, root: Path) -> str | None:
        """The build the cache under root serves (None if none, or its folder is gone)."""
        try:
            raw = json.loads((root / self.served_file).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        build = raw.get(self.pointer_field) if isinstance(raw, dict) else None
        return str(build) if build and (root / self.cache_dir / str(build)).is_dir() else None

    def switch(self, root: Path, build: str) -> str | None:
        """Serve a cached build (one rename of the served file) and forget cached builds other than it and the
        one it replaces (a reader that picked the old paths a moment ago still finds them); the replaced id."""
        before = self.served(root)
        write_json(root / self.served_file, {self.pointer_field: build})
        keep = {build, before}
        for old in (root / self.cache_dir).iterdir():
            if old.is_dir() and not old.name.startswith(".tmp-") and old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        return before

    def refresh(
        self, *, force: bool = False, switch: Callable[[Path, str], Any] | None = None
    ) -> Path | None:
        """The folder of the build this process serves, after reading the pointer if it was not read in the
        last HR_MODEL_REFRESH_SECONDS (or force): a newly pointed build is downloaded, checked and switched to.

        None when nothing was ever published. A storage that cannot be reached, or a build that fails its
        check, leaves the cached build in service (logged); with nothing cached the error is raised."""
        settings = get_settings()
        root = get_models_dir()
        key = self._cache_key()
        now = time.monotonic()
        last = _checked.get(key)
        if not force and last is not None and now - last[0] < settings.model_refresh_seconds:
            if last[1] is None:
                return None
            folder = root / self.cache_dir / last[1]
            if folder.is_dir():  # else another process of this cache switched twice since: read again
                return folder
        served = self.served(root)
        try:
            pointed = self.read_pointed(get_storage())
            if pointed is not None and pointed != served:
                with _SWITCH_LOCK:
                    if pointed != self.served(root):
                        self.download(get_storage(), pointed, root)
                        (switch or self.switch)(root, pointed)
                served = pointed
            _refused.pop(key, None)
        except (StorageError, ModelError) as e:
            if served is None:
                raise
            log.error("%s: still serving %s from the local cache: %s", self.what, served, e)
            _refused[key] = str(e)
        with _LOCK:
            _checked[key] = (now, served)
        return root / self.cache_dir / served if served else None

    def get_refusal(self) -> str | None:
        """Why the last refresh kept the cached build in service instead of the pointed one (None if it did not)."""
        return _refused.get(self._cache_key())

    def _cache_key(self) -> tuple[str, str, str]:
        return (self.prefix, get_settings().storage_url, str(get_models_dir()))

    def prune(self, storage: Storage, *, keep: int) -> list[str]:
        """Delete from storage the builds older than the newest `keep` complete ones, except the pointed one
        (a build newer than those may still be uploading: it is left alone); the ids deleted."""
        published = self.list_published(storage)
        if len(published) <= keep:
            return []
        oldest_kept = published[keep - 1]
        pointed = self.read_pointed(storage)
        doomed: dict[str, list[str]] = {}
        for o in storage.list_objects(self.prefix + "/"):
            build = o.key[len(self.prefix) + 1 :].split("/")[0]
            if build < oldest_kept and build != pointed:
                doomed.setdefault(build, []).append(o.key)
        for build, keys in sorted(doomed.items()):
            manifest = self.key(build, MANIFEST_FILE)
            for k in sorted(keys, key=lambda k: k != manifest):  # the manifest first: never half listed
                storage.delete(k)
        return sorted(doomed)
