"""Shared fixtures: databases (SQLite and PostgreSQL), storages (folder and SeaweedFS S3), settings."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from hr_core.db import Base, import_all_models, init_db, make_engine
from hr_core.settings import reset_settings
from hr_core.storage import Storage, make_storage
from tests.support.s3server import S3Server, start_s3_server

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO / "samples"  # public sample files kept in the repository (see samples/README.md)
PG_ADMIN_URL = os.environ.get("HR_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service fails the run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests get copies (a copy costs ~1 ms, a migration ~100)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    eng = make_engine(f"sqlite:///{path}")
    init_db(eng)
    eng.dispose()  # the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session", autouse=True)
def _shared_encoder_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """One folder for the exported ONNX encoder for the whole session, so it is exported once."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HR_ENCODER_DIR", str(tmp_path_factory.mktemp("encoder")))
        yield


@pytest.fixture(autouse=True)
def _isolated_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sqlite_template: Path
) -> Iterator[None]:
    """Every test starts from default settings pointing into its own temporary folder.

    The default database is a migrated SQLite file, as `make run` leaves it (pages do not migrate).
    """
    for key in list(os.environ):
        if key.startswith("HR_") and key not in ("HR_TEST_PG_ADMIN_URL", "HR_DEBUG", "HR_ENCODER_DIR"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HR_ENV", "test")
    shutil.copyfile(sqlite_template, tmp_path / "default.db")
    monkeypatch.setenv("HR_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    monkeypatch.setenv("HR_STORAGE_URL", f"file://{tmp_path / 'storage'}")
    monkeypatch.setenv("HR_MODELS_DIR", str(tmp_path / "models"))
    reset_settings()
    yield
    from hr_core.jobs import stop_job_runners

    stop_job_runners()  # threads a page or a test started for this test's database
    reset_settings()


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    name = f"hr_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as e:
        _unavailable(f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {e}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    eng = create_engine(url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    eng.dispose()


# What a migrated PostgreSQL schema looks like (columns, indexes, constraints): if a test left it so,
# the next `engine` only truncates the tables (~20 ms) instead of dropping and migrating (~300 ms).
_PG_SCHEMA_SIGNATURE = text(
    """
    SELECT 'c ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'i ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'k ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    ORDER BY 1
    """
)
_pg_migrated_signature: dict[str, list[str]] = {}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database URL on SQLite (fresh file) and on PostgreSQL: an empty schema, unless the test also
    asks for `engine`, which brings it to head."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'hr.db'}"
    else:
        url = request.getfixturevalue("pg_database_url")
        if "engine" not in request.fixturenames:
            _reset_postgres(url)
    monkeypatch.setenv("HR_DATABASE_URL", url)
    reset_settings()
    yield url


def _migrated_postgres(eng: Engine) -> None:
    """Empty tables at head: truncate when the schema is as migrated, else drop everything and migrate."""
    url = eng.url.render_as_string(hide_password=False)
    with eng.connect() as conn:
        signature = list(conn.execute(_PG_SCHEMA_SIGNATURE).scalars())
    if _pg_migrated_signature.get(url) == signature:
        import_all_models()
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        with eng.begin() as conn:
            conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
        return
    _reset_postgres(url)
    init_db(eng)
    with eng.connect() as conn:
        _pg_migrated_signature[url] = list(conn.execute(_PG_SCHEMA_SIGNATURE).scalars())


@pytest.fixture
def engine(db_url: str, sqlite_template: Path) -> Iterator[Engine]:
    """An engine on db_url migrated to head, tables empty (SQLite: a copy of the session's migrated file;
    PostgreSQL: truncated when the previous test left the migrated schema intact)."""
    eng = make_engine(db_url)
    if eng.dialect.name == "sqlite":
        if eng.url.database and not Path(eng.url.database).exists():
            shutil.copyfile(sqlite_template, eng.url.database)
        init_db(eng)  # at head already: only checks
    else:
        _migrated_postgres(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """A real SeaweedFS S3 server for the whole test session."""
    try:
        server = start_s3_server()
    except Exception as e:
        _unavailable(f"SeaweedFS could not start: {e}")
    yield server
    server.stop()


@pytest.fixture(params=["file", "s3"])
def storage_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """HR_STORAGE_URL for a local folder and for a fresh prefix on the SeaweedFS bucket."""
    if request.param == "file":
        url = f"file://{tmp_path / 'store'}"
    else:
        server = request.getfixturevalue("s3_server")
        url = f"s3://{server.bucket}/t-{uuid.uuid4().hex[:12]}"
        monkeypatch.setenv("HR_S3_ENDPOINT_URL", server.endpoint)
    monkeypatch.setenv("HR_STORAGE_URL", url)
    reset_settings()
    return url


@pytest.fixture
def storage(storage_url: str) -> Storage:
    return make_storage(storage_url)


@pytest.fixture(scope="module")
def encoder() -> Iterator[Any]:
    """The real all-MiniLM-L6-v2 model (ONNX), loaded once for each test module that asks for it."""
    from hr_core.ml.embeddings import load_encoder

    yield load_encoder()


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"the real sample data is missing at {SHARED_DATA}", pytrace=False)
    return SHARED_DATA
