"""Object storage for backups, reject reports, exports and model versions: a local folder or an S3 bucket."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol
from urllib.parse import urlparse

from hr_core.errors import InvalidInputError, NotFoundError, StorageError
from hr_core.settings import get_settings

# A stopped or hung S3 server fails a call within about S3_MAX_ATTEMPTS x S3_READ_TIMEOUT seconds.
S3_CONNECT_TIMEOUT = 3
S3_READ_TIMEOUT = 10
S3_MAX_ATTEMPTS = 2
_ACCESS_CODES = ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "Forbidden")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*(/[A-Za-z0-9][A-Za-z0-9._\-]*)*$")


def hash_file(path: Path) -> str:
    """SHA-256 hex digest of a local file, read in 1 MiB blocks (backups, model versions, indexes)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def validate_key(key: str) -> str:
    """Refuse keys that are absolute, climb out of the root or carry odd characters."""
    if not isinstance(key, str) or not _KEY.match(key) or ".." in key.split("/"):
        raise InvalidInputError(f"storage key {key!r} is not allowed (it must stay inside the storage root)")
    return key


@dataclass(frozen=True)
class ObjectInfo:
    key: str
    size: int
    modified: float


class Storage(Protocol):
    """What hr_core needs from a storage backend."""

    url: str

    def put_bytes(self, key: str, data: bytes) -> None: ...
    def put_file(self, key: str, path: Path) -> None: ...
    def get_bytes(self, key: str) -> bytes: ...
    def download(self, key: str, path: Path) -> None: ...
    def list_objects(self, prefix: str = "") -> list[ObjectInfo]: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...
    def locate(self, key: str) -> str: ...
    def check(self) -> None: ...


class LocalStorage:
    """A folder on disk; writes go to a temporary name and are renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.url = f"file://{self.root}"

    def _path(self, key: str) -> Path:
        validate_key(key)
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root):
            raise InvalidInputError(f"storage key {key!r} resolves outside the storage root")
        return path

    def locate(self, key: str) -> str:
        """The local path of a key inside the root (what path-taking functions such as imports read)."""
        return str(self._path(key))

    def _write_atomic(self, key: str, writer: Any) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
            try:
                with os.fdopen(fd, "wb") as fh:
                    writer(fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as e:
            raise StorageError(f"cannot write {key!r} to {self.url}: {e}") from e

    def put_bytes(self, key: str, data: bytes) -> None:
        self._write_atomic(key, lambda fh: fh.write(data))

    def put_file(self, key: str, path: Path) -> None:
        def copy(fh: BinaryIO) -> None:
            with open(path, "rb") as src:
                shutil.copyfileobj(src, fh, 1024 * 1024)

        self._write_atomic(key, copy)

    def get_bytes(self, key: str) -> bytes:
        path = self._path(key)
        try:
            return path.read_bytes()
        except FileNotFoundError as e:
            raise NotFoundError(f"{key!r} does not exist in {self.url}") from e
        except OSError as e:
            raise StorageError(f"cannot read {key!r} from {self.url}: {e}") from e

    def download(self, key: str, path: Path) -> None:
        src = self._path(key)
        if not src.is_file():
            raise NotFoundError(f"{key!r} does not exist in {self.url}")
        try:
            shutil.copyfile(src, path)
        except OSError as e:
            raise StorageError(f"cannot read {key!r} from {self.url}: {e}") from e

    def list_objects(self, prefix: str = "") -> list[ObjectInfo]:
        if not self.root.exists():
            return []
        out = []
        for path in self.root.rglob("*"):
            if not path.is_file() or path.name.startswith(".tmp-"):
                continue
            key = path.relative_to(self.root).as_posix()
            if key.startswith(prefix):
                stat = path.stat()
                out.append(ObjectInfo(key, stat.st_size, stat.st_mtime))
        return sorted(out, key=lambda o: o.key)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def check(self) -> None:
        """Raise StorageError unless the folder exists (or can be made) and is writable."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"cannot create the storage folder {self.root}: {e}") from e
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StorageError(f"the storage folder {self.root} is not writable by this process")

    def delete(self, key: str) -> None:
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as e:
            raise StorageError(f"cannot delete {key!r} from {self.url}: {e}") from e


class S3Storage:
    """A bucket (and optional prefix) on S3 or an S3-compatible server."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.endpoint = endpoint_url or "AWS S3"
        # Short timeouts and few retries: a stopped or hung server fails a call within about
        # S3_MAX_ATTEMPTS x (S3_CONNECT_TIMEOUT or S3_READ_TIMEOUT) seconds instead of minutes.
        # A session of its own: credentials are read now (not cached from an earlier client) and a
        # storage can be used from its own thread.
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            config=Config(
                retries={"total_max_attempts": S3_MAX_ATTEMPTS, "mode": "standard"},
                connect_timeout=S3_CONNECT_TIMEOUT,
                read_timeout=S3_READ_TIMEOUT,
                tcp_keepalive=True,
            ),
        )

    def _key(self, key: str) -> str:
        validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def locate(self, key: str) -> str:
        """The s3:// URL of a key under this bucket and prefix."""
        return f"s3://{self.bucket}/{self._key(key)}"

    def _wrap(self, e: Exception, what: str, key: str) -> Exception:
        from botocore.exceptions import ClientError, ConnectionError, NoCredentialsError, ReadTimeoutError

        if isinstance(e, InvalidInputError | StorageError):
            return e
        code = e.response.get("Error", {}).get("Code") if isinstance(e, ClientError) else None
        if code in ("NoSuchKey", "404", "NotFound"):
            return NotFoundError(f"{key!r} does not exist in {self.url}")
        if code == "NoSuchBucket":
            return StorageError(
                f"bucket {self.bucket!r} does not exist at {self.endpoint}; create it or fix HR_STORAGE_URL"
            )
        if code in _ACCESS_CODES or isinstance(e, NoCredentialsError):
            return StorageError(
                f"S3 at {self.endpoint} refused the credentials for bucket {self.bucket!r} ({code or e}); "
                "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        if isinstance(e, ReadTimeoutError | ConnectionError):
            return StorageError(
                f"cannot {what} {key!r} in {self.url}: the S3 server at {self.endpoint} did not answer "
                f"(after {S3_MAX_ATTEMPTS} attempts of at most {S3_READ_TIMEOUT} s); it may be stopped or "
                f"hung ({e})"
            )
        return StorageError(f"cannot {what} {key!r} in {self.url}: {e}")

    def check(self) -> None:
        """Raise StorageError unless the bucket exists and the credentials may use it (one HEAD)."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as e:
            code = str(e.response.get("Error", {}).get("Code"))
            if code in ("404", "NoSuchBucket", "NotFound"):
                raise StorageError(
                    f"bucket {self.bucket!r} does not exist at {self.endpoint}; create it or fix HR_STORAGE_URL"
                ) from e
            if code in ("403", *_ACCESS_CODES):
                raise StorageError(
                    f"S3 at {self.endpoint} refused the credentials for bucket {self.bucket!r}; "
                    "check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                ) from e
            raise self._wrap(e, "check", self.bucket) from e
        except Exception as e:
            raise self._wrap(e, "reach", self.bucket) from e

    def put_bytes(self, key: str, data: bytes) -> None:
        try:
            self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)
        except Exception as e:
            raise self._wrap(e, "write", key) from e

    def put_file(self, key: str, path: Path) -> None:
        # upload_file completes (multipart included) before the object becomes visible.
        try:
            self.client.upload_file(str(path), self.bucket, self._key(key))
        except Exception as e:
            raise self._wrap(e, "write", key) from e

    def get_bytes(self, key: str) -> bytes:
        try:
            body: bytes = self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
            return body
        except Exception as e:
            raise self._wrap(e, "read", key) from e

    def download(self, key: str, path: Path) -> None:
        try:
            self.client.download_file(self.bucket, self._key(key), str(path))
        except Exception as e:
            raise self._wrap(e, "read", key) from e

    def list_objects(self, prefix: str = "") -> list[ObjectInfo]:
        full = self._key(prefix.rstrip("/")) if prefix else self.prefix
        strip = len(self.prefix) + 1 if self.prefix else 0
        out: list[ObjectInfo] = []
        try:
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=full):
                for obj in page.get("Contents", []):
                    key = obj["Key"][strip:]
                    if key.startswith(prefix):
                        out.append(ObjectInfo(key, int(obj["Size"]), obj["LastModified"].timestamp()))
        except Exception as e:
            raise self._wrap(e, "list", prefix) from e
        return sorted(out, key=lambda o: o.key)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(key))
            return True
        except Exception as e:
            err = self._wrap(e, "check", key)
            if isinstance(err, NotFoundError):
                return False
            raise err from e

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))
        except Exception as e:
            raise self._wrap(e, "delete", key) from e


def make_storage(url: str | None = None, *, endpoint_url: str | None = None) -> Storage:
    """Storage for a `file://` or `s3://bucket/prefix` URL (default: HR_STORAGE_URL)."""
    settings = get_settings()
    url = url or settings.storage_url
    endpoint_url = endpoint_url or settings.s3_endpoint_url
    parsed = urlparse(url)
    if parsed.scheme == "s3":
        if not parsed.netloc:
            raise InvalidInputError(f"storage URL {url!r} names no bucket (use s3://bucket/prefix)")
        return S3Storage(parsed.netloc, parsed.path, endpoint_url)
    if parsed.scheme in ("file", ""):
        path = url[len("file://") :] if url.startswith("file://") else url
        return LocalStorage(Path(path))
    raise InvalidInputError(f"storage URL {url!r} must start with file:// or s3://")


@contextmanager
def fetch_input(source: str | Path) -> Iterator[Path]:
    """A local path for an input file given as a path or an s3://bucket/key URL (downloaded to a temp file)."""
    text = str(source)
    if text.startswith("s3://"):
        parsed = urlparse(text)
        key = parsed.path.lstrip("/")
        if not parsed.netloc or not key:
            raise InvalidInputError(f"{text!r} is not an s3://bucket/key URL")
        store = S3Storage(parsed.netloc, "", get_settings().s3_endpoint_url)
        with tempfile.TemporaryDirectory(prefix="hr-input-") as tmp:
            local = Path(tmp) / Path(key).name
            store.download(key, local)
            yield local
        return
    path = Path(text)
    if not path.is_file():
        raise NotFoundError(f"file {text!r} does not exist")
    yield path
