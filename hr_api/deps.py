"""Per-process resources (settings, engine, storage, token key) and the acting user of a request."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from hr_core.access import Actor
from hr_core.auth.sessions import resolve_cookie_key
from hr_core.auth.tokens import resolve_credentials
from hr_core.db import make_engine
from hr_core.errors import AuthenticationError
from hr_core.jobs import start_job_runner, stop_job_runners
from hr_core.settings import Settings, get_settings
from hr_core.storage import Storage, make_storage

_LOCK = threading.Lock()

if TYPE_CHECKING:
    from hr_core.ml.match import MatchModel
    from hr_core.ml.skills import SkillVocabulary


@dataclass
class Runtime:
    """What one API process shares between requests; built on first use, so tests can set the environment first."""

    settings: Settings
    engine: Engine
    token_key: str
    _storage: Storage | None = field(default=None, repr=False)
    _model: Any = field(default=None, repr=False)
    _model_stamp: tuple[str, float] | None = field(default=None, repr=False)
    _encoder: Any = field(default=None, repr=False)

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            self._storage = make_storage(self.settings.storage_url)
        return self._storage

    def match_model(self) -> MatchModel:
        """The verified match model, loaded once and again only after another version was promoted (the card's
        path names the version; get_model_paths reads the promoted one from storage every few seconds)."""
        from hr_core.ml.match import get_model_paths, load_match_model

        card = get_model_paths()[1]
        stamp = (str(card), card.stat().st_mtime) if card.is_file() else None
        with _LOCK:
            if self._model is None or stamp != self._model_stamp:
                self._model = load_match_model()
                self._model_stamp = stamp
            return self._model  # type: ignore[no-any-return]

    def skill_vocabulary(self) -> SkillVocabulary:
        """The skill terms openings are read with: the served model's (the fixed list before one is trained),
        as on the opening's Skills tab."""
        from hr_core.ml.match import read_model_card
        from hr_core.ml.requirements import get_skill_vocabulary

        return get_skill_vocabulary(self.match_model() if read_model_card() is not None else None)

    def encoder(self) -> Any:
        """The sentence encoder for profiles embedded on the fly, loaded once."""
        from hr_core.ml.embeddings import load_encoder

        with _LOCK:
            if self._encoder is None:
                self._encoder = load_encoder()
            return self._encoder

    def close(self) -> None:
        stop_job_runners()
        self.engine.dispose()


def build_runtime(settings: Settings | None = None) -> Runtime:
    """Engine, settings and the token-signing key (HR_COOKIE_KEY, or a random one for this process)."""
    settings = settings or get_settings()
    engine = make_engine(settings.database_url)
    start_job_runner(engine)  # unless HR_JOBS_IN_PROCESS=false (separate `python -m hr_core worker`s)
    return Runtime(settings=settings, engine=engine, token_key=resolve_cookie_key(settings).value)


def get_runtime(request: Request) -> Runtime:
    """The process's Runtime, built once."""
    return runtime_of(request.app)


def runtime_of(app: Any) -> Runtime:
    """The app's Runtime, built on first use (at start-up, or by the first request if that failed)."""
    state = app.state
    runtime: Runtime | None = getattr(state, "runtime", None)
    if runtime is None:
        with _LOCK:
            runtime = getattr(state, "runtime", None)
            if runtime is None:
                runtime = build_runtime()
                state.runtime = runtime
    return runtime


def get_engine(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Engine:
    return runtime.engine


def get_storage(runtime: Annotated[Runtime, Depends(get_runtime)]) -> Storage:
    return runtime.storage


_bearer = HTTPBearer(auto_error=False, description="a token from POST /api/v1/auth/token, or an API key")
_api_key = APIKeyHeader(name="X-API-Key", auto_error=False, description="an API key (`users api-key NAME`)")


def get_actor(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    api_key: Annotated[str | None, Security(_api_key)],
) -> Actor:
    """The user behind the request's bearer token or API key, checked against the users table every time."""
    credential = api_key or (bearer.credentials if bearer is not None else None)
    if not credential:
        raise AuthenticationError(
            "this route needs credentials: 'Authorization: Bearer <token>' (POST /api/v1/auth/token) "
            "or 'X-API-Key: <key>'"
        )
    return resolve_credentials(engine=runtime.engine, credential=credential, key=runtime.token_key)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
EngineDep = Annotated[Engine, Depends(get_engine)]
StorageDep = Annotated[Storage, Depends(get_storage)]
ActorDep = Annotated[Actor, Depends(get_actor)]
