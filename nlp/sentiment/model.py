"""The sentiment network: MiniLM with fine-tuned top layers, mean pooling and a 3-class linear head.

Only the fine-tuned top layers and the head are shipped (``weights/sentiment.safetensors``, float16); the
rest of the encoder comes from the bundled all-MiniLM-L6-v2 package at load time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

LABELS = ["NEGATIVE", "NEUTRAL", "POSITIVE"]
MODEL_MAX_TOKENS = 128
HIDDEN = 384


def weights_dir() -> Path:
    return Path(__file__).resolve().parent / "weights"


def load_base(device: str = "cpu") -> tuple[Any, Any]:
    """The bundled MiniLM encoder (transformers BertModel) and its tokenizer, offline."""
    from transformers import AutoModel, AutoTokenizer

    from nlp.embeddings import bundled_model_path

    path = str(bundled_model_path())
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path).to(device)
    model.eval()
    return model, tok


class SentimentHead(nn.Module):
    def __init__(self, hidden: int = HIDDEN, n_labels: int = len(LABELS)) -> None:
        super().__init__()
        self.dropout = nn.Dropout(0.1)
        self.out = nn.Linear(hidden, n_labels)

    def forward(self, pooled: torch.Tensor) -> torch.Tensor:
        return self.out(self.dropout(pooled))


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


@dataclass
class SentimentNet:
    """Encoder + head + temperature; `probabilities` returns calibrated (NEG, NEU, POS) rows."""

    encoder: Any
    tokenizer: Any
    head: SentimentHead
    temperature: float
    device: str = "cpu"

    @torch.no_grad()
    def probabilities(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        enc = self.tokenizer(texts, padding=True, truncation=True, max_length=MODEL_MAX_TOKENS, return_tensors="pt").to(
            self.device
        )
        hidden = self.encoder(**enc).last_hidden_state
        logits = self.head(mean_pool(hidden, enc["attention_mask"]))
        return torch.softmax(logits / self.temperature, dim=-1).cpu().tolist()


def load_net(device: str = "cpu", weights: Path | None = None) -> SentimentNet:
    from safetensors.torch import load_file

    wdir = weights or weights_dir()
    meta = json.loads((wdir / "meta.json").read_text())
    state = load_file(str(wdir / "sentiment.safetensors"))
    encoder, tok = load_base(device)
    first = int(meta["first_trained_layer"])
    layers = encoder.encoder.layer[first:]
    layers.load_state_dict({k[7:]: v.float() for k, v in state.items() if k.startswith("layers.")})
    head = SentimentHead()
    head.load_state_dict({k[5:]: v.float() for k, v in state.items() if k.startswith("head.")})
    head.eval()
    encoder.to(device)
    head.to(device)
    return SentimentNet(encoder, tok, head, float(meta["temperature"]), device)
