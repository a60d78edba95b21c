"""Visit notes from consultations (ACI-BENCH): ROUGE-1/2/L full note and per section, against the baselines
recomputed in the same run (copying the transcript; the nearest training note by embedding).

    .venv/bin/python -m bench.notes                      # test1 and test2 (measured only)
    .venv/bin/python -m bench.notes --splits valid       # the tuning split

Tuned on: ACI-BENCH train + valid and MTS-Dialog train + valid. Measured only: test1 (taskB) and test2 (taskC).
Data: $VOXGATE_DATA/nlp/aci_bench and nlp/mts_dialog. Prints tables; writes bench/out/notes_bench.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's packages before bench/*.py names

from notes.data import Encounter, aci_bench  # noqa: E402
from notes.sections import SECTIONS, split_note  # noqa: E402
from notes.vectors import Embedder, mean_vector, pool_embedder  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
METRICS = ("rouge1", "rouge2", "rougeL")


def cached_embedder(base: Embedder, path: Path) -> Embedder:
    """Same vectors, kept on disk between runs (quality only; speed is measured without it)."""
    store: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as z:
            store = {k: z[k] for k in z.files}

    def embed(texts: Sequence[str]) -> np.ndarray:
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in store}.items())
        if missing:
            vectors = base([t for _, t in missing])
            store.update({k: v for (k, _), v in zip(missing, vectors, strict=True)})
            np.savez(path, **store)
        return np.stack([store[k] for k in keys]) if keys else base([])

    return embed


def dialogue_text(enc: Encounter) -> str:
    return "\n".join(f"[{'doctor' if t.speaker == 'clinician' else 'patient'}] {t.text}" for t in enc.turns)


def scorer() -> Callable[[str, str], dict[str, float]]:
    from rouge_score import rouge_scorer

    s = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    return lambda ref, pred: {m: 100 * v.fmeasure for m, v in s.score(ref, pred).items()}


def evaluate(golds: list[str], preds: list[str], score: Callable[[str, str], dict[str, float]]) -> dict:
    full = [score(g, p) for g, p in zip(golds, preds, strict=True)]
    out: dict = {m: float(np.mean([f[m] for f in full])) for m in METRICS}
    sections: dict[str, list[float]] = {}
    for g, p in zip(golds, preds, strict=True):
        gs, ps = split_note(g), split_note(p)
        for name, text in gs.items():
            sections.setdefault(name, []).append(score(text, ps.get(name, ""))["rouge1"] if ps.get(name) else 0.0)
    out["sections"] = {k: (float(np.mean(v)), len(v)) for k, v in sections.items()}
    out["words"] = float(np.mean([len(p.split()) for p in preds]))
    return out


def nearest_notes(train: list[Encounter], test: list[Encounter], embed: Embedder) -> list[str]:
    def vec(enc: Encounter) -> np.ndarray:
        return mean_vector(embed([t.text for t in enc.turns]))

    bank = np.stack([vec(e) for e in train])
    return [train[int(np.argmax(bank @ vec(e)))].note for e in test]


ABLATIONS: dict[str, dict] = {
    "voxgate note builder": {},
    "  without templates": {"templates": False},
    "  without yes/no answers": {"answers": False},
    "  without rewriting": {"rewrite": False},
    "  without body-system labels": {"systems": False},
    "  without the agreement line": {"agreement": False},
    "  without entity-written sections": {"findings": False},
    "  without the allergies section": {"allergies": False},
    "  as before issue 20's second pass (no entity-written sections, questions kept)": {
        "findings": False,
        "questions": False,
    },
}


def builder_systems(
    test: list[Encounter], embed: Embedder, args: argparse.Namespace, split: str
) -> dict[str, list[str]]:
    from notes.builder import BuilderConfig, build_note
    from notes.model import load_model

    model = load_model(str(args.model) if args.model else None)
    base = json.loads(args.config) if args.config else {}
    out: dict[str, list[str]] = {}
    wanted = [
        (name, change)
        for name, change in ABLATIONS.items()
        if not change or (args.ablation is not None and (not args.ablation or any(a in name for a in args.ablation)))
    ]
    for name, change in wanted:
        config = BuilderConfig(**{**base, **change})
        built = [build_note(e.turns, embed=embed, model=model, config=config) for e in test]
        out[name] = [n.text for n in built]
        if not change:
            write_evidence_sample(split, test, built, args.evidence_sample)
    return out


def write_evidence_sample(split: str, test: list[Encounter], built: list, n: int) -> None:
    """N items drawn at random (seed 0) with the turns they cite, for checking by hand."""
    import random

    items = [(e, s.name, item) for e, note in zip(test, built, strict=True) for s in note.sections for item in s.items]
    lines = []
    for e, section, item in random.Random(0).sample(items, min(n, len(items))):
        lines.append(f"## {e.id} {section}\nITEM: {item.text}")
        lines += [f"  [{i}] {e.turns[i].speaker}: {e.turns[i].text}" for i in item.evidence]
        lines.append("")
    (OUT / f"notes_evidence_{split}.txt").write_text("\n".join(lines))


def entity_share(golds: list[str], preds: list[str]) -> dict[str, float]:
    """Share of the gold notes' medications and affirmed problems (by asr's entity extractor, normalised names)
    that the system's note names too."""
    from asr.medical import detect_entities

    def names(text: str) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {"MEDICATION": set(), "MEDICAL_CONDITION": set()}
        for e in detect_entities(text, phi=False):
            if e.category in out and "NEGATION" not in e.traits:
                out[e.category].add((e.normalized or e.text).lower())
        return out

    found = {"MEDICATION": [0, 0], "MEDICAL_CONDITION": [0, 0]}
    for g, p in zip(golds, preds, strict=True):
        gn, pn = names(g), names(p)
        for k in found:
            found[k][0] += len(gn[k] & pn[k])
            found[k][1] += len(gn[k])
    return {k: 100 * a / max(1, b) for k, (a, b) in found.items()}


def speed(test: list[Encounter]) -> None:
    """The longest consultation's note, embeddings not cached (MiniLM on the pool), after one warm-up note."""
    import torch

    from notes import make_note

    longest = max(test, key=lambda e: sum(len(t.text.split()) for t in e.turns))
    make_note(test[0].turns)
    t0 = time.perf_counter()
    make_note(longest.turns)
    seconds = time.perf_counter() - t0
    words = sum(len(t.text.split()) for t in longest.turns)
    print(f"\nspeed: the longest consultation ({longest.id}: {len(longest.turns)} turns, {words} words, about "
          f"{words / 150:.0f} min at 150 words/min): note in {seconds:.2f} s (make_note, MiniLM not cached, "
          f"torch threads {torch.get_num_threads()})")  # fmt: skip


def print_table(split: str, results: dict[str, dict], copy_name: str) -> None:
    print(f"\n{split}: full note, ROUGE F1 x100 (rouge-score, stemming on), mean over {results['n']} encounters")
    print(
        "| system | ROUGE-1 | ROUGE-2 | ROUGE-L | words | R-1 minus copy | R-1 / copy |\n|---|---|---|---|---|---|---|"
    )
    copy = results["systems"][copy_name]["rouge1"]
    for name, r in results["systems"].items():
        print(f"| {name} | {r['rouge1']:.1f} | {r['rouge2']:.1f} | {r['rougeL']:.1f} | {r['words']:.0f} | "
              f"{r['rouge1'] - copy:+.1f} | {r['rouge1'] / copy:.2f}x |")  # fmt: skip
    print(f"\n{split}: ROUGE-1 per section (gold split by its headers; a section the system lacks scores 0)")
    names = [n for n in SECTIONS if any(n in r["sections"] for r in results["systems"].values())]
    print("| system | " + " | ".join(f"{n} (n)" for n in names) + " |\n|---|" + "---|" * len(names))
    for name, r in results["systems"].items():
        cells = [f"{r['sections'][n][0]:.1f} ({r['sections'][n][1]})" if n in r["sections"] else "-" for n in names]
        print(f"| {name} | " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splits", nargs="+", default=["test1", "test2"])
    parser.add_argument("--limit", type=int, default=0, help="first N encounters of each split (0: all)")
    parser.add_argument("--no-cache", action="store_true", help="embed again instead of bench/out's cache")
    parser.add_argument("--model", type=Path, default=None, help="a notes.train output (default: notes/model)")
    parser.add_argument("--config", default="", help='BuilderConfig overrides as JSON, e.g. {"threshold": 0.4}')
    parser.add_argument(
        "--ablation",
        nargs="*",
        default=None,
        help="also the builder without each of its parts (or only the rows naming a word given)",
    )
    parser.add_argument("--baselines-only", action="store_true")
    parser.add_argument("--speed", action="store_true", help="time the longest consultation's note, uncached")
    parser.add_argument("--evidence-sample", type=int, default=30, help="items written out for a hand check")
    args = parser.parse_args()
    data = Path(os.environ.get("VOXGATE_DATA", "../shared/data"))
    if not (data / "nlp" / "aci_bench").exists():
        sys.exit(f"no ACI-BENCH under {data}/nlp/aci_bench (set VOXGATE_DATA)")
    OUT.mkdir(exist_ok=True)
    embed = pool_embedder()
    if not args.no_cache:
        embed = cached_embedder(embed, OUT / "notes_vectors.npz")
    score = scorer()
    train = aci_bench(data, "train") + aci_bench(data, "valid")
    report: dict = {}
    for split in args.splits:
        test = aci_bench(data, split)
        # retrieval must not find the encounter itself
        ids = {t.id for t in test} if split in ("train", "valid") else set()
        train_pool = [e for e in train if e.id not in ids]
        test = test[: args.limit] if args.limit else test
        golds = [e.note for e in test]
        systems: dict[str, list[str]] = {
            "copy transcript": [dialogue_text(e) for e in test],
            "nearest training note": nearest_notes(train_pool, test, embed),
        }
        if not args.baselines_only:
            systems.update(builder_systems(test, embed, args, split))
        results = {"n": len(test), "systems": {k: evaluate(golds, v, score) for k, v in systems.items()}}
        print_table(split, results, "copy transcript")
        print(f"\n{split}: share of the gold notes' medications and affirmed problems (asr entity extractor) named")
        print("| system | medications % | problems % |\n|---|---|---|")
        for name, preds in systems.items():
            if name.startswith("  "):
                continue
            share = entity_share(golds, preds)
            results["systems"][name]["entities"] = share
            print(f"| {name} | {share['MEDICATION']:.1f} | {share['MEDICAL_CONDITION']:.1f} |")
        if args.speed and not args.baselines_only:
            speed(test)
        report[split] = results
    (OUT / "notes_bench.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    print(f"\n({time.perf_counter() - t0:.0f} s)")
