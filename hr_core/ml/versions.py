"""Versions of the match model in storage, and the local cache every process serves the promoted one from.

A training run publishes a version: `models/versions/<id>/` in storage (HR_STORAGE_URL, a folder or an S3
bucket) holding the model, its card, its reference data and its fairness report, then `manifest.json`
naming each file with its SHA-256 (written last: a version without it is incomplete and not listed).
`models/promoted.json` names the promoted version and the one before it; promoting or restoring rewrites
it in one write. Each process keeps the versions it serves in HR_MODELS_DIR/versions/<id>/ (checked
against the manifest when downloaded) and `served.json` there naming the one it serves; it reads the
pointer at most every HR_MODEL_REFRESH_SECONDS, so every replica of the app, the API and the workers
serves a promotion within that time without sharing a disk. The publishing, the download with its checks
and the refresh are hr_core.ml.published's, shared with the recommendation indexes.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine

from hr_core.access import Action, Actor, require_role
from hr_core.audit import audited
from hr_core.errors import InvalidInputError, ModelError, NotFoundError
from hr_core.ml.artifacts import DRIFT_SUMMARY_FILE, get_models_dir
from hr_core.ml.published import (
    MANIFEST_FILE,
    PublishedFile,
    Shelf,
    get_storage,
    manifest_files,
    put_json,
    read_json_key,
)
from hr_core.storage import Storage, validate_key

if TYPE_CHECKING:
    from hr_core.ml.match import ModelCard

VERSIONS_PREFIX = "models/versions"
POINTER_KEY = "models/promoted.json"
DISMISSED_FILE = "dismissed.json"
SERVED_FILE = "served.json"  # in HR_MODELS_DIR: the version this cache serves
CACHE_DIR = "versions"  # in HR_MODELS_DIR: one folder per downloaded version
SHELF = Shelf(
    prefix=VERSIONS_PREFIX,
    pointer_key=POINTER_KEY,
    pointer_field="version",
    cache_dir=CACHE_DIR,
    served_file=SERVED_FILE,
    what="model version",
    fix="promote another version or retrain",
)
# The files a version holds, in upload order (the card after the model it names).
VERSION_FILES = ("match_model.skops", "match_reference.parquet", "fairness_report.json", "match_model.json")
REQUIRED_FILES = ("match_model.skops", "match_reference.parquet", "match_model.json")
FAIRNESS_FILE = "fairness_report.json"

State = Literal["promoted", "previous", "candidate", "dismissed", "superseded"]


@dataclass(frozen=True)
class ModelVersion:
    """One published version: its id, when and by whom it was trained, its files with their hashes."""

    version: str
    created_at: str
    created_by: str
    files: tuple[PublishedFile, ...]
    state: State = "superseded"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Pointer:
    """Which version every process serves, and the one served before it (what 'restore previous' brings back)."""

    version: str | None = None
    previous: str | None = None
    promoted_at: str | None = None
    promoted_by: str | None = None
    history: tuple[str, ...] = field(default=())  # every version ever promoted, oldest first

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_id(version: str) -> str:
    if not isinstance(version, str) or "/" in version or not version.strip():
        raise InvalidInputError(
            f"{version!r} is not a model version id (see `python -m hr_core model-versions list`)"
        )
    validate_key(version)
    return version


def read_pointer(*, actor: Actor) -> Pointer:
    """The promoted version and the previous one, as storage records them (empty before the first)."""
    require_role(actor, Action.MODEL_READ)
    return _read_pointer(get_storage())


def _read_pointer(storage: Storage) -> Pointer:
    try:
        raw = read_json_key(storage, POINTER_KEY)
    except NotFoundError:
        return Pointer()
    return Pointer(
        version=raw.get("version"),
        previous=raw.get("previous"),
        promoted_at=raw.get("promoted_at"),
        promoted_by=raw.get("promoted_by"),
        history=tuple(raw.get("history") or ()),
    )


def _manifest(storage: Storage, version: str) -> dict[str, Any]:
    try:
        return SHELF.read_manifest(storage, _check_id(version))
    except NotFoundError as e:
        raise NotFoundError(f"{e} (see `python -m hr_core model-versions list`)") from e


def publish_version(folder: Path, *, version: str, actor: Actor) -> ModelVersion:
    """Upload a trained version's files, then its manifest with their SHA-256; keep the folder as its cache."""
    names = []
    for name in VERSION_FILES:
        if (folder / name).is_file():
            names.append(name)
        elif name in REQUIRED_FILES:
            raise ModelError(f"the trained version lacks {name}; nothing was published")
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    header = {"version": version, "created_at": created, "created_by": actor.username}
    manifest = SHELF.publish(get_storage(), folder, version, names, header)
    return ModelVersion(
        version=version, created_at=created, created_by=actor.username, files=manifest_files(manifest)
    )


def _state(version: str, pointer: Pointer, dismissed: bool) -> State:
    if version == pointer.version:
        return "promoted"
    if version == pointer.previous:
        return "previous"
    if dismissed:
        return "dismissed"
    if version in pointer.history or (pointer.version is not None and version < pointer.version):
        return "superseded"
    return "candidate"


def list_versions(*, actor: Actor) -> list[ModelVersion]:
    """Every published version, newest first, with its state against the promoted one."""
    require_role(actor, Action.MODEL_READ)
    return _read_versions(get_storage())[1]


def _read_versions(storage: Storage) -> tuple[Pointer, list[ModelVersion]]:
    """The pointer, and every published version newest first with its state against it (one pointer read)."""
    pointer = _read_pointer(storage)
    keys = {o.key for o in storage.list_objects(VERSIONS_PREFIX + "/")}
    out = []
    for key in sorted(keys, reverse=True):
        parts = key.split("/")
        if len(parts) != 4 or parts[3] != MANIFEST_FILE:
            continue
        version = parts[2]
        manifest = read_json_key(storage, key)
        dismissed = f"{VERSIONS_PREFIX}/{version}/{DISMISSED_FILE}" in keys
        out.append(
            ModelVersion(
                version=version,
                created_at=str(manifest.get("created_at", "")),
                created_by=str(manifest.get("created_by", "")),
                files=manifest_files(manifest),
                state=_state(version, pointer, dismissed),
            )
        )
    return pointer, out


def _first_candidate(versions: list[ModelVersion]) -> ModelVersion | None:
    return next((v for v in versions if v.state == "candidate"), None)


def get_candidate(*, actor: Actor) -> ModelVersion | None:
    """The newest version trained after the promoted one and not yet promoted or kept out, if any."""
    return _first_candidate(list_versions(actor=actor))


def read_version_card(*, actor: Actor, version: str) -> ModelCard:
    """The model card of a published version, read from storage (to compare it with the promoted one)."""
    from hr_core.ml.match import CARD_FILE, ModelCard

    require_role(actor, Action.MODEL_READ)
    storage = get_storage()
    _manifest(storage, version)
    raw = read_json_key(storage, SHELF.key(version, CARD_FILE))
    return ModelCard.from_dict(raw, where=f"the card of model version {version}")


# The figures shown side by side, and whether a higher value is the better one.
COMPARED_METRICS: tuple[tuple[str, bool], ...] = (
    ("roc_auc", True),
    ("pr_auc", True),
    ("brier", False),
    ("ece", False),
    ("log_loss", False),
)
# Differences smaller than this are shown as the same (three decimals, as the page shows them).
SAME_WITHIN = 0.0005


@dataclass(frozen=True)
class MetricComparison:
    """One held-out figure of the model in service and of a new version, and which is the better."""

    metric: str
    current: float | None
    new: float | None
    better: Literal["current", "new", "same", "unknown"]


@dataclass(frozen=True)
class FairnessFlags:
    """A version's fairness verdict as its card recorded it when it was trained."""

    measured: bool
    model_flagged: bool
    history_flagged: bool
    flags: tuple[str, ...]


def _metric(card: ModelCard, name: str) -> float | None:
    value = getattr(card.metrics, name)
    if value is None and name == "ece":
        value = card.calibration_error  # cards written before ECE was a metric of its own
    return None if value is None else float(value)


def compare_models(current: ModelCard, new: ModelCard) -> list[MetricComparison]:
    """ROC AUC, PR AUC, Brier, ECE and log-loss of both models, each with the better one named."""
    rows = []
    for name, higher in COMPARED_METRICS:
        a, b = _metric(current, name), _metric(new, name)
        if a is None or b is None:
            better: Literal["current", "new", "same", "unknown"] = "unknown"
        elif abs(a - b) < SAME_WITHIN:
            better = "same"
        else:
            better = "new" if (b > a) == higher else "current"
        rows.append(MetricComparison(name, a, b, better))
    return rows


def get_fairness_flags(card: ModelCard) -> FairnessFlags:
    """The four-fifths verdict the card recorded at training (not measured on cards older than the report)."""
    raw = card.stored.get("fairness")
    if not isinstance(raw, dict):
        return FairnessFlags(measured=False, model_flagged=False, history_flagged=False, flags=())
    return FairnessFlags(
        measured=True,
        model_flagged=bool(raw.get("model_flagged")),
        history_flagged=bool(raw.get("history_flagged")),
        flags=tuple(str(f) for f in raw.get("flags") or ()),
    )


MAX_VERSIONS_PAGE = 100


@dataclass(frozen=True)
class VersionDetails:
    """A version as an admin judges it: its record, its held-out metrics and its card's fairness verdict
    (card_problem says why they are missing when its card cannot be read)."""

    version: ModelVersion
    metrics: dict[str, float | None]
    fairness: FairnessFlags
    card_problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.version.as_dict(),
            "metrics": dict(self.metrics),
            "fairness": asdict(self.fairness),
            "card_problem": self.card_problem,
        }


@dataclass(frozen=True)
class VersionsOverview:
    """The promoted, previous and waiting versions, what this process serves, and a page of every version
    (newest first) with its metrics and fairness flags."""

    pointer: Pointer
    candidate: str | None
    served_here: str | None
    total: int
    offset: int
    limit: int
    versions: tuple[VersionDetails, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "promoted": self.pointer.version,
            "previous": self.pointer.previous,
            "promoted_at": self.pointer.promoted_at,
            "promoted_by": self.pointer.promoted_by,
            "candidate": self.candidate,
            "served_here": self.served_here,
            "total": self.total,
            "offset": self.offset,
            "limit": self.limit,
            "versions": [v.as_dict() for v in self.versions],
        }


_NOT_MEASURED = FairnessFlags(measured=False, model_flagged=False, history_flagged=False, flags=())


def _details(actor: Actor, version: ModelVersion) -> VersionDetails:
    try:
        card = read_version_card(actor=actor, version=version.version)
    except (ModelError, NotFoundError) as e:  # a damaged or missing card: listed, with the reason
        return VersionDetails(version, {n: None for n, _ in COMPARED_METRICS}, _NOT_MEASURED, str(e))
    return VersionDetails(
        version, {n: _metric(card, n) for n, _ in COMPARED_METRICS}, get_fairness_flags(card)
    )


def describe_versions(*, actor: Actor, offset: int = 0, limit: int = MAX_VERSIONS_PAGE) -> VersionsOverview:
    """What an admin decides promotions on (Model monitoring, `model-versions list`, the API): the pointer, the
    waiting candidate, and `limit` versions from `offset`, newest first, each with its held-out metrics
    (COMPARED_METRICS) and its card's four-fifths flags."""
    require_role(actor, Action.MODEL_PROMOTE)
    if offset < 0 or not 1 <= limit <= MAX_VERSIONS_PAGE:
        raise InvalidInputError(
            f"offset must be 0 or more and limit 1 to {MAX_VERSIONS_PAGE} (got offset {offset}, limit {limit})"
        )
    require_role(actor, Action.MODEL_READ)
    pointer, found = _read_versions(get_storage())
    candidate = _first_candidate(found)
    return VersionsOverview(
        pointer=pointer,
        candidate=candidate.version if candidate is not None else None,
        served_here=get_served_version(),
        total=len(found),
        offset=offset,
        limit=limit,
        versions=tuple(_details(actor, v) for v in found[offset : offset + limit]),
    )


def _write_pointer(
    storage: Storage, *, version: str, previous: str | None, actor: Actor, history: tuple[str, ...]
) -> Pointer:
    pointer = Pointer(
        version=version,
        previous=previous,
        promoted_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        promoted_by=actor.username,
        history=tuple(h for h in history if h != version) + (version,),
    )
    put_json(storage, POINTER_KEY, pointer.as_dict())
    return pointer


def set_promoted(*, version: str, actor: Actor) -> Pointer:
    """Point every process at a version (the caller checks the role and audits); this process switches now."""
    storage = get_storage()
    _manifest(storage, version)
    current = _read_pointer(storage)
    if current.version == version:
        raise InvalidInputError(f"model version {version} is already the promoted one")
    # Every file's hash is checked before anyone is pointed at the version.
    SHELF.download(storage, version, get_models_dir())
    pointer = _write_pointer(
        storage, version=version, previous=current.version, actor=actor, history=current.history
    )
    refresh_served(force=True)
    return pointer


def promote_version(*, engine: Engine, actor: Actor, version: str) -> Pointer:
    """Make a version the one every process serves; the promoted one becomes the previous."""
    with audited(engine, actor, Action.MODEL_PROMOTE, {"step": "promote", "version": version}) as audit:
        pointer = set_promoted(version=version, actor=actor)
        audit.details["previous"] = pointer.previous
    return pointer


def restore_previous(*, engine: Engine, actor: Actor) -> Pointer:
    """Serve the version promoted before the current one again (one step back; the current becomes previous)."""
    with audited(engine, actor, Action.MODEL_PROMOTE, {"step": "restore_previous"}) as audit:
        current = _read_pointer(get_storage())
        if current.previous is None:
            raise InvalidInputError(
                "there is no previous model version to restore (only one was ever promoted)"
            )
        audit.details.update({"version": current.previous, "replaced": current.version})
        pointer = set_promoted(version=current.previous, actor=actor)
    return pointer


def keep_current(*, engine: Engine, actor: Actor, version: str) -> ModelVersion:
    """Keep the promoted version and set a candidate aside (it stays listed and can still be promoted)."""
    with audited(engine, actor, Action.MODEL_PROMOTE, {"step": "keep_current", "dismissed": version}):
        storage = get_storage()
        manifest = _manifest(storage, version)
        pointer = _read_pointer(storage)
        if version == pointer.version:
            raise InvalidInputError(
                f"model version {version} is the promoted one; there is nothing to keep it from"
            )
        put_json(
            storage,
            SHELF.key(version, DISMISSED_FILE),
            {"by": actor.username, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")},
        )
    return ModelVersion(
        version=version,
        created_at=str(manifest.get("created_at", "")),
        created_by=str(manifest.get("created_by", "")),
        files=manifest_files(manifest),
        state="dismissed",
    )


# --- the local cache -----------------------------------------------------------------------------


def get_served_version() -> str | None:
    """The version this process's cache serves (None before the first promotion reached it)."""
    return SHELF.served(get_models_dir())


def _switch(root: Path, version: str) -> None:
    """Serve a cached version (forgetting the others but the one it replaces), bring its fairness report, and
    drop the drift summary of the model it replaces."""
    SHELF.switch(root, version)
    folder = root / CACHE_DIR / version
    if (folder / FAIRNESS_FILE).is_file():
        shutil.copyfile(folder / FAIRNESS_FILE, root / ".tmp-fairness.json")
        os.replace(root / ".tmp-fairness.json", root / FAIRNESS_FILE)
    else:
        (root / FAIRNESS_FILE).unlink(missing_ok=True)
    # A drift summary compared another model's training data; it no longer applies.
    (root / DRIFT_SUMMARY_FILE).unlink(missing_ok=True)


def refresh_served(*, force: bool = False) -> Path | None:
    """The folder of the version this process serves, after reading the pointer if it was not read in the last
    HR_MODEL_REFRESH_SECONDS (or force): a newly promoted version is downloaded, checked and switched to.

    None when no version was ever promoted (the files then sit in HR_MODELS_DIR itself, as before versions).
    A storage that cannot be reached leaves the cached version in service."""
    return SHELF.refresh(force=force, switch=_switch)
