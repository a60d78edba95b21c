"""Readers of the note corpora (ACI-BENCH, MTS-Dialog) for training and the bench; paths are given, not guessed."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from notes.schemas import Turn
from notes.transcript import parse_transcript

ACI_SPLITS = {
    "train": "train.csv",
    "valid": "valid.csv",
    "test1": "clinicalnlp_taskB_test1.csv",
    "test2": "clinicalnlp_taskC_test2.csv",
}
MTS_SPLITS = {"train": "MTS-Dialog-TrainingSet.csv", "valid": "MTS-Dialog-ValidationSet.csv"}


@dataclass
class Encounter:
    id: str
    source: str  # aci, virtassist, virtscribe
    turns: list[Turn]
    note: str


@dataclass
class Snippet:
    section: str  # MTS-Dialog's header (GENHX, FAM/SOCHX, ...)
    turns: list[Turn]
    text: str


def aci_bench(root: Path, split: str) -> list[Encounter]:
    with open(root / "nlp" / "aci_bench" / ACI_SPLITS[split], newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        Encounter(r["encounter_id"], r["dataset"], parse_transcript(_tagged(r["dialogue"])), r["note"]) for r in rows
    ]


def _tagged(dialogue: str) -> str:
    """One test2 dialogue opens without a speaker tag; its first line is the doctor's greeting."""
    return dialogue if dialogue.lstrip().startswith("[") else "[doctor] " + dialogue.lstrip()


def mts_dialog(root: Path, split: str) -> list[Snippet]:
    with open(root / "nlp" / "mts_dialog" / MTS_SPLITS[split], newline="") as f:
        rows = list(csv.DictReader(f))
    out = []
    for r in rows:
        dialogue = re.sub(r"(?m)^\s*Guest_family:", "Patient:", r["dialogue"])
        dialogue = re.sub(r"(?m)^\s*Guest_clinician:", "Doctor:", dialogue)
        try:
            turns = parse_transcript(dialogue)
        except ValueError:
            continue
        if turns:
            out.append(Snippet(r["section_header"], turns, r["section_text"]))
    return out
