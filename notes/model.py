"""The trained artefacts the builder reads (written by notes.train): section classifier, template bank, neighbours."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from notes.features import Featurizer

MODEL_DIR = Path(__file__).parent / "model"


_PLACEHOLDERS = [
    (r"\b(?:he|she)\b", "{subj}"), (r"\b(?:his|her)\b", "{poss}"), (r"\b(?:him)\b", "{obj}"),
    (r"\b(?:himself|herself)\b", "{refl}"), (r"\d+", "#"),
]  # fmt: skip


def template_key(sentence: str) -> str:
    key = sentence.strip().lower().replace("{", "(").replace("}", ")")
    for pattern, repl in _PLACEHOLDERS:
        key = re.sub(pattern, repl, key)
    return re.sub(r"\s+", " ", key)


def fill(template: str, pronoun: str) -> str:
    """A bank sentence with the patient's pronouns: 'they' reads 'the patient'."""
    words = {
        "he": {"subj": "he", "poss": "his", "obj": "him", "refl": "himself"},
        "she": {"subj": "she", "poss": "her", "obj": "her", "refl": "herself"},
    }.get(pronoun, {"subj": "the patient", "poss": "their", "obj": "them", "refl": "themselves"})
    return template.format(**words) if "{" in template else template


@dataclass(frozen=True)
class NoteModel:
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray
    classes: tuple[str, ...]
    vectors: np.ndarray  # (encounters, 384): training dialogues
    bank_membership: np.ndarray  # (encounters, bank): which template sentences each training note has
    words: np.ndarray  # (encounters, sections): words per section in each training note
    bank: tuple[dict, ...]
    featurizer: Featurizer

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = x @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def neighbours(self, vector: np.ndarray, k: int) -> np.ndarray:
        return np.argsort(-(self.vectors @ vector))[:k]


def _featurizer(path: Path) -> Featurizer:
    data = json.loads(path.read_text())
    return Featurizer({w: i for i, w in enumerate(data["vocabulary"])}, np.array(data["idf"], dtype=np.float32))


@cache
def load_model(path: str | None = None) -> NoteModel:
    root = Path(path) if path else MODEL_DIR
    if not (root / "classifier.npz").exists():
        raise FileNotFoundError(f"no note model in {root}: run python -m notes.train")
    with np.load(root / "classifier.npz") as c, np.load(root / "neighbours.npz") as n:
        return NoteModel(
            coef=c["coef"].astype(np.float32), intercept=c["intercept"].astype(np.float32),
            classes=tuple(str(x) for x in c["classes"]), vectors=n["vectors"].astype(np.float32),
            bank_membership=n["bank"].astype(np.float32), words=n["words"].astype(np.float32),
            bank=tuple(json.loads((root / "bank.json").read_text())),
            featurizer=_featurizer(root / "features.json"),
        )  # fmt: skip
