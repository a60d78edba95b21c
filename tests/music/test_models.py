"""The committed models on test chorales: accompaniment, enhancement, continuation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import music
from music.data import VOICE_RANGES
from music.metrics import music_metrics
from music.piece import Piece
from music.weights import load_meta, weights_dir

WEIGHTS = weights_dir()


def _in_range(piece: Piece) -> bool:
    return all(lo <= n.pitch <= hi for (lo, hi), v in zip(VOICE_RANGES, piece.voices, strict=True) for n in v)


def test_weights_are_small_and_carded() -> None:
    files = list(WEIGHTS.glob("*.safetensors"))
    assert {f.stem for f in files} >= {"arcnn"}
    assert sum(f.stat().st_size for f in files) < 20 * 1024 * 1024
    for f in files:
        meta = load_meta(f.stem)
        assert meta["steps"] > 0 and meta["parameters"] > 0
        assert (WEIGHTS / f"{f.stem}.md").exists(), f"no model card for {f.stem}"


def test_arcnn_predicts_bach_far_better_than_chance(test_chorales) -> None:  # noqa: ANN001
    from music.arcnn import load_arcnn
    from music.data import N_CLASSES

    model = load_arcnn()
    chorale = test_chorales[0]
    classes = torch.from_numpy(chorale.classes()[:, :128]).unsqueeze(0)
    mask = torch.zeros_like(classes, dtype=torch.bool)
    mask[:, 1:] = True  # alto, tenor, bass all hidden: the accompaniment task
    with torch.no_grad():
        logits = model(classes, mask)
    nll = torch.nn.functional.cross_entropy(logits[0, 1:].reshape(-1, N_CLASSES), classes[0, 1:].reshape(-1))
    assert float(nll) < 0.6 * np.log(N_CLASSES)  # chance is log(47) = 3.85 nats


def test_arcnn_accompaniment_keeps_the_melody_and_fits_it(melody_midi: bytes, melody: Piece) -> None:
    result = music.accompany(melody_midi, "arcnn", iterations=48, seed=1)
    piece = result.piece
    assert piece.names == ["Soprano", "Alto", "Tenor", "Bass"]
    first = melody.voices[0][0].start
    assert [(n.pitch, n.start) for n in piece.voices[0]] == [(n.pitch, n.start - first) for n in melody.voices[0]]
    assert _in_range(piece)
    assert all(len(v) >= len(melody.voices[0]) // 2 for v in piece.voices[1:])
    assert result.metrics["in_scale_ratio"] > 0.8
    assert result.metrics["empty_bar_rate"] == 0.0
    # the bass sits below the soprano nearly everywhere
    pitches, _ = piece.roll()
    both = (pitches[0] > 0) & (pitches[3] > 0)
    assert (pitches[3][both] < pitches[0][both]).mean() > 0.95
    again = music.accompany(melody_midi, "arcnn", iterations=48, seed=1)
    assert again.piece.voices == piece.voices  # a seed gives the same music


def test_redrawing_parallels_lowers_their_count(test_chorales) -> None:  # noqa: ANN001
    from tests.music.conftest import piece_of

    plain = guided = changes = 0
    for chorale in test_chorales[:3]:
        piece = piece_of(chorale)
        melody = piece.with_voices(piece.voices[:1], ["Melody"])
        free = music.accompany(melody, "arcnn", iterations=32, avoid_parallels=False).metrics
        fixed = music.accompany(melody, "arcnn", iterations=32, avoid_parallels=True).metrics
        plain += free["parallel_fifths"] + free["parallel_octaves"]
        guided += fixed["parallel_fifths"] + fixed["parallel_octaves"]
        changes += fixed["chord_changes"]
    assert guided < plain / 2
    assert 100 * guided / changes < 5.0  # about 10 per 100 chord changes without the redraw; Bach 0.1


@pytest.mark.skipif(not (WEIGHTS / "gan.safetensors").exists(), reason="GAN weights not trained yet")
def test_gan_accompaniment_is_in_range_and_keeps_the_melody(melody_midi: bytes, melody: Piece) -> None:
    result = music.accompany(melody_midi, "gan", seed=0)
    assert len(result.piece.voices) == 4 and _in_range(result.piece)
    assert [n.pitch for n in result.piece.voices[0]] == [n.pitch for n in melody.voices[0]]
    assert result.metrics["in_scale_ratio"] > 0.6


def test_enhance_respects_its_limits(melody_midi: bytes, melody: Piece) -> None:
    original = {(n.pitch, n.start - melody.voices[0][0].start) for n in melody.voices[0]}
    same = music.enhance(melody_midi, max_notes_added=0, max_percent_removed=0, iterations=20)
    assert {(n.pitch, n.start) for n in same.piece.voices[0]} == original
    changed = music.enhance(melody_midi, max_notes_added=4, max_percent_removed=20, iterations=60, seed=2)
    notes = {(n.pitch, n.start) for n in changed.piece.voices[0]}
    assert 0 < changed.metrics["notes_added"] == len(notes - original) <= 4
    assert changed.metrics["notes_removed"] == len(original - notes) <= 0.2 * len(original)


@pytest.mark.skipif(not (WEIGHTS / "transformer.safetensors").exists(), reason="transformer not trained yet")
def test_transformer_extends_a_melody_by_bars(melody_midi: bytes) -> None:
    source = music.read_midi(melody_midi)
    result = music.extend(melody_midi, bars=2, seed=0)
    voice = result.piece.voices[0]
    assert len(result.piece.voices) == 1
    assert voice[: len(source.voices[0])] == source.voices[0]  # the input is kept as it was
    added = voice[len(source.voices[0]) :]
    assert added and all(lo <= n.pitch <= hi for n in added for lo, hi in [VOICE_RANGES[0]])
    end = (source.bars + 2) * 16
    assert max(n.end for n in voice) <= end and max(n.end for n in voice) > end - 16
    assert result.metrics["in_scale_ratio"] > 0.8


@pytest.mark.skipif(not (WEIGHTS / "transformer.safetensors").exists(), reason="transformer not trained yet")
def test_transformer_continues_a_chorale_in_four_voices(chorale: Piece) -> None:
    result = music.extend(music.write_midi(chorale), seconds=6.0, seed=0)
    assert len(result.piece.voices) == 4
    assert result.metrics["bars_added"] == 2  # 6 s at 90 quarter notes a minute: 2.25 bars of 4/4
    extra = [v[len(orig) :] for v, orig in zip(result.piece.voices, chorale.voices, strict=True)]
    assert all(extra)
    assert music_metrics(result.piece)["polyphony"] > 3.0


def test_kv_cache_gives_the_same_logits_as_a_full_pass() -> None:
    from music.transformer import MusicTransformer, TransformerConfig

    torch.manual_seed(0)
    model = MusicTransformer(TransformerConfig(d_model=64, heads=4, layers=2, dropout=0.0)).eval()
    tokens = torch.randint(5, 100, (1, 40))
    with torch.no_grad():
        full, _ = model(tokens)
        logits, caches = model(tokens[:, :25])
        steps = [logits[:, -1]]
        for t in range(25, 40):
            out, caches = model(tokens[:, t : t + 1], caches)
            steps.append(out[:, -1])
    torch.testing.assert_close(torch.stack(steps[:-1], 1), full[:, 24:39], atol=1e-4, rtol=1e-4)


def test_generation_past_the_context_rebuilds_the_cache_and_keeps_the_grammar() -> None:
    from music.tokens import BAR, BOS_CHORALE, Grammar, decode
    from music.transformer import MusicTransformer, TransformerConfig, generate

    torch.manual_seed(0)
    model = MusicTransformer(TransformerConfig(context=48, d_model=32, heads=2, layers=1, dropout=0.0)).eval()
    new = generate(model, [BOS_CHORALE, BAR], bars=12, seed=3, ranges=list(VOICE_RANGES))
    assert len(new) > 48 and new.count(BAR) == 12  # the open bar is finished, then 12 more
    grammar = Grammar()
    for token in [BOS_CHORALE, BAR]:
        grammar.feed(token)
    for token in new:
        assert grammar.allowed(list(VOICE_RANGES))[token]
        grammar.feed(token)
    voices = decode([BOS_CHORALE, BAR, *new])
    assert all(lo <= n.pitch <= hi for (lo, hi), v in zip(VOICE_RANGES, voices, strict=True) for n in v)
    assert max(n.end for v in voices for n in v) <= 13 * 16 + 32  # durations may run on, up to two bars
