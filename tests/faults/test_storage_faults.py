"""Storage faults on a real SeaweedFS: stopped, hung, wrong credentials, missing bucket.

Each test starts its own server when it must break it, so the session-wide one survives. A backup
must fail fast with a message naming the cause, and nothing committed may be lost.
"""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert

from hr_core.access import Actor
from hr_core.backup import create_backup
from hr_core.errors import StorageError
from hr_core.models import Job
from hr_core.storage import make_storage
from tests.conftest import _unavailable
from tests.support.s3server import S3Server, start_s3_server

ADMIN = Actor(username="boss", role="admin")


@pytest.fixture
def own_s3() -> Iterator[S3Server]:
    """A SeaweedFS of this test alone (it may be stopped or killed)."""
    try:
        server = start_s3_server(bucket="faults")
    except Exception as e:
        _unavailable(f"SeaweedFS could not start: {e}")
    try:
        yield server
    finally:
        if server.process.poll() is None:
            os.killpg(server.process.pid, signal.SIGCONT)
        server.stop()


@pytest.fixture
def jobs_db(engine: Engine) -> Engine:
    with engine.begin() as conn:
        conn.execute(insert(Job), [{"id": i, "job": f"J{i}"} for i in range(1, 30)])
    return engine


def _storage(server: S3Server, monkeypatch: pytest.MonkeyPatch, bucket: str | None = None) -> object:
    monkeypatch.setenv("HR_S3_ENDPOINT_URL", server.endpoint)
    from hr_core.settings import reset_settings

    reset_settings()
    return make_storage(f"s3://{bucket or server.bucket}/t-{uuid.uuid4().hex[:8]}")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_hung_s3_server_fails_a_backup_within_30_seconds(
    jobs_db: Engine, own_s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = _storage(own_s3, monkeypatch)
    os.killpg(own_s3.process.pid, signal.SIGSTOP)  # hung: connections open, nothing answers
    start = time.monotonic()
    with pytest.raises(StorageError, match="did not answer|stopped or hung"):
        create_backup(engine=jobs_db, storage=storage, table="jobs", actor=ADMIN)  # type: ignore[arg-type]
    assert time.monotonic() - start < 30
    os.killpg(own_s3.process.pid, signal.SIGCONT)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_stopped_s3_server_fails_a_backup_quickly(
    jobs_db: Engine, own_s3: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = _storage(own_s3, monkeypatch)
    own_s3.stop()  # killed: the port refuses connections
    start = time.monotonic()
    with pytest.raises(StorageError, match="did not answer"):
        create_backup(engine=jobs_db, storage=storage, table="jobs", actor=ADMIN)  # type: ignore[arg-type]
    assert time.monotonic() - start < 30


def test_a_missing_bucket_is_named_before_the_table_is_read(
    jobs_db: Engine, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = _storage(s3_server, monkeypatch, bucket=f"nope-{uuid.uuid4().hex[:8]}")
    read: list[str] = []
    with pytest.raises(StorageError, match="bucket 'nope-.*' does not exist"):
        create_backup(
            engine=jobs_db,
            storage=storage,  # type: ignore[arg-type]
            table="jobs",
            actor=ADMIN,
            progress=lambda _f, message: read.append(message),
        )
    assert read == []  # refused before a single row was read


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_wrong_credentials_are_named_before_the_table_is_read(
    jobs_db: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "s3.json"
    config.write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "admin",
                        "credentials": [{"accessKey": "test", "secretKey": "test"}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    try:
        server = start_s3_server(bucket="creds", extra_args=[f"-s3.config={config}"])
    except Exception as e:
        _unavailable(f"SeaweedFS could not start: {e}")
    try:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "someone")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
        storage = _storage(server, monkeypatch)
        start = time.monotonic()
        read: list[str] = []
        with pytest.raises(StorageError, match="refused the credentials.*AWS_ACCESS_KEY_ID"):
            create_backup(
                engine=jobs_db,
                storage=storage,  # type: ignore[arg-type]
                table="jobs",
                actor=ADMIN,
                progress=lambda _f, message: read.append(message),
            )
        assert time.monotonic() - start < 30
        assert read == []  # refused before a single row was read
    finally:
        server.stop()
