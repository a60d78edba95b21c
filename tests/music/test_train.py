"""Training runs end to end in seconds (the shipped weights come from the same code with more steps)."""

from __future__ import annotations

from pathlib import Path

import pytest

import music
from music import train
from music.weights import load_meta


@pytest.mark.parametrize(
    ("model", "extra"),
    [("arcnn", ["--batch", "4"]), ("gan", ["--batch", "4", "--critic-steps", "1"]), ("transformer", ["--batch", "1"])],
)
def test_training_smoke_run_writes_loadable_weights(tmp_path: Path, model: str, extra: list[str]) -> None:
    meta = train.main(["--model", model, "--steps", "2", "--log-every", "1", "--out", str(tmp_path), *extra])
    assert meta["steps"] == 2 and meta["history"] and meta["parameters"] > 0
    assert (tmp_path / f"{model}.safetensors").exists()
    assert load_meta(model, tmp_path)["seed"] == 0
    loader = {
        "arcnn": "music.arcnn:load_arcnn",
        "gan": "music.gan:load_gan",
        "transformer": "music.transformer:load_transformer",
    }[model]
    module, name = loader.split(":")
    loaded = getattr(__import__(module, fromlist=[name]), name)(tmp_path)
    assert sum(p.numel() for p in loaded.parameters()) == meta["parameters"]


def test_the_shipped_transformer_is_about_three_million_parameters() -> None:
    from music.transformer import MusicTransformer

    count = sum(p.numel() for p in MusicTransformer().parameters())
    assert 2_500_000 < count < 4_000_000
    assert music.ACCOMPANY_MODELS == ("arcnn", "gan")
