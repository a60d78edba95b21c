"""Local agreement: words two consecutive decodes agree on become stable and stay so."""

from __future__ import annotations

import re


def _norm(word: str) -> str:
    return re.sub(r"[^\w']", "", word.lower())


def common_prefix(a: list[str], b: list[str]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if _norm(x) != _norm(y):
            break
        n += 1
    return n


class LocalAgreement:
    """One utterance's hypotheses. `stable` only grows: once confirmed, words are never taken back."""

    def __init__(self) -> None:
        self.stable: list[str] = []
        self.previous: list[str] = []
        self.current: list[str] = []

    def update(self, words: list[str]) -> None:
        agreed = common_prefix(self.previous, words)
        if agreed > len(self.stable) and common_prefix(self.stable, words) == len(self.stable):
            self.stable = words[:agreed]
        self.previous = words
        self.current = words

    def text(self, words: list[str] | None = None) -> str:
        """The stable words followed by the rest of `words` (the latest hypothesis by default)."""
        words = self.current if words is None else words
        kept = common_prefix(self.stable, words)
        if kept == len(self.stable):
            return " ".join(words)
        # The newest decode disagrees with confirmed words: keep them, continue with its tail.
        return " ".join([*self.stable, *words[len(self.stable) :]])

    def stable_text(self) -> str:
        return " ".join(self.stable)
