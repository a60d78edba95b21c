"""A folder of calls: list the inputs, analyse them in parallel with resumable per-call results, summarise."""

from __future__ import annotations

import glob
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from calls.analyze import analyze_call
from calls.rules import CategoryRule
from calls.schema import BatchSummary, CallOptions, CallResult
from workers import ModelPool, Priority

AUDIO_SUFFIXES = {".wav", ".mp3", ".flac", ".ogg", ".m4a", ".webm", ".opus", ".aac"}
MAX_CALLS = 10_000


class BatchInputError(ValueError):
    pass


def list_calls(pattern: str | Path) -> list[Path]:
    """A directory (its audio files, sorted) or a glob; BatchInputError when nothing matches."""
    path = Path(pattern)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)
        if not files:
            raise BatchInputError(f"{path} has no audio files ({', '.join(sorted(AUDIO_SUFFIXES))})")
    else:
        files = sorted(Path(p) for p in glob.glob(str(pattern), recursive=True) if Path(p).is_file())
        if not files:
            raise BatchInputError(f"no files match {pattern}")
    if len(files) > MAX_CALLS:
        raise BatchInputError(f"{len(files)} files; at most {MAX_CALLS} calls per batch")
    return files


def result_name(call: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", call) + ".json"


def redacted_audio_name(call: str) -> str:
    """Where a call's redacted recording goes, relative to the batch output directory."""
    return "audio/" + re.sub(r"[^A-Za-z0-9._-]", "_", call) + ".redacted.wav"


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def run_batch(
    files: Sequence[Path],
    out_dir: Path,
    options: CallOptions | None = None,
    rules: Sequence[CategoryRule] = (),
    *,
    names: Sequence[str] | None = None,
    pool: ModelPool | None = None,
    parallel: int = 2,
    priority: int = Priority.BATCH,
    on_done: Callable[[int, int, CallResult], None] | None = None,
    check: Callable[[], None] | None = None,
) -> BatchSummary:
    """Analyse every file, writing `out_dir/calls/<name>.json` as each finishes (and, with
    `options.redact_audio`, `out_dir/audio/<name>.redacted.wav` just before it); calls whose JSON exists are
    skipped, so a re-run after a crash or restart resumes where it stopped. Writes and returns the summary."""
    calls_dir = out_dir / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    names = list(names or [f.name for f in files])
    results: dict[str, CallResult] = {}
    todo = []
    for f, n in zip(files, names, strict=True):
        done = calls_dir / result_name(n)
        if done.exists():
            results[n] = CallResult.model_validate_json(done.read_text())
        else:
            todo.append((f, n))
    finished = len(results)

    def one(f: Path, n: str) -> CallResult:
        if check:
            check()
        try:
            audio = redacted_audio_name(n)
            return analyze_call(
                f, options, rules, name=n, pool=pool, priority=priority, audio_out=out_dir / audio, audio_out_name=audio
            )
        except Exception as exc:  # a broken call fails alone; the batch goes on
            if type(exc).__name__ in ("JobCancelled", "JobInterrupted"):
                raise
            return CallResult(call=n, status="error", error=f"{type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as ex:
        futures = {ex.submit(one, f, n): n for f, n in todo}
        for fut in as_completed(futures):
            res = fut.result()
            _write_atomic(calls_dir / result_name(res.call), res.model_dump_json(indent=1))
            results[res.call] = res
            finished += 1
            if on_done:
                on_done(finished, len(names), res)
    summary = summarize([results[n] for n in names])
    _write_atomic(out_dir / "summary.json", summary.model_dump_json(indent=1))
    return summary


def summarize(results: Sequence[CallResult]) -> BatchSummary:
    ok = [r for r in results if r.status == "ok"]
    cats = Counter(c.name for r in ok for c in r.categories)
    trends = []
    for r in ok:
        q = [
            x
            for x in (r.parties.get("customer").sentiment_by_quarter if "customer" in r.parties else [])
            if x is not None
        ]
        if len(q) >= 2:
            trends.append(
                {"call": r.call, "trend": round(q[-1] - q[0], 3), "sentiment": r.parties["customer"].sentiment}
            )
    trends.sort(key=lambda t: t["trend"])
    return BatchSummary(
        calls=len(results),
        succeeded=len(ok),
        failed=[{"call": r.call, "error": r.error or ""} for r in results if r.status != "ok"],
        customer_sentiment=dict(Counter(r.parties["customer"].sentiment_label for r in ok if "customer" in r.parties)),
        top_categories=[{"name": k, "calls": v} for k, v in cats.most_common(10)],
        average_handle_time=round(sum(r.duration for r in ok) / len(ok), 1) if ok else None,
        worst_customer_trend=trends[:5],
    )


def load_results(out_dir: Path) -> tuple[BatchSummary | None, list[CallResult]]:
    summary_path = out_dir / "summary.json"
    summary = BatchSummary.model_validate_json(summary_path.read_text()) if summary_path.exists() else None
    calls = [CallResult.model_validate_json(p.read_text()) for p in sorted((out_dir / "calls").glob("*.json"))]
    return summary, calls


def dump_rules(rules: Sequence[CategoryRule]) -> str:
    return json.dumps([r.model_dump(exclude_none=True) for r in rules])
