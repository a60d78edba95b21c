"""MarianMT / NLLB through CTranslate2 (int8 on CPU): a CTranslate2 directory, a transformers model
directory (converted once, cached), or a hub id already in the local Hugging Face cache (never downloaded
at run time). The translator and its tokenizer are one pool model."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path

from nlp.translate.base import register_engine
from nlp.translate.errors import TranslationError
from nlp.translate.models import TextFormat
from workers import ModelPool, ModelSpec, ct2_cpu_threads

# NLLB's FLORES-200 codes for the ISO 639-1 codes we expose.
NLLB_CODES = {
    "en": "eng_Latn", "es": "spa_Latn", "ca": "cat_Latn", "gl": "glg_Latn", "pt": "por_Latn", "fr": "fra_Latn",
    "eu": "eus_Latn", "de": "deu_Latn", "it": "ita_Latn", "nl": "nld_Latn", "ro": "ron_Latn", "ru": "rus_Cyrl",
    "zh": "zho_Hans", "ja": "jpn_Jpan", "ko": "kor_Hang", "ar": "arb_Arab", "pl": "pol_Latn", "sv": "swe_Latn",
}  # fmt: skip
BEAM_SIZE = 2
MAX_DECODING_LENGTH = 256  # under Marian's 512 positions
DEFAULT_CACHE = Path.home() / ".cache" / "voxgate" / "ct2"


def _local_dir(model: str) -> Path:
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True))
    except Exception as exc:  # noqa: BLE001 - any miss means "not available offline"
        raise TranslationError(
            f"model {model!r} is neither a directory nor in the local Hugging Face cache "
            "(models are never downloaded at run time)",
            code="model_not_found",
            param="model",
        ) from exc


def resolve(model: str, cache_dir: str | Path | None = None) -> Path:
    """A CTranslate2 model directory with the tokenizer files next to model.bin (converting when needed)."""
    source = _local_dir(model)
    if (source / "model.bin").exists():
        return source
    if not (source / "config.json").exists():
        raise TranslationError(f"{source} has neither model.bin nor config.json", code="model_not_found", param="model")
    digest = hashlib.sha1(str(source.resolve()).encode()).hexdigest()[:10]
    target = Path(cache_dir or DEFAULT_CACHE) / f"{source.name}-{digest}-int8"
    if not (target / "model.bin").exists():
        import ctranslate2

        target.parent.mkdir(parents=True, exist_ok=True)
        files = [f.name for f in source.iterdir() if f.suffix in (".json", ".spm", ".model", ".txt") and f.is_file()]
        files = [f for f in files if f not in ("config.json", "generation_config.json")]
        ctranslate2.converters.TransformersConverter(str(source), copy_files=files).convert(
            str(target), quantization="int8", force=True
        )
    return target


def _pair_of(path: Path) -> tuple[str, str] | None:
    """A Marian model's pair, from its tokenizer config or an opus-mt-xx-yy name."""
    config = path / "tokenizer_config.json"
    if config.exists():
        data = json.loads(config.read_text())
        if data.get("source_lang") and data.get("target_lang"):
            return str(data["source_lang"])[:2], str(data["target_lang"])[:2]
    match = re.search(r"opus-mt-([a-z]{2})-([a-z]{2})", str(path))
    return (match.group(1), match.group(2)) if match else None


def _is_nllb(path: Path) -> bool:
    config = path / "config.json"
    text = config.read_text() if config.exists() else ""
    return "m2m_100" in text or "nllb" in str(path).lower()


class Ct2Model:
    def __init__(self, path: Path, device: str) -> None:
        import ctranslate2
        from transformers import AutoTokenizer

        kind = "cuda" if device.startswith("cuda") else "cpu"
        index = int(device.split(":")[1]) if ":" in device else 0
        self.translator = ctranslate2.Translator(
            str(path),
            device=kind,
            device_index=index,
            compute_type="int8" if kind == "cpu" else "int8_float16",
            intra_threads=ct2_cpu_threads(0) if kind == "cpu" else 0,
        )
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.nllb = _is_nllb(path)

    def translate(self, texts: list[str], source: str, target: str) -> list[str]:
        if self.nllb:
            self.tokenizer.src_lang = NLLB_CODES[source]
        batches = [self.tokenizer.convert_ids_to_tokens(self.tokenizer.encode(t)) for t in texts]
        prefix = [[NLLB_CODES[target]]] * len(texts) if self.nllb else None
        results = self.translator.translate_batch(
            batches, target_prefix=prefix, beam_size=BEAM_SIZE, max_decoding_length=MAX_DECODING_LENGTH
        )
        return [
            self.tokenizer.decode(self.tokenizer.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True)
            for r in results
        ]


@cache
def ct2_spec(path: str) -> ModelSpec:
    size_mb = (Path(path) / "model.bin").stat().st_size // (1024 * 1024)
    return ModelSpec(
        id=f"ct2:{path}",
        loader=lambda device: Ct2Model(Path(path), device),
        memory_mb=max(50, int(size_mb * 1.5) + 50),
        device="auto",
        labels={"module": "nlp", "engine": "ctranslate2"},
    )


def _run(model: Ct2Model, texts: list[str], source: str, target: str) -> list[str]:
    return model.translate(texts, source, target)


class Ct2Engine:
    name = "ctranslate2"

    def __init__(self, model: str | None = None, cache_dir: str | None = None) -> None:
        if not model:
            raise TranslationError("engine ctranslate2 needs a model (a directory or a cached hub id)", param="model")
        self.path = resolve(model, cache_dir)
        self.nllb = _is_nllb(self.path)

    def pairs(self) -> set[tuple[str, str]]:
        if self.nllb:
            return {(s, t) for s in NLLB_CODES for t in NLLB_CODES if s != t}
        pair = _pair_of(self.path)
        if pair is None:
            raise TranslationError(
                f"cannot tell the language pair of {self.path}: set source_lang/target_lang in tokenizer_config.json",
                param="model",
            )
        return {pair}

    def translate(
        self, texts: list[str], source: str, target: str, fmt: TextFormat, pool: ModelPool, priority: int
    ) -> list[str]:
        if fmt == "html":
            raise TranslationError("format=html is supported by the apertium engine only", param="format")
        return pool.run(ct2_spec(str(self.path)), _run, texts, source, target, priority=priority)


register_engine("ctranslate2", Ct2Engine)
