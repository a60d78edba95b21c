"""Call analytics bench: sentiment vs VADER, neutral calibration, PII recall, planted-fact recovery, speed, WER.

    .venv/bin/python bench/calls.py                       # sentiment + PII (text) tables
    .venv/bin/python bench/calls.py --calls bench/out/calls   # + generated calls (bench/make_calls.py output)
    .venv/bin/python bench/calls.py --medical 1           # + speaker-attributed WER on N medical consultations

Prints tables; writes bench/out/calls_bench.json.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repo's packages before bench/*.py names

from nlp.sentiment import detect_sentiment  # noqa: E402
from workers import Priority, make_pool  # noqa: E402


def f1_macro(y: list[int], p: list[int]) -> float:
    out = []
    for c in set(y):
        tp = sum(1 for a, b in zip(y, p, strict=True) if a == c and b == c)
        fp = sum(1 for a, b in zip(y, p, strict=True) if a != c and b == c)
        fn = sum(1 for a, b in zip(y, p, strict=True) if a == c and b != c)
        out.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(out) / len(out)


def _trained_layers() -> int:
    from nlp.sentiment.model import weights_dir

    return int(json.loads((weights_dir() / "meta.json").read_text())["trainable_layers"])


def sentiment_bench(data: Path, pool) -> dict:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    rows = list(csv.DictReader((data / "nlp/sst2/glue_dev_a.tsv").open(), delimiter="\t", quoting=csv.QUOTE_NONE))
    texts = [r["sentence"].strip() for r in rows]
    y = [int(r["label"]) for r in rows]
    t0 = time.perf_counter()
    res = detect_sentiment(texts, pool, Priority.BATCH)
    ours_s = time.perf_counter() - t0
    ours = [1 if r.scores.Positive >= r.scores.Negative else 0 for r in res]
    strict = [
        1 if r.label == "POSITIVE" else 0 if r.label == "NEGATIVE" else -1 for r in res
    ]  # NEUTRAL / MIXED count as wrong
    vader = SentimentIntensityAnalyzer()
    vad = [1 if vader.polarity_scores(t)["compound"] >= 0 else 0 for t in texts]
    acc = lambda p: sum(a == b for a, b in zip(y, p, strict=True)) / len(y)  # noqa: E731
    labels = {k: sum(r.label == k for r in res) for k in ("POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED")}
    out = {
        "n": len(y),
        "ours_acc": acc(ours),
        "ours_f1": f1_macro(y, ours),
        "ours_strict_acc": acc(strict),
        "vader_acc": acc(vad),
        "vader_f1": f1_macro(y, vad),
        "ours_labels": labels,
        "ours_texts_per_s": len(texts) / ours_s,
    }
    print(f"\nSentiment on glue_dev_a.tsv ({len(y)} sentences; binary decision P(pos) vs P(neg))")
    print("| model | accuracy | macro-F1 |\n|---|---|---|")
    print(f"| VADER (compound >= 0) | {out['vader_acc']:.3f} | {out['vader_f1']:.3f} |")
    print(f"| MiniLM top-{_trained_layers()} fine-tuned | {out['ours_acc']:.3f} | {out['ours_f1']:.3f} |")
    print(
        f"| ratio ours / VADER | {out['ours_acc'] / out['vader_acc']:.2f}x | {out['ours_f1'] / out['vader_f1']:.2f}x |"
    )
    print(f"4-way labels on the same set: {labels}; strict accuracy (NEUTRAL/MIXED wrong) {out['ours_strict_acc']:.3f}")
    return out


def neutral_bench(data: Path, pool) -> dict:
    """Plainly factual ABCD turns (identifiers only: names, e-mails, order ids, usernames) should be NEUTRAL."""
    convos = json.loads((data / "nlp/abcd/abcd_sample.json").read_text())
    facts = []
    for c in convos:
        values = [str(v).lower() for part in c["scenario"].values() if isinstance(part, dict) for v in part.values()]
        for spk, text in c["original"]:
            if spk == "customer" and any(v and len(v) > 3 and v in text.lower() for v in values):
                facts.append(text)
    res = detect_sentiment(facts, pool, Priority.BATCH) if facts else []
    share = sum(r.label == "NEUTRAL" for r in res) / max(1, len(res))
    print(f"\nFactual ABCD customer turns carrying identifiers: {share:.0%} NEUTRAL of {len(res)}")
    for t, r in zip(facts, res, strict=True):
        if r.label != "NEUTRAL":
            print(f"  not neutral: {r.label} {t!r}")
    return {"n": len(res), "neutral_share": share}


def pii_text_bench(pool) -> dict:
    """Recall on PII planted in sentences (the generator's templates, 20 seeds)."""
    import random

    from bench.make_calls import plant_pii  # type: ignore[import-not-found]
    from nlp.pii import detect_pii

    planted = [p for s in range(20) for p in plant_pii(random.Random(s))]
    found = detect_pii([sent for _, _, sent in planted], pool)
    per: dict[str, list[int]] = {}
    for (typ, value, sent), ents in zip(planted, found, strict=True):
        a = sent.index(value)
        hit = any(e.start <= a and e.end >= a + len(value) for e in ents)
        per.setdefault(typ, []).append(int(hit))
    recall = sum(sum(v) for v in per.values()) / sum(len(v) for v in per.values())
    print(f"\nPII recall on planted sentences: {recall:.1%} ({sum(len(v) for v in per.values())} values)")
    for typ, v in per.items():
        print(f"  {typ}: {sum(v)}/{len(v)}")
    return {"recall": recall, "per_type": {k: sum(v) / len(v) for k, v in per.items()}}


def _leaks(value: str, text: str) -> bool:
    """The planted value (or, for numbers, its last four digits) is in the text."""
    text = text.lower()
    digits = re.sub(r"\D", "", value)
    return value.lower() in text or (len(digits) >= 4 and digits[-4:] in re.sub(r"\D", "", text))


def _heard_after_redaction(wav: Path, pool, model: str) -> str:
    """What ASR hears on the customer channel (1) of a redacted recording: planted PII must not come back."""
    import asr

    audio = asr.decode(wav)
    opts = asr.TranscribeOptions(model=model, language="en")
    return " ".join(s.text for s in asr.transcribe(audio.channels[1], opts, pool=pool).segments)


def calls_bench(folder: Path, pool, model: str, parallel: int) -> dict:
    from calls import CallOptions, run_batch

    manifest = json.loads((folder / "manifest.json").read_text())
    files = [folder / n for n in manifest]
    out = Path("bench/out/calls_results")
    if out.exists():
        import shutil

        shutil.rmtree(out)
    t0 = time.perf_counter()
    run_batch(files, out, CallOptions(asr_model=model, redact_audio="bleep"), pool=pool, parallel=parallel)
    wall = time.perf_counter() - t0
    audio = sum(t["duration"] for t in manifest.values())
    rows, pii_hit, pii_n, sil_hit, sil_n, int_hit, int_n, audio_hit = [], 0, 0, 0, 0, 0, 0, 0
    for name, truth in manifest.items():
        r = json.loads((out / "calls" / f"{name}.json").read_text())
        errs = {
            p: abs(r["parties"][p]["talk_time"] - truth["talk_time"][p]) / truth["talk_time"][p]
            for p in truth["talk_time"]
        }
        text = " ".join(t["text"] for t in r["turns"]).lower()
        redacted = r.get("redacted_audio")
        heard = _heard_after_redaction(out / redacted["file"], pool, model) if redacted else None
        for p in truth["pii"]:
            pii_n += 1
            pii_hit += not _leaks(p["value"], text)
            audio_hit += heard is not None and not _leaks(p["value"], heard)
        for s in truth["silences"]:
            sil_n += 1
            sil_hit += any(abs(g["start"] - s["start"]) < 0.5 and abs(g["end"] - s["end"]) < 0.5 for g in r["silences"])
        for i in truth["interruptions"]:
            int_n += 1
            int_hit += any(x["by"] == i["by"] and abs(x["at"] - i["at"]) < 0.5 for x in r["interruptions"])
        rows.append((name, truth["duration"], errs["agent"], errs["customer"]))
    print(f"\nGenerated calls ({len(files)}, {audio:.0f} s of audio, ASR {model}, {parallel} in parallel)")
    print("| call | s | agent talk-time error | customer talk-time error |\n|---|---|---|---|")
    for name, d, ea, ec in rows:
        print(f"| {name} | {d:.0f} | {ea:.1%} | {ec:.1%} |")
    per_hour = 3600 / (wall / audio * 300)
    print(
        f"silences recovered {sil_hit}/{sil_n}; interruptions {int_hit}/{int_n}; "
        f"PII redacted from the transcripts {pii_hit}/{pii_n}; "
        f"not heard again by ASR in the bleeped audio {audio_hit}/{pii_n}"
    )
    print(
        f"processing {wall:.0f} s for {audio:.0f} s of audio (RTF {wall / audio:.2f}) "
        f"-> {per_hour:.1f} five-minute calls/hour"
    )
    return {
        "calls": len(files),
        "max_talk_time_error": max(max(ea, ec) for _, _, ea, ec in rows),
        "silences": [sil_hit, sil_n],
        "interruptions": [int_hit, int_n],
        "pii_redacted": [pii_hit, pii_n],
        "pii_gone_from_bleeped_audio": [audio_hit, pii_n],
        "rtf": wall / audio,
        "five_minute_calls_per_hour": per_hour,
    }


def _words(text: str) -> list[str]:
    text = re.sub(r"\b(um+|uh+|hmm+|mm+|ah+)\b", " ", text.lower().replace("okay", "ok"))
    return re.findall(r"[a-z0-9']+", text)


def _edits(ref: list[str], hyp: list[str]) -> int:
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1]


def medical_bench(data: Path, pool, n: int, model: str) -> dict:
    """Speaker-attributed WER: words per speaker (D/P vs the two clusters, best mapping), summed edits / ref words."""
    from calls import CallOptions, analyze_call

    results = []
    for mp3 in sorted((data / "speech/medical").glob("*.mp3"))[:n]:
        ref: dict[str, list[str]] = {"D": [], "P": []}
        ref_all: list[str] = []
        for line in mp3.with_suffix(".txt").read_text().splitlines():
            m = re.match(r"\[\w-\d+\]\s*([DP]):\s*(.*)", line.strip())
            if m:
                ref[m.group(1)] += _words(m.group(2))
                ref_all += _words(m.group(2))
        t0 = time.perf_counter()
        r = analyze_call(mp3, CallOptions(asr_model=model, redact_pii=False), pool=pool)
        wall = time.perf_counter() - t0
        hyp = {"agent": [], "customer": []}
        for t in r.turns:
            hyp[t.speaker] += _words(t.text)
        plain = _edits(ref_all, [w for t in r.turns for w in _words(t.text)])  # speaker-blind WER, time order
        a = _edits(ref["D"], hyp["agent"]) + _edits(ref["P"], hyp["customer"])
        b = _edits(ref["D"], hyp["customer"]) + _edits(ref["P"], hyp["agent"])
        total = len(ref["D"]) + len(ref["P"])
        results.append(
            {"file": mp3.name, "sa_wer": min(a, b) / total, "concat_wer": plain / total, "rtf": wall / r.duration}
        )
        print(
            f"{mp3.name}: speaker-attributed WER {min(a, b) / total:.1%}, speaker-blind WER {plain / total:.1%} "
            f"(RTF {wall / r.duration:.2f})",
            flush=True,
        )
    return {"files": results}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("VOXGATE_DATA", "../shared/data")))
    ap.add_argument("--calls", type=Path, help="a bench/make_calls.py output folder")
    ap.add_argument("--medical", type=int, default=0, help="medical consultations to score (7-12 min each)")
    ap.add_argument("--model", default="tiny.en")
    ap.add_argument("--parallel", type=int, default=2)
    args = ap.parse_args()
    pool = make_pool()
    report = {"sentiment": sentiment_bench(args.data, pool), "neutral": neutral_bench(args.data, pool)}
    report["pii_text"] = pii_text_bench(pool)
    if args.calls:
        report["calls"] = calls_bench(args.calls, pool, args.model, args.parallel)
    if args.medical:
        report["medical"] = medical_bench(args.data, pool, args.medical, args.model)
    Path("bench/out").mkdir(parents=True, exist_ok=True)
    Path("bench/out/calls_bench.json").write_text(json.dumps(report, indent=1))
    pool.shutdown()


if __name__ == "__main__":
    main()
