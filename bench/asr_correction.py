"""What term post-correction (asr/medical/correction.py) does to text that is already right, and how often the
phrase check (asr/medical/phrases.py) has a right word to refuse: tables, not a test.

    .venv/bin/python -m bench.asr_correction [--limit N]

Every change it makes in human-written clinical text (dialogues and notes of aci_bench and MTS-Dialog, the
consultations' reference transcripts) is either a fix of a misspelling in that text or harm (a right word made
wrong), so all of them are listed for a person to judge, with their counts. Its effect on ASR output, one decode
scored before and after, is printed by `python -m bench.asr` for every configuration that corrects (our default).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = Path(os.environ.get("VOXGATE_DATA", REPO.parent / "shared" / "data"))


def corpora(limit: int | None) -> Iterator[tuple[str, list[str]]]:
    csv.field_size_limit(10**8)
    for name, pattern, columns in (
        ("aci_bench dialogues + notes", "nlp/aci_bench/*.csv", ("dialogue", "note")),
        ("MTS-Dialog dialogues + sections", "nlp/mts_dialog/*.csv", ("dialogue", "section_text")),
    ):
        texts: list[str] = []
        for path in sorted(DATA.glob(pattern)):
            if "metadata" in path.name:
                continue
            with path.open(newline="") as f:
                texts += [row[c] for row in csv.DictReader(f) for c in columns if row.get(c)]
        yield name, texts[:limit]
    yield "consultation references (speech/medical)", [p.read_text() for p in sorted(DATA.glob("speech/medical/*.txt"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="texts per corpus (default: all)")
    args = parser.parse_args()
    if not (DATA / "nlp").is_dir():
        sys.exit(f"no data at {DATA} (set VOXGATE_DATA)")
    from asr.medical.correction import correct_text

    rows, all_changes = [], Counter()
    for name, texts in corpora(args.limit):
        started = time.perf_counter()
        changes: Counter[tuple[str, str]] = Counter()
        for text in texts:
            changes.update(correct_text(text)[1])
        words = sum(len(t.split()) for t in texts)
        rows.append((name, len(texts), words, sum(changes.values()), time.perf_counter() - started))
        all_changes += changes
    print("| corpus (right text: every change is a fix of its misspelling or harm) | texts | words | changes | "
          "per 100k words | seconds |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for name, n, words, changed, seconds in rows:
        print(f"| {name} | {n} | {words} | {changed} | {changed / max(words, 1) * 1e5:.1f} | {seconds:.1f} |")
    print("\nchanges (old -> new: count):")
    for (old, new), count in all_changes.most_common():
        print(f"  {old} -> {new}: {count}")
    phrase_proposals(args.limit)


def phrase_proposals(limit: int | None) -> None:
    """Near-missed clinical phrases (asr.medical.phrases) proposed in right text, a sentence at a time as the engine
    sees a clip: each is a right word only the acoustic check (asr.engines.rescoring) keeps from being changed."""
    import re

    from asr.medical.phrases import candidates

    print("\n| corpus (right text: every proposal is one the acoustic check must refuse) | sentences | words | "
          "proposals | per 100k words |\n|---|---|---|---|---|")  # fmt: skip
    proposed: Counter[tuple[str, str]] = Counter()
    for name, texts in corpora(limit):
        sentences = [s for t in texts for s in re.split(r"(?<=[.?!])\s+|\n+", t) if s.strip()]
        found = [(c.old.lower(), c.phrase) for s in sentences for c in candidates(s)]
        proposed.update(found)
        words = sum(len(s.split()) for s in sentences)
        print(f"| {name} | {len(sentences)} | {words} | {len(found)} | {len(found) / max(words, 1) * 1e5:.1f} |")
    print("\nmost proposed (word as written -> phrase: count):")
    for (old, phrase), count in proposed.most_common(25):
        print(f"  {old} -> {phrase}: {count}")


if __name__ == "__main__":
    main()
