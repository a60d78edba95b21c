"""Gateway settings, from VOXGATE_* environment variables (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from workers import PoolSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXGATE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'voxgate.db'}"
    artifact_dir: Path = REPO_ROOT / "var" / "artifacts"
    model_dir: Path = REPO_ROOT / "models"
    data_dir: Path = REPO_ROOT.parent / "shared" / "data"

    # API keys: empty means no authentication (the default on localhost).
    api_keys: list[str] = Field(default_factory=list)
    # Requests a minute per API key (per client address when keys are off); 0 turns limits off.
    rate_limit_per_minute: int = Field(default=0, ge=0)

    # Request body limits, checked before the body is read whole.
    max_body_mb: float = 10
    max_audio_mb: float = 200
    max_document_mb: float = 50

    # Chatbots: the gateway runs the Rasa servers as managed sidecar processes unless this is off.
    bots_sidecars: bool = True
    # Per bot: API keys a widget must present (a bot without keys follows the gateway's keys), allowed
    # browser origins (default any), a Rasa server run elsewhere instead of a sidecar. JSON in the environment.
    bot_api_keys: dict[str, list[str]] = Field(default_factory=dict)
    bot_cors_origins: dict[str, list[str]] = Field(default_factory=dict)
    bots_urls: dict[str, str] = Field(default_factory=dict)
    bots_run_dir: Path | None = Field(default=None, description="sidecar logs and state; default beside artifacts")

    # Call analytics: server-side folders an admin allows batch jobs to read; calls analysed at once per job.
    calls_allowed_roots: list[Path] = Field(default_factory=list)
    calls_parallel: int = Field(default=2, ge=1)
    calls_max_seconds: float = Field(default=3600, gt=0)

    job_workers: int = Field(default=1, ge=0, description="jobs run at once; 0 leaves jobs queued")
    modules: list[str] | None = Field(default=None, description="mount only these modules (default: all installed)")

    def body_limits(self) -> list[tuple[str, int]]:
        """(path prefix, bytes) pairs, most specific first; the first match applies."""
        audio = int(self.max_audio_mb * MB)
        documents = int(self.max_document_mb * MB)
        return [
            ("/v1/audio/", audio),
            ("/v1/medical/", audio),
            ("/v1/calls/", audio),
            ("/v1/ocr", documents),
            ("/", int(self.max_body_mb * MB)),
        ]

    def pool_settings(self) -> PoolSettings:
        return PoolSettings()
