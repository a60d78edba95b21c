"""Live sessions, and dropped ones kept for a short time so their client can resume them."""

from __future__ import annotations

import threading
import time

from asr.dictation.errors import DictationError
from asr.dictation.session import DictationSession

RETRY_FULL_S = 5.0  # a full server's hint: sessions last minutes, but one ends every few seconds under load


class SessionRegistry:
    def __init__(self, max_sessions: int, resume_window_s: float) -> None:
        self.max_sessions = max_sessions
        self.resume_window_s = resume_window_s
        self._attached: dict[str, DictationSession] = {}
        self._parked: dict[str, tuple[DictationSession, float]] = {}  # id -> (session, expires at)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._attached) + len(self._parked)

    def add(self, session: DictationSession) -> None:
        self.sweep()
        with self._lock:
            if len(self._attached) + len(self._parked) >= self.max_sessions:
                raise DictationError(
                    f"the server is at its limit of {self.max_sessions} dictation sessions; try again shortly",
                    code="too_many_sessions",
                    retry_after_s=RETRY_FULL_S,
                )
            self._attached[session.id] = session

    def park(self, session: DictationSession) -> None:
        """The connection dropped: keep the session (finals, audio so far) for the resume window."""
        with self._lock:
            self._attached.pop(session.id, None)
            if session.closed or self.resume_window_s <= 0:
                return
            self._parked[session.id] = (session, time.monotonic() + self.resume_window_s)

    def resume(self, session_id: str) -> DictationSession:
        self.sweep()
        with self._lock:
            if session_id in self._attached:
                raise DictationError("that session is still connected elsewhere", code="session_in_use")
            entry = self._parked.pop(session_id, None)
            if entry is None:
                raise DictationError(
                    f"no dictation session {session_id!r} to resume (unknown, or its "
                    f"{self.resume_window_s:.0f} s resume window has passed)",
                    code="session_not_found",
                )
            self._attached[session_id] = entry[0]
            return entry[0]

    def remove(self, session: DictationSession) -> None:
        with self._lock:
            self._attached.pop(session.id, None)
            self._parked.pop(session.id, None)
        session.close()

    def sweep(self) -> int:
        """Drop parked sessions whose window has passed; returns how many."""
        now = time.monotonic()
        with self._lock:
            expired = [sid for sid, (_s, until) in self._parked.items() if until <= now]
            sessions = [self._parked.pop(sid)[0] for sid in expired]
        for session in sessions:
            session.close()
        return len(sessions)
