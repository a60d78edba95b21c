"""The builder on a real ACI-BENCH consultation (valid split: the committed model was trained on train+valid, so
this checks structure, not quality; quality is bench/notes.py on test1/test2)."""

from __future__ import annotations

from pathlib import Path

import pytest

import notes
from notes.data import aci_bench


def test_a_real_consultation_gives_a_note_with_evidence(data_dir: Path) -> None:
    if not (data_dir / "nlp" / "aci_bench").is_dir():
        pytest.skip(f"no ACI-BENCH under {data_dir}/nlp")
    encounter = aci_bench(data_dir, "valid")[0]
    note = notes.make_note(encounter.turns)
    names = [s.name for s in note.sections]
    assert len(names) >= 4 and names[0] == "CHIEF_COMPLAINT" and "ASSESSMENT_AND_PLAN" in names
    items = [i for s in note.sections for i in s.items]
    assert all(i.evidence and all(0 <= t < len(encounter.turns) for t in i.evidence) for i in items)
    words = len(note.text.split())
    assert 150 < words < 900  # a note, not the transcript (about 1,200 words) copied
    assert sum(t.section != "OTHER" for t in note.turns) >= len(items) // 2
    # Patient words in the third person: no first-person "I have" / "my" left in history lines.
    history = next(s for s in note.sections if s.name == "HISTORY_OF_PRESENT_ILLNESS")
    assert not any(" my " in f" {i.text.lower()} " for i in history.items)
