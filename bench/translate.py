"""Translation quality and speed on FLORES-200 devtest (first 500 sentences in ../shared/data/translate/flores).

For every installed pair (direct or pivoted) whose two languages FLORES covers here: BLEU and chrF
(sacrebleu) and sentences per second; the Apertium trial figures named in the issue are the baseline.

    .venv/bin/python bench/translate.py [--limit 200] [--pairs en-es,en-ca] [--engine apertium]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import sacrebleu
from rich.console import Console
from rich.table import Table

import nlp
from nlp.translate import languages
from workers import Priority, make_pool

FLORES = {"en": "eng", "es": "spa", "ca": "cat", "de": "deu", "fr": "fra"}
# Trial figures on this machine (issue 6): Apertium chrF.
BASELINE_CHRF = {("en", "es"): 44.2, ("en", "ca"): 51.9}
BATCH = 50


def data_dir() -> Path:
    return Path(os.environ.get("VOXGATE_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=200, help="sentences per pair (max 500)")
    parser.add_argument("--pairs", default="", help="comma-separated src-tgt pairs (default: all covered)")
    parser.add_argument("--engine", default="apertium")
    parser.add_argument("--model", default=None, help="ctranslate2: model directory")
    args = parser.parse_args()

    flores = data_dir() / "translate" / "flores"
    lines = {
        code: (flores / f"{name}.devtest.500").read_text().splitlines()[: args.limit] for code, name in FLORES.items()
    }
    reachable = languages(args.engine) if args.engine == "apertium" else {}
    if args.pairs:
        pairs = [tuple(p.split("-")) for p in args.pairs.split(",")]
    else:
        pairs = [(s, t) for s, ts in reachable.items() for t in ts if s in FLORES and t in FLORES]
    pool = make_pool()
    table = Table(title=f"FLORES devtest, {args.limit} sentences, engine {args.engine}")
    for column in ("pair", "route", "BLEU", "chrF", "baseline chrF", "ratio", "sent/s"):
        table.add_column(column, justify="right" if column not in ("pair", "route") else "left")
    for source, target in pairs:
        hyps: list[str] = []
        started = time.perf_counter()
        route = None
        for i in range(0, len(lines[source]), BATCH):
            result = nlp.translate(
                lines[source][i : i + BATCH], target, source, engine=args.engine, model=args.model, pool=pool,
                priority=Priority.BATCH,
            )  # fmt: skip
            hyps += result.translations
            route = result.route
        seconds = time.perf_counter() - started
        refs = [lines[target]]
        bleu = sacrebleu.corpus_bleu(hyps, refs).score
        chrf = sacrebleu.corpus_chrf(hyps, refs).score
        base = BASELINE_CHRF.get((source, target))
        table.add_row(
            f"{source}-{target}", "-".join(route or []), f"{bleu:.1f}", f"{chrf:.1f}",
            f"{base:.1f}" if base else "-", f"{chrf / base:.3f}" if base else "-", f"{len(hyps) / seconds:.1f}",
        )  # fmt: skip
    pool.shutdown()
    Console().print(table)


if __name__ == "__main__":
    main()
