"""ASR configuration from VOXGATE_* environment variables (VOXGATE_MODEL_DIR is shared with the gateway)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class AsrSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXGATE_ASR_", extra="ignore", populate_by_name=True)

    model_dir: Path = Field(
        default=REPO_ROOT / "models", validation_alias=AliasChoices("VOXGATE_MODEL_DIR", "VOXGATE_ASR_MODEL_DIR")
    )
    default_model: str = "base"
    # Extra ids callers may name: id -> CTranslate2 Whisper directory or hub id (JSON in the env var).
    models: dict[str, str] = Field(default_factory=dict)
    cpu_compute_type: str = "int8"
    cuda_compute_type: str = "float16"
    # CTranslate2's own default (4 threads) oversubscribes small machines: on 2 cores, 2 threads decoded 2-3x faster.
    cpu_threads: int = Field(
        default_factory=lambda: min(4, os.cpu_count() or 1), ge=0, description="CTranslate2 threads per call on CPU"
    )
    beam_size: int = Field(default=5, ge=1)
    # Batch-priority work uses its own model instance whose threads run at this nice value (0 shares one instance).
    batch_cpu_nice: int = Field(default=10, ge=0, le=19)
    # Longest audio answered synchronously on /v1/audio/*; beyond it the caller must use a job.
    sync_max_seconds: float = Field(default=1800.0, gt=0)
    # Medical requests longer than this become jobs (202) instead of holding the connection.
    medical_sync_max_seconds: float = Field(default=120.0, gt=0)
    job_max_seconds: float = Field(default=4 * 3600.0, gt=0)
