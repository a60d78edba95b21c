"""Durable jobs: accepted work is in the database before the 202 goes out, and is re-queued on start-up.

Worker threads claim queued jobs one at a time. A job that was running when the
process died is queued again at the next start (up to MAX_ATTEMPTS, so a job that
crashes the server every time cannot loop forever).
"""

from __future__ import annotations

import logging
import queue
import shutil
import threading
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from api.jobs.context import JobCancelled, JobContext, JobInterrupted
from api.jobs.models import JobAccepted, JobRecord, JobRow, JobStatus, utcnow
from api.storage import storage_problem
from api.tenancy import current_tenant, tenant_scope
from workers import ModelPool

log = logging.getLogger(__name__)

JobHandler = Callable[[dict[str, Any], JobContext], Any]
MAX_ATTEMPTS = 3


class UnknownJobKind(ValueError):
    pass


class JobNotFound(KeyError):
    pass


class JobQueueFull(Exception):
    """More jobs are waiting than the gateway accepts (VOXGATE_MAX_QUEUED_JOBS): shed load, ask for a retry."""

    def __init__(self, queued: int, limit: int, retry_after_s: int) -> None:
        super().__init__(f"{queued} jobs are queued, the limit is {limit}; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


class JobService:
    def __init__(
        self,
        engine: Engine,
        artifact_dir: Path,
        pool: ModelPool,
        workers: int = 1,
        settings: Any = None,
        max_queued: int = 0,
    ) -> None:
        self.engine = engine
        self.settings = settings  # the gateway's Settings, handed to every handler through its JobContext
        self.artifact_dir = artifact_dir
        self.pool = pool
        self.workers = workers
        self.max_queued = max_queued  # 0: no limit
        self.storage_error: str | None = None  # why start-up could not re-queue (read-only or full storage)
        self._handlers: dict[str, JobHandler] = {}
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._cancel_flags: set[str] = set()
        self._stopping = threading.Event()
        self._lock = threading.Lock()

    # -- set-up -------------------------------------------------------------
    def register(self, kind: str, handler: JobHandler) -> None:
        self._handlers[kind] = handler

    def kinds(self) -> list[str]:
        return sorted(self._handlers)

    def start(self) -> None:
        """Re-queue what an earlier process left unfinished, then start the worker threads.

        Storage that cannot be written (read-only, full) must not stop the gateway from starting: reads still
        work, writes answer 503 with the reason, and the unfinished jobs wait for a start with writable storage."""
        try:
            pending = self._requeue_unfinished()
        except Exception as exc:
            problem = storage_problem(exc)
            if problem is None:
                raise
            self.storage_error = problem[1]
            log.error("jobs not re-queued: %s", problem[1])
            pending = []
        for job_id in pending:
            self._queue.put(job_id)
        if pending:
            log.info("re-queued %d unfinished jobs", len(pending))
        for i in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"voxgate-job-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _requeue_unfinished(self) -> list[str]:
        with Session(self.engine) as session:
            interrupted = session.scalars(select(JobRow).where(JobRow.status == JobStatus.RUNNING)).all()
            for row in interrupted:
                if row.attempts >= MAX_ATTEMPTS:
                    self._finish(
                        session,
                        row,
                        JobStatus.FAILED,
                        error=_error(
                            "interrupted",
                            f"the job was interrupted {row.attempts} times (server stopped or crashed while it ran)",
                        ),
                    )
                else:
                    row.status = JobStatus.QUEUED
                    row.message = "re-queued after a server restart"
            session.commit()
            return list(
                session.scalars(
                    select(JobRow.id).where(JobRow.status == JobStatus.QUEUED).order_by(JobRow.created_at)
                ).all()
            )

    def stop(self, timeout: float = 10.0) -> None:
        """Ask running handlers to stop at their next check; their jobs go back to the queue."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()

    # -- API ------------------------------------------------------------------
    def accept(self, kind: str, params: dict[str, Any], inputs: dict[str, bytes] | None = None) -> JobAccepted:
        """Submit a job and answer what a route returns with its 202."""
        record = self.submit(kind, params, inputs)
        return JobAccepted(id=record.id, status=record.status, url=record.url)

    def submit(self, kind: str, params: dict[str, Any], inputs: dict[str, bytes] | None = None) -> JobRecord:
        """A job owned by the caller's tenant (api.tenancy.current_tenant)."""
        if kind not in self._handlers:
            raise UnknownJobKind(f"no job kind {kind!r}; known: {', '.join(self.kinds()) or 'none'}")
        if self.max_queued and (queued := self._queue.qsize()) >= self.max_queued:
            raise JobQueueFull(queued, self.max_queued, self._retry_after_s(queued))
        job_id = uuid.uuid4().hex
        job_dir = self.job_dir(job_id)
        try:
            # Inputs first, then the row: a row never points at missing inputs. If either step fails (disk
            # full, read-only database) the folder goes too, so a refused job leaves no orphaned files.
            for name, data in (inputs or {}).items():
                path = job_dir / "inputs" / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            record = self._insert(job_id, kind, params)
        except BaseException:
            shutil.rmtree(job_dir, ignore_errors=True)
            raise
        self._queue.put(job_id)
        return record

    def _insert(self, job_id: str, kind: str, params: dict[str, Any]) -> JobRecord:
        with Session(self.engine) as session:
            row = JobRow(
                id=job_id,
                tenant=current_tenant(),
                kind=kind,
                status=JobStatus.QUEUED,
                progress=0.0,
                params=params,
                attempts=0,
                cancel_requested=False,
                created_at=utcnow(),
            )
            session.add(row)
            session.commit()
            return JobRecord.from_row(row)

    def _retry_after_s(self, queued: int) -> int:
        """A rough wait: the queue ahead divided among the workers, at least a second, at most a minute."""
        return max(1, min(60, queued // max(1, self.workers)))

    @staticmethod
    def _owned(session: Session, job_id: str) -> JobRow:
        """The caller's tenant's job; another tenant's job is as absent as one that never existed."""
        row = session.get(JobRow, job_id)
        if row is None or row.tenant != current_tenant():
            raise JobNotFound(job_id)
        return row

    def get(self, job_id: str) -> JobRecord:
        with Session(self.engine) as session:
            return JobRecord.from_row(self._owned(session, job_id))

    def owned_dir(self, job_id: str) -> Path:
        """job_dir of one of the caller's tenant's jobs; JobNotFound for anyone else's."""
        with Session(self.engine) as session:
            self._owned(session, job_id)
        return self.job_dir(job_id)

    def list(self, status: JobStatus | None = None, kind: str | None = None, limit: int = 50) -> list[JobRecord]:
        """The caller's tenant's jobs, newest first."""
        query = select(JobRow).where(JobRow.tenant == current_tenant()).order_by(JobRow.created_at.desc()).limit(limit)
        if status is not None:
            query = query.where(JobRow.status == status)
        if kind is not None:
            query = query.where(JobRow.kind == kind)
        with Session(self.engine) as session:
            return [JobRecord.from_row(row, with_result=False) for row in session.scalars(query)]

    def counts(self) -> dict[str, int]:
        with Session(self.engine) as session:
            rows = session.execute(select(JobRow.status, func.count()).group_by(JobRow.status)).all()
        counts = {state.value: 0 for state in JobStatus}
        counts.update({state: count for state, count in rows})
        return counts

    def cancel(self, job_id: str) -> JobRecord:
        with Session(self.engine) as session:
            row = self._owned(session, job_id)
            if row.status == JobStatus.QUEUED:
                self._finish(session, row, JobStatus.CANCELLED)
            elif row.status == JobStatus.RUNNING:
                row.cancel_requested = True
                row.message = "cancelling"
                with self._lock:
                    self._cancel_flags.add(job_id)
            session.commit()
            return JobRecord.from_row(row)

    def job_dir(self, job_id: str) -> Path:
        return self.artifact_dir / "jobs" / job_id

    def delete_files(self, job_id: str) -> None:
        shutil.rmtree(self.job_dir(job_id), ignore_errors=True)

    # -- running ----------------------------------------------------------------
    def _work(self) -> None:
        while not self._stopping.is_set():
            job_id = self._queue.get()
            if job_id is None:
                return
            try:
                self._run(job_id)
            except Exception:  # a bug here must not kill the worker thread
                log.exception("job %s: runner error", job_id)

    def _claim(self, job_id: str) -> JobRow | None:
        with Session(self.engine) as session:
            claimed = session.execute(
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == JobStatus.QUEUED)
                .values(status=JobStatus.RUNNING, started_at=utcnow(), attempts=JobRow.attempts + 1, message=None)
            ).rowcount
            session.commit()
            return session.get(JobRow, job_id) if claimed else None

    def _run(self, job_id: str) -> None:
        row = self._claim(job_id)
        if row is None:
            return  # cancelled meanwhile, or another worker has it
        handler = self._handlers.get(row.kind)
        if handler is None:
            self._update(job_id, status=JobStatus.FAILED, error=_error("unknown_kind", f"no handler for {row.kind!r}"))
            return
        context = JobContext(
            job_id=job_id,
            params=row.params,
            artifact_dir=self.job_dir(job_id),
            pool=self.pool,
            settings=self.settings,
            report=lambda percent, message: self._update(job_id, progress=percent, message=message),
            is_cancelled=lambda: job_id in self._cancel_flags,
            is_stopping=self._stopping.is_set,
        )
        try:
            with tenant_scope(row.tenant):  # what the handler stores or submits belongs to the job's tenant
                result = handler(row.params, context)
        except JobCancelled:
            self._update(job_id, status=JobStatus.CANCELLED, message="cancelled while running")
        except JobInterrupted:
            self._update(job_id, status=JobStatus.QUEUED, message="server stopping; will resume")
        except Exception as exc:
            log.warning("job %s (%s) failed: %s", job_id, row.kind, exc)
            detail = _error(type(exc).__name__, str(exc) or type(exc).__name__)
            detail["trace"] = traceback.format_exc(limit=5)
            self._update(job_id, status=JobStatus.FAILED, error=detail)
        else:
            self._update(job_id, status=JobStatus.SUCCEEDED, progress=100.0, result=result)
        finally:
            with self._lock:
                self._cancel_flags.discard(job_id)

    def _update(self, job_id: str, **values: Any) -> None:
        with Session(self.engine) as session:
            row = session.get(JobRow, job_id)
            if row is None:
                return
            status = values.pop("status", None)
            for key, value in values.items():
                setattr(row, key, value)
            if status is not None:
                if JobStatus(status).finished:
                    self._finish(session, row, status)
                else:
                    row.status = status
            session.commit()

    @staticmethod
    def _finish(session: Session, row: JobRow, status: JobStatus, error: dict[str, Any] | None = None) -> None:
        row.status = status
        row.finished_at = utcnow()
        if error is not None:
            row.error = error


def _error(code: str, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}
