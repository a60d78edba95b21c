"""Bag-of-words features for units: word unigrams and bigrams weighted by idf, for the unit and the turn before
it, plus speaker, kind, position and length. Fitted by notes.train; read back by the builder (numpy only)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np

from notes.units import Unit

EXTRA = 5  # speaker, kind, position, position², length


def tokens(text: str) -> list[str]:
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]


class Featurizer:
    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf

    @classmethod
    def fit(cls, texts: Iterable[str], min_df: int = 3) -> Featurizer:
        docs = [set(tokens(t)) for t in texts]
        df = Counter(w for d in docs for w in d)
        kept = sorted(w for w, n in df.items() if n >= min_df)
        idf = np.array([math.log((1 + len(docs)) / (1 + df[w])) + 1 for w in kept], dtype=np.float32)
        return cls({w: i for i, w in enumerate(kept)}, idf)

    def bag(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(self.vocabulary)), dtype=np.float32)
        for row, text in enumerate(texts):
            for word, count in Counter(tokens(text)).items():
                col = self.vocabulary.get(word)
                if col is not None:
                    out[row, col] = (1 + math.log(count)) * self.idf[col]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)

    def features(self, units: list[Unit], previous: list[str]) -> np.ndarray:
        extra = np.array(
            [[u.speaker == "clinician", u.kind == "answer", u.position, u.position**2,
              math.log1p(len(u.text.split())) / 4] for u in units], dtype=np.float32,
        ).reshape(len(units), EXTRA)  # fmt: skip
        return np.hstack([self.bag([u.text for u in units]), 0.5 * self.bag(previous), extra])
