"""The settings tree: one root `Settings` read from VOXGATE_* variables (pydantic-settings), with a nested
section per module. Sections keep their own variable prefixes (VOXGATE_ASR_*, VOXGATE_BOTS_*, ...), so each
variable's name is the same as before the tree; this file is the only place the gateway reads them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.tenancy import key_tenants
from asr.config import AsrSettings, DictationSettings
from bots.sessions import DEFAULT_SESSION_TURNS
from workers import PoolSettings

REPO_ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


class BotsSettings(BaseSettings):
    """Chatbots: the Rasa servers run as managed sidecars unless `sidecars` is off."""

    model_config = SettingsConfigDict(env_prefix="VOXGATE_BOTS_", extra="ignore", populate_by_name=True)

    sidecars: bool = True
    # Per bot: API keys a widget must present (a bot without keys follows the gateway's keys), allowed
    # browser origins (default any), a Rasa server run elsewhere instead of a sidecar. JSON in the environment.
    api_keys: dict[str, list[str]] = Field(default_factory=dict, validation_alias=AliasChoices("VOXGATE_BOT_API_KEYS"))
    cors_origins: dict[str, list[str]] = Field(
        default_factory=dict, validation_alias=AliasChoices("VOXGATE_BOT_CORS_ORIGINS")
    )
    urls: dict[str, str] = Field(default_factory=dict)
    run_dir: Path | None = Field(default=None, description="sidecar logs and state; default beside artifacts")
    rasa_venv: Path = Field(default=REPO_ROOT / ".venv-rasa", validation_alias=AliasChoices("VOXGATE_RASA_VENV"))
    demo_orders: bool = Field(default=False, description="seed the contact-centre bot's demo orders")
    session_turns: int = Field(
        default=DEFAULT_SESSION_TURNS,
        ge=0,
        description="turns after which a conversation moves to a new Rasa session (0: never)",
    )


class VoiceBotsSettings(BaseSettings):
    """Voice conversations with the bots (api/compose/voicebots.py): per-bot profile overrides and the limits of a
    turn. A bot's own profile is bots/projects/<bot>/voice.json; VOXGATE_VOICE_PROFILES='{"clinic": {...}}' wins."""

    model_config = SettingsConfigDict(env_prefix="VOXGATE_VOICE_", extra="ignore")

    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict, description="bot -> VoiceProfile fields")
    beam_size: int = Field(default=1, ge=1, le=10, description="ASR beam for user turns (1: greedy, fastest)")
    max_utterance_s: float = Field(default=60.0, gt=0, description="longest audio POST /utterance takes")
    max_turn_s: float = Field(default=25.0, gt=1, le=27, description="longest speech without a pause on the socket")
    silence_timeout_s: float = Field(default=30.0, gt=0, description="audio without speech that ends a socket")
    barge_in_s: float = Field(default=0.3, gt=0, description="speech that interrupts the bot while it talks")
    max_sessions: int = Field(default=8, ge=1, description="voice sockets at once")
    max_speed: float = Field(default=3.0, gt=0, description="audio may arrive this many times faster than real time")
    burst_s: float = Field(default=10.0, ge=0, description="... after a head start of this many seconds")
    idle_timeout_s: float = Field(default=120.0, gt=0, description="no message this long closes the socket (a "
                                  "push-to-talk client sends `ping` between turns)")  # fmt: skip
    prewarm: bool = Field(default=True, description="speak the bots' fixed replies into the cache at start-up")
    max_text_messages_per_s: float = Field(default=20.0, gt=0, description="control messages a second (flood)")


class CallsSettings(BaseSettings):
    """Call analytics: server-side folders an admin allows batch jobs to read; calls analysed at once per job."""

    model_config = SettingsConfigDict(env_prefix="VOXGATE_CALLS_", extra="ignore")

    allowed_roots: list[Path] = Field(default_factory=list)
    parallel: int = Field(default=2, ge=1)
    max_seconds: float = Field(default=3600, gt=0)


class TtsSettings(BaseSettings):
    """Speech synthesis: where coqui-tts's own venv is (made by `make coqui` when a coqui checkpoint is used)."""

    model_config = SettingsConfigDict(env_prefix="VOXGATE_TTS_", extra="ignore", populate_by_name=True)

    coqui_venv: Path = Field(default=REPO_ROOT / ".venv-coqui", validation_alias=AliasChoices("VOXGATE_COQUI_VENV"))


class OcrSettings(BaseSettings):
    """OCR: whether receipts are read a second time by RapidOCR and the readings fused (ocr.analyze_expense), when a
    request does not say; off trades fields read right for a fifth of the CPU per receipt."""

    model_config = SettingsConfigDict(env_prefix="VOXGATE_OCR_", extra="ignore")

    second_reading: bool = True


class AwsSettings(BaseSettings):
    """AWS SDK compatibility (/aws): access keys (JSON {access key id: secret}; empty: unsigned requests, served
    only while the gateway has no API keys), the clock skew a signature may have, Transcribe's media sources
    (server folders it may read, an S3-compatible endpoint for s3:// URIs), and Lex bot ids -> voxgate bots."""

    model_config = SettingsConfigDict(env_prefix="VOXGATE_AWS_", extra="ignore")

    credentials: dict[str, str] = Field(default_factory=dict)
    max_clock_skew_s: int = Field(default=900, ge=1)
    media_roots: list[Path] = Field(default_factory=list)
    s3_endpoint_url: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    lex_bots: dict[str, str] = Field(default_factory=dict, description="Lex botId -> bot name; default: the same")
    tenants: dict[str, str] = Field(default_factory=dict, description="access key id -> tenant; default: default")

    @property
    def max_clock_skew(self) -> timedelta:
        return timedelta(seconds=self.max_clock_skew_s)


# Routes whose answer a person waits for in a chat or a form, or while dictating, are given a shorter wait than the
# pool's default (transcription, OCR, speech): their own work is a fraction of a second, so a long queue is most of
# their latency; with the queue run earliest deadline first, a shorter budget also means served sooner.
DEFAULT_WAIT_BUDGETS: dict[str, float] = {
    "/v1/medical/dictation": 0.5,  # each chunk of a live dictation: a clinician waits for its final
    "/v1/sentiment": 0.5,
    "/v1/embeddings": 0.5,
    "/translate": 0.5,
    "/detect": 0.5,
    "/v1/translate": 0.5,
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VOXGATE_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'voxgate.db'}"
    artifact_dir: Path = REPO_ROOT / "var" / "artifacts"
    # Model files of every module (whisper/, piper/, ct2/, coqui/ ...); handed to the sections below.
    model_dir: Path = REPO_ROOT / "models"
    data_dir: Path = REPO_ROOT.parent / "shared" / "data"

    # API keys: empty means no authentication (the default on localhost). Entries `tenant:key`, or `key` for the
    # tenant "default" (api/tenancy.py). /metrics needs a key too unless metrics_public.
    api_keys: list[str] = Field(default_factory=list)
    metrics_public: bool = False
    # Requests a minute per API key (per client address when keys are off); 0 turns limits off.
    rate_limit_per_minute: int = Field(default=0, ge=0)

    # Request body limits, checked before the body is read whole.
    max_body_mb: float = 10
    max_audio_mb: float = 200
    max_document_mb: float = 50
    # Slow bodies (slowloris): a body with no bytes for this long, or slower than the rate on average after it, 408.
    body_read_timeout_s: float = Field(default=30.0, gt=0)
    body_min_bytes_per_s: float = Field(default=1024.0, ge=0)
    # Largest WebSocket message the server reads (uvicorn's ws_max_size): far-over frames close with 1009.
    max_ws_message_mb: float = Field(default=8.0, gt=0)
    # Request headers: more than this many, or more bytes in all, 431.
    max_headers: int = Field(default=100, ge=10)
    max_header_kb: float = Field(default=64.0, gt=1)

    job_workers: int = Field(default=1, ge=0, description="jobs run at once; 0 leaves jobs queued")
    # Load shedding (api/shedding.py): past these the gateway answers 503 with Retry-After; 0 turns one off.
    max_inflight_requests: int = Field(default=64, ge=0, description="HTTP requests handled at once")
    max_queued_jobs: int = Field(default=500, ge=0, description="jobs waiting to run")
    wait_budgets: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_WAIT_BUDGETS),
        description="path prefix -> longest estimated model-queue wait a request there is admitted with "
        "(503 pool_busy past it); other paths use VOXGATE_MAX_ESTIMATED_WAIT_S",
    )
    modules: list[str] | None = Field(default=None, description="mount only these modules (default: all installed)")

    # Per-module sections. ("workers", not "pool": VOXGATE_POOL is the pool's backend choice.)
    workers: PoolSettings = Field(default_factory=PoolSettings)
    asr: AsrSettings = Field(default_factory=AsrSettings)
    dictation: DictationSettings = Field(default_factory=DictationSettings)
    tts: TtsSettings = Field(default_factory=TtsSettings)
    ocr: OcrSettings = Field(default_factory=OcrSettings)
    bots: BotsSettings = Field(default_factory=BotsSettings)
    calls: CallsSettings = Field(default_factory=CallsSettings)
    aws: AwsSettings = Field(default_factory=AwsSettings)
    voice: VoiceBotsSettings = Field(default_factory=VoiceBotsSettings)

    @field_validator("api_keys")
    @classmethod
    def _keys_parse(cls, keys: list[str]) -> list[str]:
        key_tenants(keys)  # a malformed `tenant:key` entry fails at start-up, naming the problem
        return keys

    @model_validator(mode="after")
    def _share_model_dir(self) -> Settings:
        # VOXGATE_MODEL_DIR is read here only; a section's own model_dir wins when it was set explicitly.
        if "model_dir" not in self.asr.model_fields_set:
            self.asr = self.asr.model_copy(update={"model_dir": self.model_dir})
        return self

    def body_limits(self, prefixes: dict[str, str]) -> list[tuple[str, int]]:
        """(path prefix, bytes) pairs, longest prefix first, then the default for every other route.
        `prefixes` maps a path prefix to the kind of limit ("audio" or "document") the modules declared."""
        sizes = {"audio": self.max_audio_mb, "document": self.max_document_mb}
        limits = [(prefix, int(sizes[kind] * MB)) for prefix, kind in prefixes.items()]
        limits.sort(key=lambda limit: len(limit[0]), reverse=True)
        return [*limits, ("/", int(self.max_body_mb * MB))]
