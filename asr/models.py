"""Which Whisper model a name means, and the ModelSpec the pool loads it from."""

from __future__ import annotations

import functools
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from asr.config import AsrSettings
from asr.errors import AsrError, UnknownModelError
from workers import ModelSpec, cpu_int8_is_exact, ct2_cpu_threads

BUILTIN = ("base", "tiny.en")
DEFAULT_ALIASES = ("whisper-1",)  # the OpenAI model name means "our default"
_MULTILINGUAL_VOCAB = 51865  # English-only Whisper vocabularies have one token fewer
_SAFE_NAME = re.compile(r"^(?!.*\.\.)[\w.-]+$")  # a plain directory name, no traversal
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")
# faster-whisper's own short names, which it resolves to Systran hub repositories.
_FASTER_WHISPER_SIZES = {
    "tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
    "large-v1", "large-v2", "large-v3", "large", "distil-large-v2", "distil-large-v3",
    "distil-medium.en", "distil-small.en", "large-v3-turbo", "turbo",
}  # fmt: skip


class ModelNotInstalledError(AsrError):
    """A built-in model's files are missing: a set-up problem, not a caller's mistake."""

    code = "model_not_installed"
    param = "model"


@dataclass(frozen=True)
class WhisperLoader:
    """Picklable, comparable loader: equal specs for equal models, whoever builds them."""

    target: str
    cpu_compute_type: str = "int8"
    cuda_compute_type: str = "float16"
    cpu_threads: int = 0  # all workers together; 0: CTranslate2's default
    cpu_encoder_compute_type: str | None = None  # None: the encoder as the rest (cpu_compute_type)
    cpu_workers: int = 1  # 0: one per thread

    @property
    def separate_encoder(self) -> bool:
        """Whether a second copy of the weights encodes on CPU (an encoder type other than the decoder's)."""
        return bool(self.cpu_encoder_compute_type) and self.cpu_encoder_compute_type != self.cpu_compute_type

    def cpu_layout(self) -> tuple[int, int]:
        """(workers, threads per worker) on CPU: the thread budget shared by the workers, at least one each."""
        threads = ct2_cpu_threads(self.cpu_threads)
        workers = self.cpu_workers or max(1, threads)
        return workers, max(1, threads // workers) if threads else 0

    def __call__(self, device: str):
        from faster_whisper import WhisperModel

        from asr.engines.windows import WindowedWhisperModel  # plain faster-whisper unless a call sets its hooks
        from asr.tokenizer_repair import repair_loaded

        if device.startswith("cuda"):
            index = int(device.split(":")[1]) if ":" in device else 0
            model = WindowedWhisperModel(self.target, device="cuda", device_index=index,
                                         compute_type=self.cuda_compute_type)  # fmt: skip
        else:
            workers, threads = self.cpu_layout()
            model = WindowedWhisperModel(self.target, device="cpu", compute_type=self.cpu_compute_type,
                                         cpu_threads=threads, num_workers=workers)  # fmt: skip
            if self.separate_encoder:
                # The encoder from a second copy of the weights in its own compute type (faster-whisper encodes
                # every window through WhisperModel.encode, and CTranslate2's decoder takes any encoder's output).
                # Alone on a 2-core AVX2 machine both encode a window in the same time
                # (bench/results/asr_speed_probe.txt): int8's speed is in the beam search.
                model.encoder_model = WhisperModel(self.target, device="cpu",
                                                   compute_type=self.cpu_encoder_compute_type,
                                                   cpu_threads=threads, num_workers=workers)  # fmt: skip
        # A model directory not installed by scripts/install_models.py (which repairs the file) may carry a
        # tokenizer that lost merges: every prompt and scored text would be encoded in unnatural pieces.
        model.hf_tokenizer = repair_loaded(model.hf_tokenizer)
        return model


@dataclass(frozen=True)
class ResolvedModel:
    id: str  # the name answers report
    target: str  # directory or hub id handed to faster-whisper

    @property
    def multilingual(self) -> bool:
        """Known before loading, so an English-only model rejects `language=fr` without queueing."""
        size = _vocabulary_size(self.target)
        return size >= _MULTILINGUAL_VOCAB if size else not self.target.endswith(".en")

    def spec(self, settings: AsrSettings, background: bool = False, long_form: bool = False) -> ModelSpec:
        """The pool spec; `background` is a second instance for batch work whose CTranslate2 threads run
        niced, so a long job cannot starve live dictation of the CPU (priority alone orders only the queue).
        `long_form`: a recording, which a model of `cpu_float32_models` decodes on its own float32 instance."""
        float32 = long_form and self.id in settings.cpu_float32_models
        if float32:  # one float32 worker with every thread (AsrSettings.cpu_float32_models)
            loader = WhisperLoader(self.target, "float32", settings.cuda_compute_type, settings.cpu_threads, None, 1)
        else:
            loader = WhisperLoader(
                self.target, cpu_compute_type(settings), settings.cuda_compute_type, settings.cpu_threads,
                settings.cpu_encoder_compute_type, settings.cpu_workers,
            )  # fmt: skip
        return ModelSpec(
            id=f"whisper:{self.id}" + ("@float32" if float32 else "") + ("@batch" if background else ""),
            loader=loader,
            memory_mb=_memory_estimate_mb(self.target, loader.cpu_layout()[0], loader.separate_encoder),
            cpu_nice=settings.batch_cpu_nice if background else 0,
            labels={"module": "asr", "engine": "faster-whisper", "target": self.target},
        )


def cpu_compute_type(settings: AsrSettings) -> str:
    """The decoder's compute type on CPU: the configured one, "auto" resolved for this CPU (AsrSettings)."""
    if settings.cpu_compute_type != "auto":
        return settings.cpu_compute_type
    return "int8" if cpu_int8_is_exact() else "float32"


@functools.cache
def _vocabulary_size(target: str) -> int:
    vocabulary = Path(target, "vocabulary.txt")
    if not vocabulary.is_file():
        return 0
    with vocabulary.open("rb") as f:
        return sum(1 for _ in f)


def _memory_estimate_mb(target: str, cpu_workers: int = 1, separate_encoder: bool = False) -> int:
    weights = Path(target, "model.bin")
    # int8 weights plus the decoder's working memory; measured ~1.5x the float16 file on CPU. Each further worker
    # shares the weights but holds its own buffers: ~80-115 MB for base's 145 MB file (bench/results/asr_workers.txt).
    # A separate encoder is a second copy of all the weights, in float32 twice the float16 file (base: +390 MB peak).
    size_mb = weights.stat().st_size / 2**20 if weights.is_file() else 1500
    return int(max(size_mb * (1.5 + 0.8 * (max(1, cpu_workers) - 1) + (2.0 if separate_encoder else 0.0)), 200))


def _is_model_dir(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


INSTALL_STAMP = ".voxgate-installed.json"  # written by scripts/install_models.py: the file's size and sha256


@functools.lru_cache(maxsize=16)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:  # keyed on size and mtime: a changed file is re-read
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_model(name: str | None = None, settings: AsrSettings | None = None) -> str | None:
    """Why model `name` (default: the settings' default) cannot be loaded, or None when its files are whole:
    model.bin and config.json present, config.json valid JSON, and model.bin of the size and sha256 that the
    installer recorded (when it recorded them). Reads the file once per change (about 0.3 s for `base`)."""
    settings = settings or AsrSettings()
    name = name or settings.default_model
    if name in settings.models:
        return None  # a configured path or hub id: loaded as given, nothing recorded to compare
    folder = settings.model_dir / "whisper" / name
    for required in ("model.bin", "config.json"):
        if not (folder / required).is_file():
            return f"whisper model {name!r}: {required} missing in {folder}"
    try:
        json.loads((folder / "config.json").read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        return f"whisper model {name!r}: config.json is not valid JSON ({exc})"
    stamp = folder / INSTALL_STAMP
    if not stamp.is_file():
        return None
    try:
        recorded = json.loads(stamp.read_text())
    except ValueError:
        return None
    model = folder / "model.bin"
    stat = model.stat()
    if "size" in recorded and stat.st_size != recorded["size"]:
        return f"whisper model {name!r}: model.bin is {stat.st_size} bytes, {recorded['size']} were installed (corrupt)"
    if "sha256" in recorded and _sha256(model, stat.st_size, stat.st_mtime_ns) != recorded["sha256"]:
        return f"whisper model {name!r}: model.bin does not match the sha256 recorded at install (corrupt)"
    return None


def available_models(settings: AsrSettings | None = None) -> list[str]:
    """Ids an API caller may name: installed built-ins, configured ids, and the OpenAI alias."""
    settings = settings or AsrSettings()
    installed = [n for n in BUILTIN if _is_model_dir(settings.model_dir / "whisper" / n)]
    return [*DEFAULT_ALIASES, *installed, *sorted(settings.models)]


def resolve_model(
    name: str | None, settings: AsrSettings | None = None, *, allow_passthrough: bool = True
) -> ResolvedModel:
    """Map a model name to files. `allow_passthrough=False` (the HTTP API) accepts only known ids,
    so a request can never make the server read an arbitrary path or download from a hub."""
    settings = settings or AsrSettings()
    name = (name or "").strip() or settings.default_model
    if name in DEFAULT_ALIASES:
        name = settings.default_model
    if name in settings.models:
        return ResolvedModel(name, settings.models[name])
    local = settings.model_dir / "whisper" / name
    if _SAFE_NAME.match(name) and _is_model_dir(local):
        return ResolvedModel(name, str(local))
    if name in BUILTIN:
        raise ModelNotInstalledError(
            f"model {name!r} is not installed in {settings.model_dir}; run `make` or scripts/install_models.py"
        )
    if allow_passthrough:
        path = Path(name).expanduser()
        if _is_model_dir(path):
            return ResolvedModel(path.name, str(path))
        if name in _FASTER_WHISPER_SIZES or _HUB_ID.match(name):
            return ResolvedModel(name, name)
    choices = ", ".join(available_models(settings))
    raise UnknownModelError(f"unknown model {name!r}; available: {choices}")
