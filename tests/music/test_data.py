"""The corpus: parsed chorales, the written split, augmentation, tokens."""

from __future__ import annotations

import numpy as np
import pytest

from music.data import (
    N_CLASSES,
    PITCH_MAX,
    PITCH_MIN,
    REST,
    VOICE_RANGES,
    crops,
    load_corpus,
    load_split,
    parse_chorale,
)
from music.tokens import BOS_MELODY, VOCAB, Grammar, decode, encode
from tests.music.conftest import piece_of


def test_split_is_by_chorale_disjoint_and_covers_the_corpus() -> None:
    split = load_split()
    parts = [set(split[k]) for k in ("train", "valid", "test")]
    assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
    assert len(parts[2]) == len(parts[1]) == 35 and len(parts[0]) == 280
    corpus = load_corpus()
    assert set(corpus) == parts[0] | parts[1] | parts[2]


def test_cached_corpus_matches_a_fresh_parse_of_music21() -> None:
    name = load_split()["test"][0]
    fresh = parse_chorale(name)
    cached = load_corpus()[name]
    assert fresh is not None
    np.testing.assert_array_equal(fresh.pitches, cached.pitches)
    np.testing.assert_array_equal(fresh.onsets, cached.onsets)
    assert (fresh.steps_per_bar, fresh.pickup) == (cached.steps_per_bar, cached.pickup)
    # soprano above bass everywhere both sound: the voices were picked in SATB order
    both = (fresh.pitches[0] > 0) & (fresh.pitches[3] > 0)
    assert (fresh.pitches[0][both] > fresh.pitches[3][both]).all()


def test_voices_stay_in_their_ranges(test_chorales) -> None:  # noqa: ANN001
    for chorale in test_chorales:
        for v, (lo, hi) in enumerate(VOICE_RANGES):
            sounding = chorale.pitches[v][chorale.pitches[v] > 0]
            assert lo <= sounding.min() and sounding.max() <= hi


def test_transposed_crops_keep_the_pitch_range(test_chorales) -> None:  # noqa: ANN001
    rng = np.random.default_rng(0)
    stream = crops(test_chorales, 64, rng)
    batch = np.stack([next(stream) for _ in range(200)])
    assert batch.shape == (200, 4, 64)
    assert batch.min() >= 0 and batch.max() <= REST < N_CLASSES
    # augmentation: the crops of one chorale come in more than one key
    first = test_chorales[0]
    assert len(first.transpositions()) > 3
    shifted = first.transposed(first.transpositions()[0])
    assert shifted.pitches[shifted.pitches > 0].min() >= PITCH_MIN
    assert shifted.pitches.max() <= PITCH_MAX


@pytest.mark.parametrize("melody_only", [False, True])
def test_tokens_round_trip_and_follow_the_grammar(test_chorales, melody_only: bool) -> None:  # noqa: ANN001
    for chorale in test_chorales[:8]:
        piece = piece_of(chorale)
        tokens = encode(piece, melody_only=melody_only)
        assert max(tokens) < VOCAB
        voices = decode(tokens, piece.steps_per_bar, piece.pickup, 1 if melody_only else 4)
        expected = piece.voices[:1] if melody_only else piece.voices
        for got, want in zip(voices, expected, strict=True):
            assert [(n.pitch, n.start, n.duration) for n in got] == [
                (n.pitch, n.start, min(n.duration, 32)) for n in want
            ]
        grammar = Grammar(steps_per_bar=piece.steps_per_bar, melody_only=melody_only)
        grammar.feed(tokens[0])
        assert (tokens[0] == BOS_MELODY) == melody_only
        for token in tokens[1:-1]:
            assert grammar.allowed(list(VOICE_RANGES))[token], f"grammar refuses {token} after {grammar.last}"
            grammar.feed(token)
