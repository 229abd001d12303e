"""The storage layer on a local folder and on a real SeaweedFS S3 server."""

from pathlib import Path

import pytest

from hr_core.errors import InvalidInputError, NotFoundError
from hr_core.storage import Storage, fetch_input, make_storage


def test_write_list_read_delete(storage: Storage, tmp_path: Path) -> None:
    storage.put_bytes("backups/jobs/a.avro", b"abc")
    src = tmp_path / "big.bin"
    src.write_bytes(b"x" * 100_000)
    storage.put_file("backups/jobs/b.avro", src)
    storage.put_bytes("rejects/jobs/r.csv", b"line")
    keys = [o.key for o in storage.list_objects("backups/")]
    assert keys == ["backups/jobs/a.avro", "backups/jobs/b.avro"]
    sizes = {o.key: o.size for o in storage.list_objects("backups/jobs/")}
    assert sizes["backups/jobs/b.avro"] == 100_000
    assert storage.get_bytes("backups/jobs/a.avro") == b"abc"
    out = tmp_path / "down.bin"
    storage.download("backups/jobs/b.avro", out)
    assert out.read_bytes() == src.read_bytes()
    assert storage.exists("rejects/jobs/r.csv")
    storage.delete("rejects/jobs/r.csv")
    assert not storage.exists("rejects/jobs/r.csv")
    with pytest.raises(NotFoundError):
        storage.get_bytes("rejects/jobs/r.csv")


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a/../../b", "a//b", "a\\b", "", "a/./b"])
def test_keys_outside_root_refused(storage: Storage, key: str) -> None:
    with pytest.raises(InvalidInputError, match="not allowed|outside"):
        storage.put_bytes(key, b"x")


def test_local_write_is_atomic_and_leaves_no_temp(tmp_path: Path) -> None:
    store = make_storage(f"file://{tmp_path / 's'}")
    store.put_bytes("a/b.txt", b"1")
    store.put_bytes("a/b.txt", b"2")
    assert store.get_bytes("a/b.txt") == b"2"
    assert [p.name for p in (tmp_path / "s" / "a").iterdir()] == ["b.txt"]


def test_fetch_input_from_s3(storage_url: str, storage: Storage) -> None:
    storage.put_bytes("in/jobs.csv", b"1,Analyst\n")
    if storage_url.startswith("s3://"):
        source = f"{storage_url}/in/jobs.csv"
    else:
        source = storage_url[len("file://") :] + "/in/jobs.csv"
    with fetch_input(source) as path:
        assert path.read_bytes() == b"1,Analyst\n"


def test_fetch_missing_input() -> None:
    with pytest.raises(NotFoundError, match="does not exist"), fetch_input("/no/such/file.csv"):
        pass


def test_bad_storage_url() -> None:
    with pytest.raises(InvalidInputError, match="file:// or s3://"):
        make_storage("ftp://x")
