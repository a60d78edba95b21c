"""Sentiment of short texts (call turns, reviews) in the shape of Comprehend's DetectSentiment.

The network gives calibrated probabilities for NEGATIVE / NEUTRAL / POSITIVE (temperature scaling fitted on
held-out data, see the model card). Two rules sit on top:

- Neutral band: a polar label whose calibrated probability is below ``NEUTRAL_BAND`` becomes NEUTRAL, so
  uncertain and plainly factual turns do not get a sentiment they do not carry.
- MIXED: a text with several clauses (sentences, or parts joined by "but", "however", "although", ...) is
  MIXED when one clause is confidently positive and another confidently negative; the Mixed score is the
  weaker of the two confidences and the other three scores are scaled to leave room for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel

from workers import ModelPool, ModelSpec, Priority, default_pool

SENTIMENT_MODEL_ID = "sentiment-minilm"
NEUTRAL_BAND = 0.55
MIXED_CLAUSE_MIN = 0.75
MAX_TEXTS = 1024
MAX_CHARS = 5000

Label = Literal["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]

_CLAUSE_SPLIT = re.compile(
    r"(?<=[.!?;])\s+|\s*,?\s+\b(?:but|however|although|though|yet|whereas|except that)\b\s*", re.IGNORECASE
)


class SentimentScores(BaseModel):
    Positive: float
    Negative: float
    Neutral: float
    Mixed: float


class SentimentResult(BaseModel):
    label: Label
    scores: SentimentScores


def _load(device: str) -> Any:
    from nlp.sentiment.model import load_net

    return load_net(device)


def _batch(net: Any, texts: Sequence[str]) -> list[list[float]]:
    return net.probabilities(list(texts))


@cache
def sentiment_spec() -> ModelSpec:
    return ModelSpec(
        id=SENTIMENT_MODEL_ID,
        loader=_load,
        memory_mb=320,
        device="auto",
        batchable=True,
        batch_fn=_batch,
        max_batch_size=64,
        max_wait_ms=5.0,
        labels={"module": "nlp", "task": "sentiment"},
    )


def clauses(text: str) -> list[str]:
    parts = [p.strip(" ,;") for p in _CLAUSE_SPLIT.split(text.strip())]
    return [p for p in parts if len(p.split()) >= 2]


def combine(probs: Sequence[float], clause_probs: Sequence[Sequence[float]]) -> SentimentResult:
    """Turn calibrated (neg, neu, pos) for a text and its clauses into a label and four scores."""
    neg, neu, pos = (float(x) for x in probs)
    mixed = 0.0
    if len(clause_probs) >= 2:
        top_pos = max(c[2] for c in clause_probs)
        top_neg = max(c[0] for c in clause_probs)
        if top_pos >= MIXED_CLAUSE_MIN and top_neg >= MIXED_CLAUSE_MIN:
            mixed = min(top_pos, top_neg)
    keep = 1.0 - mixed
    scores = SentimentScores(Positive=pos * keep, Negative=neg * keep, Neutral=neu * keep, Mixed=mixed)
    if mixed > 0:
        label: Label = "MIXED"
    else:
        best = max((pos, "POSITIVE"), (neg, "NEGATIVE"), (neu, "NEUTRAL"))
        label = best[1] if best[1] == "NEUTRAL" or best[0] >= NEUTRAL_BAND else "NEUTRAL"  # type: ignore[assignment]
    return SentimentResult(label=label, scores=scores)


def validate_texts(texts: Sequence[str]) -> list[str]:
    if len(texts) > MAX_TEXTS:
        raise ValueError(f"at most {MAX_TEXTS} texts per call; got {len(texts)}")
    out = []
    for i, t in enumerate(texts):
        if not isinstance(t, str) or not t.strip():
            raise ValueError(f"text {i} is empty")
        if len(t) > MAX_CHARS:
            raise ValueError(f"text {i} has {len(t)} characters; at most {MAX_CHARS}")
        out.append(t.strip())
    return out


def detect_sentiment(
    texts: Sequence[str], pool: ModelPool | None = None, priority: int = Priority.NORMAL
) -> list[SentimentResult]:
    """One result per text, in order; raises ValueError for empty or over-long input."""
    texts = validate_texts(texts)
    if not texts:
        return []
    pool = pool or default_pool()
    per_text = [clauses(t) for t in texts]
    items = list(texts)
    spans = []
    for cl in per_text:
        if len(cl) >= 2:
            spans.append((len(items), len(items) + len(cl)))
            items += cl
        else:
            spans.append((0, 0))
    probs = pool.infer_many(sentiment_spec(), items, priority)
    return [combine(probs[i], probs[a:b]) for i, (a, b) in enumerate(spans)]
