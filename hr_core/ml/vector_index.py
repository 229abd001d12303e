"""Retrieval indexes of openings and candidates: incremental build, verified storage, status, queries.

Each index is four files: the MiniLM unit vectors (`.npy`), the nearest-neighbour sign codes (`.nn.npz`, see
hr_core.ml.neighbours), the BM25 lexical index over the same items in the same order (`.lex.npz`, see
hr_core.ml.lexical) and a metadata JSON naming all three with their SHA-256, the codes, and a content hash
per text. A build writes both kinds into a fresh folder and publishes every file in it as one build in
storage, as model versions are (hr_core.ml.published): `indexes/builds/<id>/` with its manifest, then
`indexes/current.json` pointing at it, written last. Every process serves the pointed build from its cache
(HR_MODELS_DIR/indexes/<id>/), downloaded and checked when the pointer changes, so every replica serves the
same indexes without sharing a disk and a reader never sees half a build. A rebuild re-encodes only the
texts whose hash is new (starting from the served build, downloaded first in a fresh replica); the lexical
index is rebuilt whole (it takes seconds).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import logging
import os
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from sqlalchemy import Engine

from hr_core.access import Action, Actor
from hr_core.audit import audited
from hr_core.errors import ConflictError, HRCoreError, InvalidInputError, ModelError, StorageError
from hr_core.ml.artifacts import get_models_dir, read_json, verify_hash, write_json
from hr_core.ml.build_status import BuildStatus, BuildStatusWriter, get_build_status
from hr_core.ml.embeddings import (
    DIMENSION,
    MODEL_NAME,
    clean_text,
    encode_texts,
    get_encoder_id,
    load_encoder,
)
from hr_core.ml.lexical import ANALYZER_VERSION, LexicalIndex, build_lexical_index
from hr_core.ml.neighbours import CANDIDATES_PER_RESULT, NeighbourIndex, build_neighbour_index, search
from hr_core.ml.published import Shelf, get_storage, new_build_id, put_json
from hr_core.progress import Progress, no_progress
from hr_core.storage import hash_file

Kind = Literal["vagas", "candidates"]
KINDS: tuple[Kind, ...] = ("vagas", "candidates")
INDEX_FORMAT = 3  # 3: sign codes in the .nn.npz (2 held an inverted file's clusters)
REBUILD_HINT = "rebuild the indexes with `python -m hr_core build-index` (or the button on Recommendations)"
# Builds of both kinds in storage, and the local cache each process serves the pointed one from.
SHELF = Shelf(
    prefix="indexes/builds",
    pointer_key="indexes/current.json",
    pointer_field="build",
    cache_dir="indexes",
    served_file="indexes/served.json",
    what="index build",
    fix=REBUILD_HINT,
)
KEEP_BUILDS = 3  # published builds kept in storage (the pointed one always is)

log = logging.getLogger(__name__)


@dataclass
class VectorIndex:
    """A verified index: unit vectors, their codes (same order), the nearest-neighbour sign codes and the
    BM25 lexical index of the same items in the same order (None only while reading an older build)."""

    kind: Kind
    vectors: np.ndarray
    codes: list[str]
    positions: dict[str, int]
    meta: dict[str, Any]
    neighbours: NeighbourIndex
    lexical: LexicalIndex | None = None


@dataclass(frozen=True)
class IndexBuildResult:
    """What a build did: items per kind, texts encoded and reused, lexical vocabulary sizes, timings."""

    model: str
    encoder: str
    dimension: int
    vagas: int
    candidates: int
    encoded: int
    reused: int
    unchanged: bool = False
    lexical_terms: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    build: str | None = None  # the published build every process now serves (None when unchanged)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IndexStatus:
    """Whether both indexes exist, still describe the data, and whether a build is running now."""

    built: bool
    stale: bool
    built_at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    message: str = ""
    building: bool = False
    progress: float = 0.0
    build: BuildStatus = field(default_factory=lambda: BuildStatus(state="none"))
    served_build: str | None = None  # the published build served here (None: a local build made before)
    refused: str | None = None  # why the newest published build is not served here (it failed its check)


def get_index_dir() -> Path:
    """The folder of the build this process serves: the published one in its cache (the pointer read at most
    every HR_MODEL_REFRESH_SECONDS), or HR_MODELS_DIR itself for a build made before builds were published."""
    return SHELF.refresh() or get_models_dir()


def _files_in(root: Path, kind: Kind) -> tuple[Path, Path, Path, Path]:
    """(neighbour layout, vectors, metadata, lexical index) of a kind in a build folder, as its metadata names them."""
    meta_path = root / f"index_{kind}.json"
    names = {
        "neighbours": f"index_{kind}.nn.npz",
        "vectors": f"index_{kind}.npy",
        "lexical": f"index_{kind}.lex.npz",
    }
    with contextlib.suppress(OSError, ValueError, ModelError):
        meta = read_json(meta_path, what="", fix="")
        names = {part: str(meta.get(f"{part}_file") or name) for part, name in names.items()}
    nn, npy, lex = (root / Path(names[part]).name for part in ("neighbours", "vectors", "lexical"))
    return nn, npy, meta_path, lex


def get_index_paths(kind: Kind) -> tuple[Path, Path, Path]:
    """(nearest-neighbour layout .nn.npz, vectors .npy, metadata JSON) of the served index of a kind."""
    return _files_in(get_index_dir(), kind)[:3]


def get_lexical_path(kind: Kind) -> Path:
    """The BM25 lexical index file (.lex.npz) of the served index of a kind."""
    return _files_in(get_index_dir(), kind)[3]


def _save_lexical(path: Path, index: LexicalIndex) -> None:
    terms = np.array(sorted(index.vocabulary, key=index.vocabulary.__getitem__), dtype=np.str_)
    weights = index.weights
    with path.open("wb") as fh:
        np.savez(
            fh,
            data=weights.data,
            indices=weights.indices,
            indptr=weights.indptr,
            shape=np.asarray(weights.shape, np.int64),
            terms=terms,
        )


def _load_lexical(path: Path, codes: list[str]) -> LexicalIndex:
    from scipy import sparse

    with np.load(path, allow_pickle=False) as z:
        shape = tuple(int(n) for n in z["shape"])
        weights = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=shape)
        terms = [str(t) for t in z["terms"]]
    if shape != (len(codes), len(terms)):
        raise ValueError(f"weights of shape {shape} for {len(codes)} items and {len(terms)} terms")
    return LexicalIndex(codes=codes, weights=weights, vocabulary={t: i for i, t in enumerate(terms)})


def hash_text(text: str) -> str:
    """Content hash of a text as the encoder reads it (after cleaning)."""
    return hashlib.sha256(clean_text(text).encode("utf-8")).hexdigest()[:24]


@dataclass
class _Previous:
    vectors: dict[str, np.ndarray]  # by content hash
    items: set[tuple[str, str]]  # (code, content hash)
    fingerprint: Any = None
    lexical: bool = False  # the build has its lexical index (builds before hybrid retrieval lack it)
    published: bool = False  # served from storage's pointer (not a local build made before publishing)
    current: bool = False  # of INDEX_FORMAT (an older format's vectors are reused, its files replaced)


def _previous_build(kind: Kind, encoder_id: str) -> _Previous:
    """What the last build of a kind holds (nothing if none, unreadable, or made by another encoder)."""
    try:
        index = open_index(kind, lexical=False, layout=False)
    except HRCoreError:
        return _Previous({}, set())
    hashes = index.meta.get("hashes") or []
    if index.meta.get("encoder_id") != encoder_id or len(hashes) != len(index.codes):
        return _Previous({}, set())
    return _Previous(
        dict(zip(hashes, index.vectors, strict=True)),
        set(zip(index.codes, hashes, strict=True)),
        index.meta.get("data_fingerprint"),
        lexical=bool(index.meta.get("lexical_file")) and _same_analyzer(index.meta),
        published=SHELF.served(get_models_dir()) is not None,
        current=index.meta.get("format") == INDEX_FORMAT,
    )


def _same_analyzer(meta: dict[str, Any]) -> bool:
    """Whether an index's lexical half was built by this analyser (builds before versions count as 1)."""
    return bool(meta.get("lexical_analyzer", 1) == ANALYZER_VERSION)


@contextlib.contextmanager
def _build_lock() -> Iterator[None]:
    path = get_models_dir() / "index_build.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            status = get_build_status()
            raise ConflictError(
                f"an index build is already running ({status.percent} %: {status.message}); "
                "wait for it to finish"
            ) from e
        yield
    finally:
        os.close(fd)


def _write_index(
    kind: Kind,
    folder: Path,
    codes: list[str],
    vectors: np.ndarray,
    fingerprint: dict[str, Any],
    *,
    texts: Sequence[str],
    hashes: list[str] | None = None,
    encoder_id: str = "",
) -> dict[str, Any]:
    """Build the nearest-neighbour codes and the lexical index over the items in their order, and write
    them with the vectors and their metadata into a build's folder."""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    layout = build_neighbour_index(vectors)
    hashes = hashes if hashes is not None else []
    lexical = build_lexical_index(codes, list(texts))
    npy_path, nn_path, lex_path = (folder / f"index_{kind}{ext}" for ext in (".npy", ".nn.npz", ".lex.npz"))
    np.save(npy_path, vectors, allow_pickle=False)
    with nn_path.open("wb") as fh:
        np.savez(fh, codes=layout.codes)
    _save_lexical(lex_path, lexical)
    meta = {
        "kind": kind,
        "format": INDEX_FORMAT,
        "model_name": MODEL_NAME,
        "encoder_id": encoder_id,
        "dimension": DIMENSION,
        "metric": "cosine",
        "search": "exact"
        if layout.exact
        else f"sign codes ({layout.codes.shape[0] * 64} bits), exact re-rank of {CANDIDATES_PER_RESULT} per result",
        "count": len(codes),
        "codes": codes,
        "hashes": hashes,
        "neighbours_file": nn_path.name,
        "neighbours_sha256": hash_file(nn_path),
        "vectors_file": npy_path.name,
        "vectors_sha256": hash_file(npy_path),
        "lexical_file": lex_path.name,
        "lexical_sha256": hash_file(lex_path),
        "lexical": "BM25 (k1 1.2, b 0.75) over Portuguese Snowball stems and stem bigrams, accents folded",
        "lexical_terms": len(lexical.vocabulary),
        "lexical_analyzer": ANALYZER_VERSION,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "data_fingerprint": fingerprint,
    }
    write_json(folder / f"index_{kind}.json", meta)
    return meta


def build_indexes(
    *, engine: Engine, actor: Actor, progress: Progress | None = None, encoder: Any = None, full: bool = False
) -> IndexBuildResult:
    """Encode the openings and candidates whose text changed (all with full=True), rebuild their lexical
    indexes and write both kinds."""
    report = progress or no_progress
    with audited(engine, actor, Action.INDEX_BUILD) as audit, _build_lock():
        status = BuildStatusWriter()

        def step(fraction: float, message: str) -> None:
            status.progress(fraction, message, force=fraction <= 0.0)
            report(fraction, message)

        step(0.0, "Starting")
        try:
            result = _build(engine, step, encoder, full=full, actor=actor)
        except BaseException as e:
            status.fail(str(e) or type(e).__name__)
            raise
        status.finish(f"Indexed {result.vagas:,} openings and {result.candidates:,} candidates.")
        audit.details.update(result.as_dict())
    return result


def _build(engine: Engine, report: Progress, encoder: Any, *, full: bool, actor: Actor) -> IndexBuildResult:
    from hr_core.ml import data
    from hr_core.ml.features import build_candidate_text, build_vaga_text

    report(0.01, "Reading openings and candidates")
    fingerprint = data.get_data_fingerprint(engine)
    vagas = data.load_vagas(engine)
    candidates = data.load_candidates(engine)
    if vagas.empty or candidates.empty:
        raise InvalidInputError(
            f"recommendations need openings and candidates; found {len(vagas)} openings and "
            f"{len(candidates)} candidates — import the recruiting data first"
        )
    report(0.03, "Loading the embedding model")
    encoder = encoder if encoder is not None else load_encoder()
    encoder_id = get_encoder_id(encoder)
    jobs = {
        "vagas": ([str(c) for c in vagas["codigo"]], [build_vaga_text(r) for r in vagas.to_dict("records")]),
        "candidates": (
            [str(c) for c in candidates["codigo"]],
            [build_candidate_text(r) for r in candidates.to_dict("records")],
        ),
    }
    hashes = {k: [hash_text(t) for t in texts] for k, (_, texts) in jobs.items()}
    previous = {k: _Previous({}, set()) if full else _previous_build(k, encoder_id) for k in KINDS}
    known = {k: previous[k].vectors for k in KINDS}
    todo: list[tuple[Kind, int]] = [
        (k, i) for k in KINDS for i, h in enumerate(hashes[k]) if h not in known[k]
    ]
    total = sum(len(c) for c, _ in jobs.values())
    reused = total - len(todo)
    counts = {k: len(jobs[k][0]) for k in KINDS}
    if not todo and all(
        previous[k].fingerprint == fingerprint
        and previous[k].lexical
        and previous[k].current
        and previous[k].published
        and previous[k].items == set(zip(jobs[k][0], hashes[k], strict=True))
        for k in KINDS
    ):
        report(1.0, "The indexes are up to date")
        return IndexBuildResult(
            model=MODEL_NAME,
            encoder=encoder_id,
            dimension=DIMENSION,
            vagas=counts["vagas"],
            candidates=counts["candidates"],
            encoded=0,
            reused=total,
            unchanged=True,
        )
    t0 = time.perf_counter()

    def encoded(f: float, _m: str) -> None:
        done = int(round(f * len(todo)))
        report(0.05 + 0.85 * f, f"Encoded {done:,}/{len(todo):,} texts ({reused:,} unchanged)")

    report(0.05, f"Encoding {len(todo):,} new or changed texts ({reused:,} unchanged)")
    new_vectors = encode_texts([jobs[k][1][i] for k, i in todo], encoder=encoder, progress=encoded)
    for (k, i), vector in zip(todo, new_vectors, strict=True):
        known[k][hashes[k][i]] = vector
    t1 = time.perf_counter()
    terms: dict[str, int] = {}
    with SHELF.staging() as folder:
        for n, kind in enumerate(KINDS):
            what = "openings" if kind == "vagas" else "candidates"
            report(0.91 + 0.03 * n, f"Building the lexical index and writing the index of {what}")
            codes = jobs[kind][0]
            matrix = (
                np.stack([known[kind][h] for h in hashes[kind]])
                if codes
                else np.zeros((0, DIMENSION), np.float32)
            )
            meta = _write_index(
                kind,
                folder,
                codes,
                matrix,
                fingerprint,
                texts=jobs[kind][1],
                hashes=hashes[kind],
                encoder_id=encoder_id,
            )
            counts[kind] = meta["count"]
            terms[kind] = meta["lexical_terms"]
        report(0.97, "Publishing the indexes to storage")
        t2 = time.perf_counter()
        build = _publish_build(folder, actor=actor, counts=counts)
    report(1.0, "Done")
    return IndexBuildResult(
        model=MODEL_NAME,
        encoder=encoder_id,
        dimension=DIMENSION,
        vagas=counts["vagas"],
        candidates=counts["candidates"],
        encoded=len(todo),
        reused=reused,
        lexical_terms=terms,
        seconds={
            "encode": round(t1 - t0, 3),
            "index": round(t2 - t1, 3),
            "publish": round(time.perf_counter() - t2, 3),
        },
        build=build,
    )


def _publish_build(folder: Path, *, actor: Actor, counts: Mapping[Kind, int]) -> str:
    """Upload every file a build wrote into its folder, then its manifest, then point every process at it
    (the pointer written last: until then the previous build is served); serve it here at once, forget the
    files of a build made before builds were published, and drop old builds from storage."""
    storage = get_storage()
    names = sorted(p.name for p in folder.iterdir() if not p.name.startswith(".tmp-"))
    if any(not (folder / name).is_file() for name in names):
        raise ModelError(f"an index build is a flat folder of files; {folder} holds a subfolder")
    build = new_build_id()
    previous = SHELF.read_pointed(storage)
    built = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    header = {"build": build, "created_at": built, "created_by": actor.username, "counts": dict(counts)}
    SHELF.publish(storage, folder, build, names, header)
    put_json(storage, SHELF.pointer_key, {**header, "previous": previous})
    SHELF.refresh(force=True)
    _forget_unpublished(get_models_dir())
    try:
        SHELF.prune(storage, keep=KEEP_BUILDS)
    except StorageError as e:  # the build is served; old ones stay until the next build prunes them
        log.warning("index builds: could not drop old builds from %s: %s", storage.url, e)
    return build


def _forget_unpublished(root: Path) -> None:
    """Delete the index files a build made before builds were published left in HR_MODELS_DIR itself."""
    for kind in KINDS:
        nn, npy, meta, lex = _files_in(root, kind)
        for path in (nn, npy, lex, meta):
            path.unlink(missing_ok=True)


def open_index(kind: Kind, *, lexical: bool = True, layout: bool = True) -> VectorIndex:
    """Load an index after checking its model, dimension, count and the SHA-256 of its files.

    lexical=False reads the vectors alone (a rebuild reuses them from a build that predates the lexical
    index); recommendations need both, and an index without its lexical half is refused. layout=False
    skips the format and the nearest-neighbour codes too (a rebuild reuses the vectors of an older
    format, whose search structure it replaces; the index then searches by exact scan).
    """
    nn_path, npy_path, meta_path, lex_path = _files_in(get_index_dir(), kind)
    meta = read_json(meta_path, what=f"the {kind} index metadata", fix=REBUILD_HINT)
    if meta.get("model_name") != MODEL_NAME or meta.get("dimension") != DIMENSION:
        raise ModelError(
            f"the {kind} index at {meta_path} was built with {meta.get('model_name')!r} "
            f"(dimension {meta.get('dimension')}), not {MODEL_NAME} ({DIMENSION}); {REBUILD_HINT}"
        )
    if layout and meta.get("format") != INDEX_FORMAT:
        raise ModelError(f"the {kind} index at {meta_path} is of an older format; {REBUILD_HINT}")
    if layout:
        verify_hash(nn_path, meta.get("neighbours_sha256"), what=f"the {kind} index", fix=REBUILD_HINT)
    verify_hash(npy_path, meta.get("vectors_sha256"), what=f"the {kind} index vectors", fix=REBUILD_HINT)
    try:
        vectors = np.load(npy_path, allow_pickle=False)
        neighbours = NeighbourIndex.exact_scan(DIMENSION)
        if layout:
            with np.load(nn_path, allow_pickle=False) as nn:
                neighbours = NeighbourIndex(nn["codes"])
    except (ValueError, KeyError, OSError) as e:
        raise ModelError(f"the {kind} index files at {npy_path} are unreadable ({e}); {REBUILD_HINT}") from e
    codes = [str(c) for c in meta.get("codes", [])]
    if vectors.shape != (len(codes), DIMENSION) or meta.get("count") != len(codes):
        raise ModelError(
            f"the {kind} index at {npy_path} holds vectors of shape {vectors.shape} but its metadata says "
            f"{meta.get('count')} items of dimension {DIMENSION}; {REBUILD_HINT}"
        )
    if neighbours.codes.dtype != np.uint64 or neighbours.codes.shape[1] not in (0, len(codes)):
        raise ModelError(
            f"the {kind} nearest-neighbour codes at {nn_path} ({neighbours.codes.shape}) do not cover its "
            f"{len(codes)} items; {REBUILD_HINT}"
        )
    index = VectorIndex(kind, vectors, codes, {c: i for i, c in enumerate(codes)}, meta, neighbours)
    if lexical:
        if not meta.get("lexical_file"):
            raise ModelError(
                f"the {kind} index at {meta_path} has no lexical index (an older build); {REBUILD_HINT}"
            )
        if not _same_analyzer(meta):
            raise ModelError(
                f"the {kind} lexical index at {meta_path} was built by another version of the text analyser; "
                f"{REBUILD_HINT}"
            )
        verify_hash(lex_path, meta.get("lexical_sha256"), what=f"the {kind} lexical index", fix=REBUILD_HINT)
        try:
            index.lexical = _load_lexical(lex_path, codes)
        except (ValueError, KeyError, OSError) as e:
            raise ModelError(
                f"the {kind} lexical index at {lex_path} is unreadable ({e}); {REBUILD_HINT}"
            ) from e
    return index


def get_index_status(engine: Engine) -> IndexStatus:
    """Both indexes' state for pages: built, stale after an import, or being built now (with progress)."""
    from hr_core.ml import data

    build = get_build_status()
    root = get_index_dir()
    served = root.name if root != get_models_dir() else None
    metas = {}
    for kind in KINDS:
        meta_path = _files_in(root, kind)[2]
        if meta_path.is_file():
            metas[kind] = read_json(meta_path, what=f"the {kind} index metadata", fix=REBUILD_HINT)
    if build.running:
        message = f"Index being built: {build.percent} % — {build.message}"
    elif build.state == "failed":
        message = f"The last index build failed ({build.error}); {REBUILD_HINT}."
    elif build.state == "interrupted":
        message = f"The last index build stopped at {build.percent} % before it finished; {REBUILD_HINT}."
    else:
        message = ""
    if len(metas) < len(KINDS):
        return IndexStatus(
            built=False,
            stale=True,
            message=message or "The recommendation indexes are not built yet.",
            building=build.running,
            progress=build.fraction if build.running else 0.0,
            build=build,
            refused=SHELF.get_refusal(),
        )
    current = data.get_data_fingerprint(engine)
    stale = any(m.get("data_fingerprint") != current for m in metas.values())
    old_analyzer = not all(_same_analyzer(m) for m in metas.values())
    if not message:
        message = (
            "The data changed since the indexes were built (new or removed candidates or openings); rebuild them."
            if stale
            else "The text analyser changed since the indexes were built; rebuild them."
            if old_analyzer
            else "The indexes are up to date."
        )
    stale = stale or old_analyzer
    return IndexStatus(
        built=True,
        stale=stale,
        built_at=metas["vagas"].get("built_at"),
        counts={k: int(m.get("count", 0)) for k, m in metas.items()},
        message=message,
        building=build.running,
        progress=build.fraction if build.running else 0.0,
        build=build,
        served_build=served,
        refused=SHELF.get_refusal(),
    )


def cosine_similarities(targets: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Cosine of each row of targets with vector (unit vectors): the same number from either side."""
    # float64 element-wise product summed in index order: the same number from either side.
    sums: np.ndarray = (targets.astype(np.float64) * vector.astype(np.float64)).sum(axis=1)
    return sums


def query_index(index: VectorIndex, vector: np.ndarray, n: int) -> tuple[list[int], np.ndarray]:
    """The n nearest items of an index (positions) and their exact cosine similarity, best first."""
    ids = search(index.vectors, index.neighbours, vector, n)
    scores = cosine_similarities(index.vectors[ids], vector)
    order = np.lexsort((ids, -scores))
    return [int(ids[i]) for i in order], scores[order]
