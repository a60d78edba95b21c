"""Storage faults: the database or artifact folder read-only, or the disk full.

Both show up deep inside SQLite or a file write; `storage_problem` recognises them so the gateway answers a clear
503 naming the reason (and the folder), rather than a 500, and callers know to retry once an operator has acted.
"""

from __future__ import annotations

import errno

from sqlalchemy.exc import OperationalError

# errno -> (error code, what happened)
_OS_ERRORS = {
    errno.ENOSPC: ("storage_full", "no space left on the device"),
    errno.EDQUOT: ("storage_full", "disk quota exceeded"),
    errno.EROFS: ("storage_read_only", "the file system is read-only"),
    errno.EACCES: ("storage_read_only", "permission denied writing"),
    errno.EPERM: ("storage_read_only", "operation not permitted writing"),
}

# SQLite's own messages for the same conditions (sqlite3.OperationalError inside SQLAlchemy's wrapper).
_SQLITE_ERRORS = (
    ("database or disk is full", ("storage_full", "the database's disk is full")),
    ("readonly database", ("storage_read_only", "the database is read-only")),
    ("unable to open database file", ("storage_read_only", "the database file cannot be opened for writing")),
    ("disk i/o error", ("storage_io_error", "the database's disk reported an I/O error")),
)

RETRY_AFTER_S = 30  # storage faults need an operator; clients should back off longer than for load


def storage_problem(exc: BaseException) -> tuple[str, str] | None:
    """(code, message) when `exc` is a storage fault, else None."""
    if isinstance(exc, OperationalError):
        text = str(exc.orig if exc.orig is not None else exc).lower()
        for needle, (code, message) in _SQLITE_ERRORS:
            if needle in text:
                return code, f"{message} ({exc.orig}); the job was not accepted and no job was changed"
        return None
    if isinstance(exc, OSError) and exc.errno in _OS_ERRORS:
        code, message = _OS_ERRORS[exc.errno]
        where = f" at {exc.filename}" if exc.filename else ""
        return code, f"{message}{where}; nothing was stored for this request"
    return None
