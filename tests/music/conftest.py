"""Music tests: the real corpus (music21's Bach chorales, parsed into music/data/chorales.npz) and the
committed weights. Skipped when the music extra is not installed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("music21")
pytest.importorskip("symusic")

from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from music.data import Chorale, split_chorales  # noqa: E402
from music.midi import write_midi  # noqa: E402
from music.piece import Piece, notes_from_roll  # noqa: E402


def piece_of(chorale: Chorale) -> Piece:
    voices = [notes_from_roll(chorale.pitches[v], chorale.onsets[v]) for v in range(4)]
    return Piece(voices, steps_per_bar=chorale.steps_per_bar, pickup=chorale.pickup)


@pytest.fixture(scope="session")
def test_chorales() -> list[Chorale]:
    return split_chorales("test")


@pytest.fixture(scope="session")
def chorale(test_chorales: list[Chorale]) -> Piece:
    """A 4/4 test chorale (Bach's own four voices)."""
    return piece_of(next(c for c in test_chorales if c.steps_per_bar == 16 and 128 <= c.steps <= 200))


@pytest.fixture(scope="session")
def melody(chorale: Piece) -> Piece:
    return chorale.with_voices(chorale.voices[:1], ["Melody"])


@pytest.fixture(scope="session")
def melody_midi(melody: Piece) -> bytes:
    return write_midi(melody)


@pytest.fixture(scope="module")
def music_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("music")
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'voxgate.db'}",
        artifact_dir=tmp / "artifacts",
        api_keys=[],
        modules=["music"],
    )
    with TestClient(create_app(settings)) as client:
        yield client
