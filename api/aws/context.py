"""What an adapter gets for one AWS call: the gateway's settings, pool, database, jobs, and where it was reached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from api.jobs import JobService
from api.settings import Settings
from workers import ModelPool


@dataclass
class AwsContext:
    settings: Settings
    pool: ModelPool
    engine: Engine
    jobs: JobService
    base_url: str  # scheme://host[:port] as the client reached the gateway (for URLs we hand out)
    request_id: str
    state: Any  # the app's state (the bots' channels live there)
    region: str = "us-east-1"
    account: str = "000000000000"

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path
