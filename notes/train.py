"""Train the note builder's small models from ACI-BENCH train (+ valid) and MTS-Dialog; never from the test splits.

    .venv/bin/python -m notes.train --data $VOXGATE_DATA --splits train valid --out notes/model

Writes: `classifier.npz` (logistic regression over MiniLM features: which section a unit feeds, or OTHER),
`bank.json` (template sentences that recur across training notes, per section, with pronoun placeholders),
`neighbours.npz` (per training encounter: a dialogue vector, which bank sentences its note has, words per section).
Silver labels: a dialogue unit belongs to the gold-note section whose words cover most of its content words
(idf-weighted), or OTHER when no section covers enough.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from notes.data import Encounter, aci_bench, mts_dialog
from notes.features import Featurizer
from notes.model import template_key
from notes.sections import SECTIONS, canonical, split_note
from notes.units import Unit, build_units, previous_texts, sentences
from notes.vectors import Embedder, dialogue_vector

CLASSES: tuple[str, ...] = (*SECTIONS, "OTHER")
STOP = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "him",
        "her",
        "us",
        "them",
        "my",
        "your",
        "his",
        "our",
        "their",
        "mine",
        "yours",
        "so",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "not",
        "no",
        "yes",
        "okay",
        "ok",
        "um",
        "uh",
        "just",
        "like",
        "very",
        "really",
        "get",
        "got",
        "go",
        "going",
        "gonna",
        "can",
        "could",
        "would",
        "should",
        "will",
        "about",
        "there",
        "here",
        "what",
        "when",
        "how",
        "which",
        "who",
        "any",
        "some",
        "all",
        "also",
        "then",
        "than",
        "too",
        "as",
        "up",
        "out",
        "into",
        "over",
        "now",
        "well",
        "right",
        "yeah",
        "mm",
        "hmm",
        "know",
        "think",
        "little",
        "bit",
        "lot",
        "kind",
        "sort",
    ]
)


def _stem() -> object:
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


def content(text: str, stemmer) -> list[str]:
    return [stemmer.stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP]


def silver_labels(units: list[Unit], gold: dict[str, str], stemmer, idf: dict[str, float], tau: float) -> list[str]:
    section_words = {name: set(content(text, stemmer)) for name, text in gold.items()}
    labels = []
    for unit in units:
        words = content(unit.text, stemmer)
        total = sum(idf.get(w, 1.0) for w in words)
        best, score = "OTHER", 0.0
        for name, vocab in section_words.items():
            s = sum(idf.get(w, 1.0) for w in words if w in vocab) / total if total else 0.0
            if s > score:
                best, score = name, s
        labels.append(best if score >= tau and len(words) >= 2 else "OTHER")
    return labels


def note_sentences(note: str) -> dict[str, list[str]]:
    return {name: [s for line in text.splitlines() for s in sentences(line)] for name, text in split_note(note).items()}


def train(data: Path, splits: Sequence[str], embed: Embedder, out: Path, tau: float = 0.5, c: float = 1.0,
          min_notes: int = 3, mts_weight: float = 0.5, balance: float = 0.5) -> dict:  # fmt: skip
    from scipy import sparse
    from sklearn.linear_model import LogisticRegression

    stemmer = _stem()
    encounters: list[Encounter] = [e for s in splits for e in aci_bench(data, s)]
    snippets = [s for split in ("train", "valid") for s in mts_dialog(data, split)]
    # idf over training dialogue sentences
    docs = [set(content(u.text, stemmer)) for e in encounters for u in build_units(e.turns)]
    df = Counter(w for d in docs for w in d)
    idf = {w: math.log(len(docs) / (1 + n)) + 1 for w, n in df.items()}

    aci_units = [build_units(e.turns) for e in encounters]
    mts = [(canonical(s.section.replace("_", " ")) or canonical(s.section), s, build_units(s.turns)) for s in snippets]
    mts = [(name, s, units) for name, s, units in mts if name and units]
    featurizer = Featurizer.fit(
        [u.text for units in aci_units for u in units] + [u.text for _, _, units in mts for u in units]
    )
    xs, ys, ws = [], [], []
    vectors, bank_counts, per_note, words = [], Counter(), [], []
    for enc, units in zip(encounters, aci_units, strict=True):
        xs.append(sparse.csr_matrix(featurizer.features(units, previous_texts(units, enc.turns))))
        ys += silver_labels(units, split_note(enc.note), stemmer, idf, tau)
        ws += [1.0] * len(units)
        vectors.append(dialogue_vector([t.text for t in enc.turns], embed))
        keys = {name: {template_key(s) for s in ss} for name, ss in note_sentences(enc.note).items()}
        per_note.append(keys)
        bank_counts.update((name, k) for name, ks in keys.items() for k in ks)
        sections = split_note(enc.note)
        words.append([len(sections.get(name, "").split()) for name in SECTIONS])
    for name, snip, units in mts:
        xs.append(sparse.csr_matrix(featurizer.features(units, previous_texts(units, snip.turns))))
        ys += silver_labels(units, {name: snip.text}, stemmer, idf, tau)
        ws += [mts_weight] * len(units)
    X, y = sparse.vstack(xs).tocsr(), np.array(ys)
    counts = Counter(ys)
    # Rare sections (allergies, family history) weigh more: (most frequent / count) ** balance.
    class_weight = {k: (max(counts.values()) / n) ** balance for k, n in counts.items()}
    model = LogisticRegression(C=c, max_iter=3000)
    model.fit(X, y, sample_weight=np.array(ws) * np.array([class_weight[k] for k in ys]))
    classes = list(model.classes_)
    bank = [{"section": n, "text": k, "notes": cnt} for (n, k), cnt in bank_counts.most_common()
            if cnt >= min_notes and len(k.split()) >= 2 and "#" not in k]  # fmt: skip
    index = {(b["section"], b["text"]): i for i, b in enumerate(bank)}
    membership = np.zeros((len(encounters), len(bank)), dtype=np.uint8)
    for row, keys in enumerate(per_note):
        for name, ks in keys.items():
            for k in ks:
                if (name, k) in index:
                    membership[row, index[(name, k)]] = 1
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "classifier.npz", coef=model.coef_.astype(np.float16),
                        intercept=model.intercept_.astype(np.float32), classes=np.array(classes))  # fmt: skip
    np.savez_compressed(out / "neighbours.npz", vectors=np.stack(vectors).astype(np.float16), bank=membership,
                        words=np.array(words, dtype=np.int16))  # fmt: skip
    (out / "bank.json").write_text(json.dumps(bank, indent=0))
    vocabulary = sorted(featurizer.vocabulary, key=featurizer.vocabulary.__getitem__)
    (out / "features.json").write_text(json.dumps({"vocabulary": vocabulary, "idf": featurizer.idf.round(4).tolist()}))
    meta = {"splits": list(splits), "mts_dialog": ["train", "valid"], "units": len(y), "tau": tau, "C": c,
            "balance": balance,
            "labels": dict(Counter(ys)), "bank": len(bank), "encounters": len(encounters)}  # fmt: skip
    (out / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def main() -> None:
    import os

    from notes.vectors import pool_embedder

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("VOXGATE_DATA", "../shared/data")))
    parser.add_argument("--splits", nargs="+", default=["train", "valid"], choices=["train", "valid"])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "model")
    parser.add_argument("--tau", type=float, default=0.5)
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--balance", type=float, default=0.5, help="class weight (largest class / class) ** this")
    parser.add_argument("--cache", type=Path, default=None, help="an .npz of cached vectors (bench/out)")
    args = parser.parse_args()
    embed = pool_embedder()
    if args.cache:
        from bench.notes import cached_embedder

        embed = cached_embedder(embed, args.cache)
    print(json.dumps(train(args.data, args.splits, embed, args.out, args.tau, args.C, balance=args.balance), indent=1))


if __name__ == "__main__":
    main()
