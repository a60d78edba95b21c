"""A real gateway process on a free loopback port, for tests that need restarts or a real client."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from api.settings import REPO_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(
        self,
        tmp_path: Path,
        job_workers: int = 1,
        modules: str = '["nlp"]',
        env: dict[str, str] | None = None,
        prefix: list[str] | None = None,
        start_timeout: float = 300,  # a loaded 2-core machine can take minutes to import every module
    ) -> None:
        """`env` adds variables; `prefix` runs the server under a wrapper (it must exec the command it is
        given, so that SIGKILL reaches the gateway): tests/faults puts its storage on a small or read-only mount."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "VOXGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'voxgate.db'}",
            "VOXGATE_ARTIFACT_DIR": str(tmp_path / "artifacts"),
            "VOXGATE_JOB_WORKERS": str(job_workers),
            "VOXGATE_MODULES": modules,
            **(env or {}),
        }
        self.log = open(tmp_path / f"server-{self.port}.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [*(prefix or []), sys.executable, "-m", "api", "serve", "--port", str(self.port), "--log-level", "warning"],
            cwd=REPO_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.client = httpx.Client(base_url=self.url, timeout=30)
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {(tmp_path / f'server-{self.port}.log').read_text()}")
            try:
                if self.client.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.kill()  # never leave a half-started gateway behind
        raise AssertionError(f"server did not start in {start_timeout:.0f} s")

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, as in a crash or a power cut."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.client.close()
        self.log.close()


FINISHED = ("succeeded", "failed", "cancelled")


def wait_for_job(
    client: httpx.Client, job_id: str, timeout: float = 120, until: tuple[str, ...] = FINISHED
) -> dict[str, Any]:
    """Poll GET /v1/jobs/{id} until its status is one of `until`; the last record in the failure message."""
    deadline = time.monotonic() + timeout
    record: dict[str, Any] = {}
    while time.monotonic() < deadline:
        record = client.get(f"/v1/jobs/{job_id}").json()
        if record["status"] in until:
            return record
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} not {until} after {timeout} s: {record}")
