"""Where replicas report their state, so the gateway can show replicas per node and reach every replica.

Serve routes a call to one replica of its choice; it offers no way to ask all of them. So each replica reports,
every `ray_report_interval_s`, its node, its lane and its EmbeddedPool's status to one board (a named Ray actor on
a cluster; a plain object in Serve's local testing mode). The board's answer carries commands for the replica
(unload a model), whose results come back with the next report. A replica that stops reporting (its node is
gone) drops out of the snapshot after three intervals.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

BOARD_NAME = "voxgate-board"
_LOCAL_BOARDS: dict[str, StatusBoard] = {}


class StatusBoard:
    def __init__(self, stale_after_s: float = 3.0) -> None:
        self.stale_after_s = stale_after_s
        self._reports: dict[str, tuple[float, dict[str, Any]]] = {}
        self._commands: list[tuple[int, str]] = []
        self._seq = itertools.count(time.time_ns() // 1000)  # still increasing after the board restarts
        self.local_replicas: list[Any] = []  # local testing mode only: the in-process replicas, to shut them down

    def report(self, replica_id: str, info: dict[str, Any]) -> list[tuple[int, str]]:
        self._reports[replica_id] = (time.monotonic(), info)
        seen = int(info.get("command_seq", 0))
        return [c for c in self._commands if c[0] > seen]

    def forget(self, replica_id: str) -> None:
        """A replica stopping (a redeploy replaced it, or the pool shut down) leaves at once."""
        self._reports.pop(replica_id, None)

    def snapshot(self) -> dict[str, dict[str, Any]]:
        now = time.monotonic()
        for rid in [r for r, (at, _) in self._reports.items() if now - at > self.stale_after_s]:
            del self._reports[rid]
        return {rid: info for rid, (_, info) in self._reports.items()}

    def request_unload(self, model_id: str) -> int:
        seq = next(self._seq)
        self._commands.append((seq, model_id))
        del self._commands[:-100]  # replicas that fell further behind just skip old commands
        return seq


def local_board(key: str) -> StatusBoard:
    return _LOCAL_BOARDS.setdefault(key, StatusBoard())


def drop_local_board(key: str) -> None:
    _LOCAL_BOARDS.pop(key, None)
