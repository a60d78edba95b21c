"""What a job handler sees: its inputs, its folder, the pool, and ways to report progress and notice cancellation."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from workers import ModelPool


class JobCancelled(Exception):
    """Raised inside a handler by check_cancelled() when the job was cancelled."""


class JobInterrupted(Exception):
    """Raised inside a handler when the server is stopping; the job is re-queued, not failed."""


class JobContext:
    def __init__(
        self,
        job_id: str,
        params: dict[str, Any],
        artifact_dir: Path,
        pool: ModelPool,
        settings: Any,
        report: Callable[[float, str | None], None],
        is_cancelled: Callable[[], bool],
        is_stopping: Callable[[], bool],
    ) -> None:
        self.job_id = job_id
        self.params = params
        self.artifact_dir = artifact_dir
        self.pool = pool
        # The gateway's Settings: handlers read model dirs and limits here, as the synchronous routes do.
        self.settings = settings
        self._report = report
        self._is_cancelled = is_cancelled
        self._is_stopping = is_stopping
        self._last_report = 0.0
        self._last_percent = -1.0

    def input_path(self, name: str) -> Path:
        path = self.artifact_dir / "inputs" / name
        if not path.exists():
            raise FileNotFoundError(f"job {self.job_id} has no input {name!r}")
        return path

    def output_path(self, name: str) -> Path:
        path = self.artifact_dir / "outputs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def file_url(self, name: str) -> str:
        """Where the gateway serves an output file of this job (GET /v1/jobs/{id}/files/{name})."""
        return f"/v1/jobs/{self.job_id}/files/{name}"

    def set_progress(self, percent: float, message: str | None = None) -> None:
        """Record progress (0-100); writes are throttled so a tight loop can call this freely."""
        percent = max(0.0, min(100.0, percent))
        now = time.monotonic()
        if percent - self._last_percent >= 1.0 or now - self._last_report >= 1.0 or percent >= 100.0:
            self._report(percent, message)
            self._last_report, self._last_percent = now, percent
        self.check_cancelled()

    def check_cancelled(self) -> None:
        if self._is_cancelled():
            raise JobCancelled(self.job_id)
        if self._is_stopping():
            raise JobInterrupted(self.job_id)
