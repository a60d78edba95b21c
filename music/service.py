"""The public calls: ``accompany``, ``enhance``, ``extend``. Models are loaded by the shared pool.

Every call takes a melody (a ``Piece``, MIDI bytes, or a JSON note list already read with
``music.read_notes``) and returns a ``MusicResult``: the piece (one voice per track), metrics and timing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from music.data import REST, VOICES
from music.metrics import music_metrics, parallels
from music.midi import fit_melody, piece_json, read_midi, transpose, write_midi
from music.piece import MusicError, Note, Piece, classes_to_pitches, notes_from_roll, pitches_to_classes
from workers import ModelPool, ModelSpec, Priority, default_pool

Progress = Callable[[int, int], None]
ACCOMPANY_MODELS = ("arcnn", "gan")
MODEL_MEMORY_MB = {"arcnn": 40, "gan": 60, "transformer": 80}


@dataclass
class MusicResult:
    piece: Piece
    model: str
    seconds: float
    metrics: dict[str, Any] = field(default_factory=dict)

    def midi(self) -> bytes:
        return write_midi(self.piece)

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "seconds": round(self.seconds, 3),
            "metrics": self.metrics,
            **piece_json(self.piece),
        }


def _load(name: str, device: str) -> Any:
    if name == "arcnn":
        from music.arcnn import load_arcnn

        return load_arcnn()
    if name == "gan":
        from music.gan import load_gan

        return load_gan()
    from music.transformer import load_transformer

    return load_transformer()


@cache
def model_spec(name: str) -> ModelSpec:
    """The pool's spec of a music model (small CPU models; a GPU would not pay for its transfers)."""

    def loader(device: str) -> Any:
        return _load(name, device)

    return ModelSpec(
        id=f"music-{name}",
        loader=loader,
        memory_mb=MODEL_MEMORY_MB[name],
        device="cpu",
        labels={"module": "music", "task": "transformer" if name == "transformer" else "accompaniment"},
    )


def as_piece(melody: Piece | bytes) -> Piece:
    return read_midi(melody) if isinstance(melody, bytes | bytearray) else melody


def _melody(piece: Piece) -> tuple[Piece, list[Note], int]:
    if not piece.voices or not piece.voices[0]:
        raise MusicError("the melody has no notes", code="empty_midi")
    notes, shift = fit_melody(piece.voices[0])
    return piece, notes, shift


def _steps(notes: list[Note], multiple: int) -> int:
    end = max(n.end for n in notes)
    return -(-end // multiple) * multiple


def _beats_with_onset(melody: list[Note], steps: int, piece: Piece) -> np.ndarray:
    """Steps where the lower voices re-strike a held pitch: the beats on which the melody starts a note.

    A roll cannot tell a held note from a repeated one; chorales move in quarter notes with the melody, so a
    voice that keeps its pitch across such a beat sings it again (as Bach's voices mostly do).
    """
    lead = (piece.steps_per_bar - piece.pickup) % piece.steps_per_bar if piece.pickup else 0
    marks = np.zeros(steps, dtype=bool)
    for n in melody:
        if (n.start + lead) % 4 == 0 and n.start < steps:
            marks[n.start] = True
    return marks


def _result_metrics(piece: Piece) -> dict[str, Any]:
    return {**music_metrics(piece), **parallels(piece)}


def _accompany_arcnn(model: Any, soprano: np.ndarray, options: dict[str, Any], progress: Progress | None) -> Any:
    from music.arcnn import gibbs, repair_parallels, voice_ranges

    classes = np.full((4, len(soprano)), REST, dtype=np.int64)
    classes[0] = pitches_to_classes(soprano)
    fixed = np.zeros_like(classes, dtype=bool)
    fixed[0] = True
    kwargs = dict(seed=options["seed"], ranges=voice_ranges())
    classes = gibbs(
        model,
        classes,
        fixed,
        iterations=options["iterations"],
        temperature=options["temperature"],
        below_soprano=True,
        progress=progress,
        **kwargs,
    )
    if options["avoid_parallels"]:
        classes = repair_parallels(model, classes, fixed, **kwargs)
    return classes


def accompany(
    melody: Piece | bytes,
    model: str = "arcnn",
    *,
    temperature: float = 0.8,
    iterations: int = 96,
    avoid_parallels: bool = True,
    seed: int = 0,
    pool: ModelPool | None = None,
    priority: int = Priority.NORMAL,
    progress: Progress | None = None,
) -> MusicResult:
    """Alto, tenor and bass for a melody kept as the soprano (its notes unchanged, moved back to its octave).

    arcnn: blocked Gibbs sampling, then (``avoid_parallels``) the notes that make parallel fifths or octaves
    redrawn by the model where that lowers their count. gan: one generator pass from the seed's noise, the
    likeliest class per cell (``temperature``, ``iterations`` and ``avoid_parallels`` are arcnn's).
    """
    if model not in ACCOMPANY_MODELS:
        raise MusicError(
            f"unknown accompaniment model {model!r}; use arcnn or gan", code="model_not_found", param="model"
        )
    if not 0 <= temperature <= 3:
        raise MusicError("temperature must be 0..3", param="temperature")
    if not 1 <= iterations <= 1000:
        raise MusicError("iterations must be 1..1000", param="iterations")
    piece, notes, shift = _melody(as_piece(melody))
    started = time.perf_counter()
    steps = _steps(notes, 16)
    soprano, _ = Piece([notes]).roll(steps)
    pool = pool or default_pool()
    if model == "arcnn":
        options = dict(iterations=iterations, temperature=temperature, seed=seed, avoid_parallels=avoid_parallels)
        classes = pool.run(model_spec("arcnn"), _accompany_arcnn, soprano[0], options, progress, priority=priority)
    else:
        from music.gan import accompany_gan

        classes = pool.run(model_spec("gan"), accompany_gan, soprano[0], 0.0, seed, priority=priority)
    rolls = classes_to_pitches(classes)
    voices = [notes] + [notes_from_roll(rolls[v], _beats_with_onset(notes, steps, piece)) for v in range(1, 4)]
    out = transpose(piece.with_voices(voices, list(VOICES)), -shift)
    return MusicResult(out, model, time.perf_counter() - started, _result_metrics(out))


def _enhance(model: Any, pitches: np.ndarray, onsets: np.ndarray, kwargs: dict[str, Any]) -> Any:
    from music.arcnn import enhance_melody

    return enhance_melody(model, pitches, onsets, **kwargs)


def enhance(
    melody: Piece | bytes,
    *,
    max_notes_added: int = 50,
    max_percent_removed: float = 50.0,
    temperature: float = 1.0,
    iterations: int = 100,
    seed: int = 0,
    pool: ModelPool | None = None,
    priority: int = Priority.NORMAL,
    progress: Progress | None = None,
) -> MusicResult:
    """DeepComposer's AR-CNN enhancement: the melody with notes removed and added by the inpainting CNN."""
    if not 0 <= max_notes_added <= 1000:
        raise MusicError("max_notes_added must be 0..1000", param="max_notes_added")
    if not 0 <= max_percent_removed <= 100:
        raise MusicError("max_percent_removed must be 0..100", param="max_percent_removed")
    if not 0 < temperature <= 3:
        raise MusicError("temperature must be above 0 and at most 3", param="temperature")
    if not 1 <= iterations <= 1000:
        raise MusicError("iterations must be 1..1000", param="iterations")
    piece, notes, shift = _melody(as_piece(melody))
    started = time.perf_counter()
    pitches, onsets = Piece([notes]).roll(_steps(notes, 16))
    kwargs = dict(
        iterations=iterations,
        max_notes_added=max_notes_added,
        max_percent_removed=max_percent_removed,
        temperature=temperature,
        seed=seed,
        progress=progress,
    )
    pool = pool or default_pool()
    done = pool.run(model_spec("arcnn"), _enhance, pitches[0], onsets[0], kwargs, priority=priority)
    voice = notes_from_roll(done.pitches, done.onsets)
    out = transpose(piece.with_voices([voice], ["Melody"]), -shift)
    metrics = {
        **music_metrics(out),
        "input_notes": len(notes),
        "notes_added": done.added,
        "notes_removed": done.removed,
        "accepted_edits": done.accepted,
    }
    return MusicResult(out, "arcnn", time.perf_counter() - started, metrics)


def _extend(model: Any, prompt: list[int], kwargs: dict[str, Any]) -> list[int]:
    from music.transformer import generate

    return generate(model, prompt, **kwargs)


MAX_EXTEND_BARS = 32


def extend(
    piece: Piece | bytes,
    *,
    bars: int | None = None,
    seconds: float | None = None,
    temperature: float = 1.0,
    seed: int = 0,
    pool: ModelPool | None = None,
    priority: int = Priority.NORMAL,
    progress: Progress | None = None,
) -> MusicResult:
    """Continue a melody, or a four-voice chorale, by ``bars`` bars or about ``seconds`` seconds (transformer).

    The result holds the input followed by the continuation; a melody stays a melody.
    """
    from music.data import PITCH_MAX, PITCH_MIN, VOICE_RANGES
    from music.tokens import BAR, decode, encode

    piece = read_midi(piece, voices=True) if isinstance(piece, bytes | bytearray) else piece
    if (bars is None) == (seconds is None):
        bars = 4 if bars is None and seconds is None else None
        if bars is None:
            raise MusicError("give bars or seconds, not both", param="bars")
    if seconds is not None:
        if not 0 < seconds <= 120:
            raise MusicError("seconds must be above 0 and at most 120", param="seconds")
        bar_seconds = piece.steps_per_bar / 4 * 60.0 / piece.tempo
        bars = max(1, round(seconds / bar_seconds))
    assert bars is not None
    if not 1 <= bars <= MAX_EXTEND_BARS:
        raise MusicError(f"bars must be 1..{MAX_EXTEND_BARS}", param="seconds" if seconds is not None else "bars")
    if not 0 < temperature <= 3:
        raise MusicError("temperature must be above 0 and at most 3", param="temperature")
    if piece.steps_per_bar > 24:
        raise MusicError("bars longer than 6/4 are not supported", param="file")
    chorale = len(piece.voices) == 4
    if not piece.voices or not piece.voices[0]:
        raise MusicError("the melody has no notes", code="empty_midi")
    _, shift = fit_melody(piece.voices[0])
    moved = transpose(piece if chorale else piece.with_voices(piece.voices[:1], ["Melody"]), shift)
    if any(not PITCH_MIN <= n.pitch <= PITCH_MAX for v in moved.voices for n in v):
        raise MusicError(
            f"the lower voices leave the model's range {PITCH_MIN}..{PITCH_MAX} once the soprano is moved into its own",
            code="melody_out_of_range",
            status=422,
        )
    started = time.perf_counter()
    prompt = encode(moved, melody_only=not chorale, eos=False)
    kwargs = dict(
        bars=bars,
        steps_per_bar=piece.steps_per_bar,
        melody_only=not chorale,
        temperature=temperature,
        seed=seed,
        ranges=list(VOICE_RANGES),
        progress=progress,
    )
    pool = pool or default_pool()
    new = pool.run(model_spec("transformer"), _extend, prompt, kwargs, priority=priority)
    n_voices = len(moved.voices)
    before = decode(prompt, piece.steps_per_bar, piece.pickup, n_voices)
    after = decode(prompt + new, piece.steps_per_bar, piece.pickup, n_voices)
    voices = []
    for given, old, both in zip(moved.voices, before, after, strict=True):
        added = both[len(old) :]
        kept = list(given)  # the input as it was (the tokens clip notes longer than two bars)
        if added and kept and kept[-1].end > added[0].start:
            last = kept.pop()
            if added[0].start > last.start:
                kept.append(Note(last.pitch, last.start, added[0].start - last.start))
        voices.append(kept + added)
    # the last generated notes may be held past the last bar asked for: cut them at its end
    lead = (piece.steps_per_bar - piece.pickup) % piece.steps_per_bar if piece.pickup else 0
    end = (prompt.count(BAR) + bars) * piece.steps_per_bar - lead
    voices = [[Note(n.pitch, n.start, min(n.duration, end - n.start)) for n in v if n.start < end] for v in voices]
    out = transpose(moved.with_voices(voices, moved.names), -shift)
    metrics = {**music_metrics(out), "input_bars": piece.bars, "bars_added": bars, "tokens_generated": len(new)}
    return MusicResult(out, "transformer", time.perf_counter() - started, metrics)
