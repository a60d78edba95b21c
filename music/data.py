"""The Bach chorales of music21's corpus as voice rolls: 4 voices x sixteenth steps, one pitch (or a rest) per cell.

A chorale becomes a ``Chorale``: ``pitches`` (4, T) int16 MIDI pitch, 0 for a rest; ``onsets`` (4, T) bool,
True where a note starts (so repeated notes stay apart); the bar length in sixteenths and the pickup (steps
before the first downbeat). Parsing the corpus takes minutes, so the parsed set is kept as one ``.npz`` of
about 100 kB, ``music/data/chorales.npz``, committed and rebuilt by ``python -m music.data``. The
train/valid/test split is by chorale and written down in ``music/data/split.json``.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

VOICES = ("Soprano", "Alto", "Tenor", "Bass")
PITCH_MIN, PITCH_MAX = 36, 81  # C2..A5: every note of the chorales kept
N_PITCH = PITCH_MAX - PITCH_MIN + 1
# Each voice's MIDI range in the chorales (soprano A3..A5, alto F3..D5, tenor C3..A4, bass C2..E4)
VOICE_RANGES = ((57, 81), (53, 74), (48, 69), (36, 64))
REST = N_PITCH  # class index of a rest in the models' one-hot rolls
N_CLASSES = N_PITCH + 1
STEPS_PER_QUARTER = 4
SPLIT_PATH = Path(__file__).resolve().parent / "data" / "split.json"
CORPUS_PATH = Path(__file__).resolve().parent / "data" / "chorales.npz"


@dataclass
class Chorale:
    name: str
    pitches: np.ndarray  # (4, T) int16, 0 = rest
    onsets: np.ndarray  # (4, T) bool
    steps_per_bar: int = 16
    pickup: int = 0  # steps before the first downbeat

    @property
    def steps(self) -> int:
        return int(self.pitches.shape[1])

    def classes(self) -> np.ndarray:
        """(4, T) class indices for the models: pitch - PITCH_MIN, or REST."""
        return np.where(self.pitches > 0, self.pitches.astype(np.int64) - PITCH_MIN, REST)

    def transposed(self, semitones: int) -> Chorale:
        shifted = np.where(self.pitches > 0, self.pitches + semitones, 0).astype(np.int16)
        return Chorale(self.name, shifted, self.onsets, self.steps_per_bar, self.pickup)

    def transpositions(self, low: int = -6, high: int = 5) -> list[int]:
        """Shifts in [low, high] that keep every note inside PITCH_MIN..PITCH_MAX."""
        sounding = self.pitches[self.pitches > 0]
        if sounding.size == 0:
            return [0]
        lo, hi = int(sounding.min()), int(sounding.max())
        return [s for s in range(low, high + 1) if lo + s >= PITCH_MIN and hi + s <= PITCH_MAX]


def _select_parts(score) -> list | None:  # noqa: ANN001 - a music21 Score
    """The four SATB parts: by name when the score names them, else a score of exactly four parts."""
    parts = list(score.parts)
    by_name = {}
    for part in parts:
        name = (part.partName or "").lower()
        for voice in VOICES:
            if voice.lower() in name and voice not in by_name:
                by_name[voice] = part
    if len(by_name) == 4:
        return [by_name[v] for v in VOICES]
    return parts if len(parts) == 4 else None


def chorale_from_score(score, name: str) -> Chorale | None:  # noqa: ANN001 - a music21 Score
    """Quantise a four-part score to sixteenths; None when it is not four voices or a note lies out of range."""
    parts = _select_parts(score)
    if parts is None:
        return None
    total = int(round(float(score.highestTime) * STEPS_PER_QUARTER))
    if total <= 0:
        return None
    pitches = np.zeros((4, total), dtype=np.int16)
    onsets = np.zeros((4, total), dtype=bool)
    for v, part in enumerate(parts):
        for element in part.stripTies().flatten().notes:
            if element.duration.quarterLength <= 0:
                continue  # grace notes
            pitch = max(p.midi for p in element.pitches) if element.isChord else element.pitch.midi
            if not PITCH_MIN <= pitch <= PITCH_MAX:
                return None
            start = int(round(float(element.offset) * STEPS_PER_QUARTER))
            end = int(round(float(element.offset + element.duration.quarterLength) * STEPS_PER_QUARTER))
            if end <= start or start >= total:
                continue
            pitches[v, start:end] = pitch
            onsets[v, start] = True
    steps_per_bar, pickup = 16, 0
    signatures = list(score.recurse().getElementsByClass("TimeSignature"))
    if signatures:
        steps_per_bar = int(round(signatures[0].barDuration.quarterLength * STEPS_PER_QUARTER))
    measures = list(parts[0].getElementsByClass("Measure"))
    if measures and measures[0].number == 0:
        pickup = int(round(float(measures[0].duration.quarterLength) * STEPS_PER_QUARTER)) % steps_per_bar
    return Chorale(name, pitches, onsets, steps_per_bar, pickup)


def corpus_names() -> list[str]:
    """The chorales of music21's corpus (Riemenschneider numbering), as corpus paths such as 'bach/bwv269'."""
    from music21 import corpus

    return sorted(set(corpus.chorales.Iterator(returnType="filename")))


def parse_chorale(name: str) -> Chorale | None:
    from music21 import corpus

    return chorale_from_score(corpus.parse(name), name)


def load_split() -> dict[str, list[str]]:
    return json.loads(SPLIT_PATH.read_text())


def make_split(names: list[str], seed: int = 0, valid: float = 0.1, test: float = 0.1) -> dict[str, list[str]]:
    shuffled = sorted(names)
    random.Random(seed).shuffle(shuffled)
    n_test, n_valid = round(len(shuffled) * test), round(len(shuffled) * valid)
    return {
        "seed": seed,  # type: ignore[dict-item]
        "test": sorted(shuffled[:n_test]),
        "valid": sorted(shuffled[n_test : n_test + n_valid]),
        "train": sorted(shuffled[n_test + n_valid :]),
    }


def _save(path: Path, chorales: list[Chorale]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(
        tmp,
        names=np.array([c.name for c in chorales]),
        lengths=np.array([c.steps for c in chorales], dtype=np.int64),
        pitches=np.concatenate([c.pitches for c in chorales], axis=1),
        onsets=np.concatenate([c.onsets for c in chorales], axis=1),
        steps_per_bar=np.array([c.steps_per_bar for c in chorales], dtype=np.int64),
        pickup=np.array([c.pickup for c in chorales], dtype=np.int64),
    )
    tmp.replace(path)


def _load(path: Path) -> list[Chorale]:
    with np.load(path) as npz:
        data = {k: npz[k] for k in npz.files}  # each npz[k] decompresses the whole array again
    out, start = [], 0
    for i, name in enumerate(data["names"]):
        end = start + int(data["lengths"][i])
        out.append(
            Chorale(
                str(name),
                data["pitches"][:, start:end],
                data["onsets"][:, start:end],
                int(data["steps_per_bar"][i]),
                int(data["pickup"][i]),
            )
        )
        start = end
    return out


def load_corpus(progress: bool = False, rebuild: bool = False) -> dict[str, Chorale]:
    """Every usable chorale by name, parsed once and kept in ``CORPUS_PATH``."""
    path = CORPUS_PATH
    if path.exists() and not rebuild:
        return {c.name: c for c in _load(path)}
    chorales = []
    names = corpus_names()
    for i, name in enumerate(names):
        chorale = parse_chorale(name)
        if chorale is not None:
            chorales.append(chorale)
        if progress and i % 25 == 0:
            print(f"parsed {i + 1}/{len(names)} chorales, kept {len(chorales)}", flush=True)
    _save(path, chorales)
    return {c.name: c for c in chorales}


def split_chorales(part: str) -> list[Chorale]:
    """The chorales of one part of the written split ('train', 'valid' or 'test') that parsed."""
    corpus = load_corpus()
    return [corpus[n] for n in load_split()[part] if n in corpus]


def crops(chorales: list[Chorale], length: int, rng: np.random.Generator, augment: bool = True) -> Iterator[np.ndarray]:
    """Endless random (4, length) class crops, transposed at random, for the training loops."""
    usable = [c for c in chorales if c.steps >= length]
    while True:
        chorale = usable[rng.integers(len(usable))]
        if augment:
            chorale = chorale.transposed(int(rng.choice(chorale.transpositions())))
        start = STEPS_PER_QUARTER * int(rng.integers((chorale.steps - length) // STEPS_PER_QUARTER + 1))
        yield chorale.classes()[:, start : start + length]


if __name__ == "__main__":
    chorales = load_corpus(progress=True, rebuild="--keep" not in sys.argv)
    print(f"{len(chorales)} chorales in {CORPUS_PATH}")
