"""Shipped weights: ``music/weights/<name>.safetensors`` (float16) with ``<name>.json`` (config, training facts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from torch import nn

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


def weights_dir() -> Path:
    """The shipped weights; training writes elsewhere with `python -m music.train --out DIR`."""
    return WEIGHTS_DIR


def save(model: nn.Module, name: str, meta: dict[str, Any], directory: Path | None = None) -> Path:
    from safetensors.torch import save_file

    directory = directory or weights_dir()
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    path = directory / f"{name}.safetensors"
    save_file(tensors, str(path))
    (directory / f"{name}.json").write_text(json.dumps(meta, indent=1) + "\n")
    return path


def load_meta(name: str, directory: Path | None = None) -> dict[str, Any]:
    path = (directory or weights_dir()) / f"{name}.json"
    if not path.exists():
        raise FileNotFoundError(f"no trained {name} weights at {path} (run python -m music.train --model {name})")
    return json.loads(path.read_text())


def load_state(model: nn.Module, name: str, directory: Path | None = None) -> nn.Module:
    from safetensors.torch import load_file

    state = load_file(str((directory or weights_dir()) / f"{name}.safetensors"))
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model.eval()


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


CARD_INTRO = {
    "arcnn": (
        "Inpainting CNN (Coconet-style orderless masking; DeepComposer calls it AR-CNN): accompaniment by blocked "
        "Gibbs sampling with the soprano kept, and melody enhancement. Dilated residual 1-D convolutions over "
        "time with voice x pitch one-hot cells and the mask as channels (see music/arcnn.py)."
    ),
    "gan": (
        "Melody-conditioned generator of alto, tenor and bass, trained as a WGAN-GP (MuseGAN-style) with a "
        "critic that sees the soprano and the three voices (see music/gan.py)."
    ),
    "transformer": (
        "Decoder-only transformer over REMI-like tokens (bar, position, voice, pitch, duration; see "
        "music/tokens.py), context 512, KV cache for generation (see music/transformer.py)."
    ),
}


def write_card(name: str, directory: Path | None = None, extra: str = "") -> Path:
    """``<name>.md`` from ``<name>.json``: what the model is, its data, training and losses."""
    directory = directory or weights_dir()
    meta = load_meta(name, directory)
    size = (directory / f"{name}.safetensors").stat().st_size
    facts = {k: v for k, v in meta.items() if k not in ("history", "config", "earlier_runs", "model")}
    lines = [
        f"# {name}",
        "",
        CARD_INTRO.get(name, ""),
        "",
        "- Data: the Bach chorales of music21's corpus (350 four-part chorales, `music/data/chorales.npz`), split "
        "by chorale in `music/data/split.json` (280 train / 35 valid / 35 test); sixteenth-note grid; random "
        "transposition of each training example within the voices' range.",
        f"- Weights: `{name}.safetensors`, float16, {size / 1e6:.2f} MB; config and training facts in `{name}.json`.",
        f"- Config: `{json.dumps(meta['config'])}`",
        "",
        "| fact | value |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in facts.items()],
        "",
    ]
    for run in meta.get("earlier_runs", []):
        lines += [f"Earlier run this one started from: `{json.dumps(run)}`", ""]
    history = meta.get("history", [])
    if history:
        keys = list(dict.fromkeys(k for h in history for k in h if k != "step"))
        measured = [h for h in history if len(h) > len(history[0])]  # rows with a validation score
        shown = measured or history[:: max(1, len(history) // 12)] + [history[-1]]
        lines += [
            "Training log (smoothed train loss; validation where measured):",
            "",
            "| step | " + " | ".join(keys) + " |",
        ]
        lines += ["| --- |" + " --- |" * len(keys)]
        lines += [f"| {h['step']} | " + " | ".join(str(h.get(k, "")) for k in keys) + " |" for h in shown]
        lines.append("")
    if extra:
        lines += [extra.strip(), ""]
    path = directory / f"{name}.md"
    path.write_text("\n".join(lines))
    return path
