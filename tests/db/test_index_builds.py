"""Recommendation index builds published to storage (a folder and SeaweedFS S3) on both databases: a second
replica (another HR_MODELS_DIR, the same storage) serves the published build and can build on it, a build
changed in storage is refused while the previous one stays in service, and the pointer is written last."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from hr_core.access import CLI_ACTOR
from hr_core.errors import ModelError, StorageError
from hr_core.ml import vector_index
from hr_core.ml.build_status import get_build_status
from hr_core.ml.vector_index import (
    KINDS,
    SHELF,
    IndexBuildResult,
    build_indexes,
    get_index_status,
    open_index,
)
from hr_core.storage import Storage, hash_file
from tests.factories import insert_recruiting_rows, make_planted_recommend_rows
from tests.support.indexes import read_nearest_codes
from tests.support.replicas import use_cache

POINTER = "indexes/current.json"


@dataclass
class Published:
    """A first build published from the primary's cache, with three candidates left out of it."""

    engine: Engine
    storage: Storage
    encoder: Any
    candidates: list[dict]
    primary: Path
    replica: Path
    first: IndexBuildResult

    def build(self, **kwargs: Any) -> IndexBuildResult:
        return build_indexes(engine=self.engine, actor=CLI_ACTOR, encoder=self.encoder, **kwargs)

    def add_the_rest(self) -> None:
        insert_recruiting_rows(self.engine, candidates=self.candidates[-3:], vagas=[], prospects=[])


@pytest.fixture
def published(
    engine: Engine, storage: Storage, encoder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Published:
    candidates, vagas = make_planted_recommend_rows()
    use_cache(monkeypatch, tmp_path / "primary", refresh_seconds=0)
    insert_recruiting_rows(engine, candidates=candidates[:-3], vagas=vagas, prospects=[])
    first = build_indexes(engine=engine, actor=CLI_ACTOR, encoder=encoder)
    assert first.build is not None and _pointed(storage) == first.build
    return Published(engine, storage, encoder, candidates, tmp_path / "primary", tmp_path / "replica", first)


def _pointed(storage: Storage) -> str:
    return str(json.loads(storage.get_bytes(POINTER))["build"])


def _manifest(storage: Storage, build: str) -> dict[str, str]:
    raw = json.loads(storage.get_bytes(f"indexes/builds/{build}/manifest.json"))
    return {f["name"]: f["sha256"] for f in raw["files"]}


def _counts() -> dict[str, int]:
    return {k: len(open_index(k).codes) for k in KINDS}


def test_a_second_replica_serves_the_published_build_and_builds_on_it(
    published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    p, engine, storage, first = published, published.engine, published.storage, published.first
    # Every file the build wrote is in storage with its hash, and the copy served here is the same bytes.
    hashes = _manifest(storage, str(first.build))
    served = p.primary / "indexes" / str(first.build)
    assert {f.name for f in served.iterdir()} == set(hashes) | {"manifest.json"}
    assert {f"index_{k}.json" for k in KINDS} <= set(hashes) and len(hashes) >= 8
    assert all(hash_file(served / name) == sha for name, sha in hashes.items())
    on_primary = read_nearest_codes()

    # Another replica (an empty cache, the same storage) downloads, checks and serves the same build.
    use_cache(monkeypatch, p.replica, refresh_seconds=3600)
    status = get_index_status(engine)
    assert status.built and not status.stale and status.served_build == first.build
    assert read_nearest_codes() == on_primary
    assert (p.replica / "indexes" / str(first.build) / "manifest.json").is_file()

    # Its incremental build starts from the published build: only the new texts are encoded.
    p.add_the_rest()
    second = p.build()
    assert second.encoded == 3 and second.reused == first.vagas + first.candidates
    assert second.build is not None and _pointed(storage) == second.build
    assert set(second.seconds) == {"encode", "index", "publish"}
    on_replica = read_nearest_codes()
    assert len(on_replica["candidates"]) == len(p.candidates)

    # The primary read the pointer less than an hour ago: it still serves the first build ...
    use_cache(monkeypatch, p.primary, refresh_seconds=3600)
    assert get_index_status(engine).served_build == first.build
    assert _counts()["candidates"] == len(p.candidates) - 3
    # ... and the second once it reads the pointer again.
    use_cache(monkeypatch, p.primary, refresh_seconds=0)
    assert get_index_status(engine).served_build == second.build
    assert read_nearest_codes() == on_replica

    # Nothing new to encode and the same data: nothing is published.
    again = p.build()
    assert again.unchanged and again.build is None and _pointed(storage) == second.build


def test_a_build_changed_in_storage_is_refused_and_the_previous_one_stays_served(
    published: Published, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p, engine, storage, first = published, published.engine, published.storage, published.first
    use_cache(monkeypatch, p.replica, refresh_seconds=0)
    before = read_nearest_codes()

    use_cache(monkeypatch, p.primary, refresh_seconds=0)
    p.add_the_rest()
    second = p.build()
    key = f"indexes/builds/{second.build}/index_candidates.npy"
    raw = storage.get_bytes(key)
    storage.put_bytes(key, raw[:-8] + bytes(b ^ 0xFF for b in raw[-8:]))

    # The replica refuses the changed build, says why, and keeps serving the one it has.
    use_cache(monkeypatch, p.replica, refresh_seconds=0)
    status = get_index_status(engine)
    assert status.served_build == first.build and status.stale
    assert status.refused is not None and "index_candidates.npy fails its integrity check" in status.refused
    assert read_nearest_codes() == before
    assert not (p.replica / "indexes" / str(second.build)).exists()

    # A replica with nothing cached has nothing to fall back on: it refuses with the reason.
    use_cache(monkeypatch, tmp_path / "fresh", refresh_seconds=0)
    with pytest.raises(ModelError, match="integrity check .* rebuild the indexes"):
        open_index("candidates")

    # A rebuild publishes a sound build, which every replica serves again.
    use_cache(monkeypatch, p.primary, refresh_seconds=0)
    third = p.build(full=True)
    use_cache(monkeypatch, p.replica, refresh_seconds=0)
    status = get_index_status(engine)
    assert status.served_build == third.build and status.refused is None and not status.stale


def test_the_pointer_is_written_last_and_old_builds_are_pruned(
    published: Published, monkeypatch: pytest.MonkeyPatch
) -> None:
    p, engine, storage, first = published, published.engine, published.storage, published.first

    # The process dies (here: its storage fails) after uploading a build but before the pointer moves.
    p.add_the_rest()
    real_put_json = vector_index.put_json

    def crash_on_pointer(store: Storage, key: str, data: dict[str, Any]) -> None:
        if key == POINTER:
            raise StorageError("the storage went away")
        real_put_json(store, key, data)

    monkeypatch.setattr(vector_index, "put_json", crash_on_pointer)
    with pytest.raises(StorageError, match="went away"):
        p.build()
    monkeypatch.setattr(vector_index, "put_json", real_put_json)
    assert get_build_status().state == "failed"
    orphans = [b for b in SHELF.list_published(storage) if b != first.build]
    assert len(orphans) == 1  # uploaded in full, manifest included, but never pointed at
    assert _pointed(storage) == first.build
    # Every process, the one that crashed included, still serves the previous build.
    assert get_index_status(engine).served_build == first.build
    assert _counts()["candidates"] == len(p.candidates) - 3
    use_cache(monkeypatch, p.replica, refresh_seconds=0)
    assert get_index_status(engine).served_build == first.build

    # Later builds keep the newest KEEP_BUILDS in storage; the orphan and the oldest go.
    monkeypatch.setattr(vector_index, "KEEP_BUILDS", 2)
    use_cache(monkeypatch, p.primary, refresh_seconds=0)
    builds = [p.build(full=True).build for _ in range(3)]
    assert SHELF.list_published(storage) == [builds[2], builds[1]]
    left = {o.key.split("/")[2] for o in storage.list_objects("indexes/builds/")}
    assert left == {builds[1], builds[2]}  # no stray file of a pruned build
    assert _pointed(storage) == builds[2]
    use_cache(monkeypatch, p.replica, refresh_seconds=0)
    assert get_index_status(engine).served_build == builds[2]
    # The replica's cache holds what it serves and the build it replaced (here the first), nothing else.
    assert {f.name for f in (p.replica / "indexes").iterdir() if f.is_dir()} == {first.build, builds[2]}


def test_an_index_built_before_publishing_serves_until_the_first_published_build(
    published: Published,
) -> None:
    p, engine, storage, root = published, published.engine, published.storage, published.primary
    before = read_nearest_codes()
    # What an installation upgraded from local-only indexes holds: the files in HR_MODELS_DIR, nothing in
    # storage, no cache folder.
    for path in (root / "indexes" / str(p.first.build)).iterdir():
        if path.name != "manifest.json":
            shutil.copyfile(path, root / path.name)
    shutil.rmtree(root / "indexes")
    for o in storage.list_objects("indexes/"):
        storage.delete(o.key)
    status = get_index_status(engine)
    assert status.built and not status.stale and status.served_build is None
    assert read_nearest_codes() == before

    # The next build is not "unchanged": it reuses every vector, publishes, and the local files go.
    result = p.build()
    assert not result.unchanged and result.encoded == 0 and result.build is not None
    assert _pointed(storage) == result.build and get_index_status(engine).served_build == result.build
    assert not [f for f in root.iterdir() if f.name.startswith(("index_vagas", "index_candidates"))]
    assert read_nearest_codes() == before
