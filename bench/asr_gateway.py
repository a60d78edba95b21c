"""The consultations through the gateway as a user sends them: a real uvicorn server with every module on its
defaults (Rasa sidecars and the voice bots' prewarm included), the official `openai` client's
`audio.transcriptions.create(model="whisper-1")`, each recording whole, sent one after another as soon as `/readyz`
answers 200; plain faster-whisper (its defaults, the same model, the same thread count) on the same files in the same
run, in its own process, as the baseline. A table, not a test.

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.asr_gateway [--threads 2] [--ids RES0205 RES0205] [--no-plain]

Per recording: seconds through the gateway (the client's wall time: upload, decode, transcription, JSON) and plain's
seconds, their ratio, WER and medical-term edits of both (bench.asr's normaliser and medwer's term list). Split: tune
= RES0198-0202 (defaults chosen on these), held-out = RES0203-0207 (measured only).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
DATA = Path(os.environ.get("VOXGATE_DATA", REPO.parent / "shared" / "data"))
READY_TIMEOUT_S = 600
SHUTDOWN_TIMEOUT_S = 120


def _start_gateway(work_dir: Path) -> tuple[object, threading.Thread, str, float]:
    """A uvicorn server on a free port with the gateway on its defaults (its database and artifacts in `work_dir`);
    returns the server, the thread it runs in, its base URL and the seconds until /readyz answered 200."""
    import httpx
    import uvicorn

    from api.app import create_app
    from api.settings import Settings
    from tests.server import free_port

    settings = Settings(database_url=f"sqlite:///{work_dir / 'db.sqlite'}", artifact_dir=work_dir / "artifacts")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    started = time.perf_counter()
    thread = threading.Thread(target=server.run, name="gateway", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - started < READY_TIMEOUT_S:
        try:
            if httpx.get(f"{url}/readyz", timeout=5).status_code == 200:
                return server, thread, url, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    sys.exit(f"the gateway was not ready after {READY_TIMEOUT_S} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ids", nargs="*", help="recordings (default: the ten); an id twice is sent twice")
    parser.add_argument("--no-plain", action="store_true", help="skip plain faster-whisper")
    parser.add_argument("--model", default="base", help="plain faster-whisper's model (the gateway's default)")
    parser.add_argument("--format", default="json", choices=["json", "verbose_json", "text"],
                        help="response_format (the client's default json; verbose_json adds word times)")  # fmt: skip
    parser.add_argument("--threads", type=int, help="CTranslate2 threads, gateway and plain (VOXGATE_ASR_CPU_THREADS)")
    args = parser.parse_args()
    if args.threads:  # read by the gateway's AsrSettings and by plain's process alike
        os.environ["VOXGATE_ASR_CPU_THREADS"] = str(args.threads)
    medical_dir = DATA / "speech" / "medical"
    if not medical_dir.is_dir():
        sys.exit(f"no consultations at {medical_dir} (set VOXGATE_DATA)")
    import openai

    import asr
    from bench.asr import HELD_OUT, TUNE, Config, Job, medical_terms, normalizer, run_isolated, score

    ids = args.ids or TUNE + HELD_OUT
    paths = {rid: medical_dir / f"{rid}.mp3" for rid in ids}
    norm, terms = normalizer(), medical_terms()
    unique = list(dict.fromkeys(ids))
    plain: dict | None = None
    if not args.no_plain:
        job = Job(Config(f"{args.model} baseline", args.model, "baseline"), [(r, str(paths[r]), None) for r in unique])
        plain = run_isolated(job)
    # Seconds of audio per recording: plain's run measured them; without it, each file is decoded once, here.
    durations = plain["durations"] if plain else {r: asr.decode(paths[r].read_bytes()).duration for r in unique}
    server, gateway, url, ready_s = _start_gateway(Path(tempfile.mkdtemp(prefix="voxgate-bench-")))
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="bench", max_retries=0, timeout=1800)
    threads = os.environ.get("VOXGATE_ASR_CPU_THREADS", "default")
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, cpus={os.cpu_count()}, threads={threads}, "
          f"response_format={args.format}, /readyz after {ready_s:.1f} s; plain: faster-whisper {args.model}, its "
          "defaults, its own process")  # fmt: skip
    print("| # | id | split | audio s | gateway s | plain s | time vs plain | WER gateway | WER plain "
          "| term edits gateway | term edits plain |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    totals = {"gateway": 0.0, "plain": 0.0, "edits": 0, "plain_edits": 0, "words": 0, "term": 0, "plain_term": 0,
              "term_words": 0}  # fmt: skip
    for index, rid in enumerate(ids, 1):
        reference = paths[rid].with_suffix(".txt").read_text()
        started = time.perf_counter()
        with paths[rid].open("rb") as audio:
            answer = client.audio.transcriptions.create(model="whisper-1", file=audio, response_format=args.format)
        seconds = time.perf_counter() - started
        text = answer if isinstance(answer, str) else answer.text
        ours = score(reference, text, norm, terms, False)
        row = [str(index), rid, "tune" if rid in TUNE else "held-out", f"{durations[rid]:.0f}", f"{seconds:.1f}"]
        totals["gateway"] += seconds
        totals["edits"] += ours["edits"]
        totals["words"] += ours["words"]
        totals["term"] += ours["med_edits"]
        totals["term_words"] += ours["med_words"]
        if plain is not None:
            base = score(reference, plain["texts"][rid], norm, terms, False)
            plain_s = plain["per_file"][rid]
            totals["plain"] += plain_s
            totals["plain_edits"] += base["edits"]
            totals["plain_term"] += base["med_edits"]
            row += [f"{plain_s:.1f}", f"{seconds / plain_s:.2f}", f"{ours['edits'] / ours['words']:.1%}",
                    f"{base['edits'] / base['words']:.1%}", f"{ours['med_edits']}/{ours['med_words']}",
                    f"{base['med_edits']}/{base['med_words']}"]  # fmt: skip
        else:
            row += ["-", "-", f"{ours['edits'] / ours['words']:.1%}", "-", f"{ours['med_edits']}/{ours['med_words']}",
                    "-"]  # fmt: skip
        print("| " + " | ".join(row) + " |", flush=True)
    words, term_words = max(1, totals["words"]), max(1, totals["term_words"])
    line = (f"# all: gateway {totals['gateway']:.1f} s, WER {totals['edits'] / words:.1%}, term WER "
            f"{totals['term'] / term_words:.1%} ({term_words} term words)")  # fmt: skip
    if plain is not None and totals["plain"]:
        line += (f"; plain {totals['plain']:.1f} s, WER {totals['plain_edits'] / words:.1%}, term WER "
                 f"{totals['plain_term'] / term_words:.1%}; time vs plain {totals['gateway'] / totals['plain']:.2f} "
                 f"({totals['plain'] / totals['gateway']:.2f}x the speed)")  # fmt: skip
    print(line)
    server.should_exit = True  # type: ignore[attr-defined]
    # Let the gateway's shutdown finish (its start-up work stopped, the pool closed): a daemon thread still inside
    # CTranslate2 or piper when the interpreter exits aborts it ("terminate called without an active exception").
    gateway.join(timeout=SHUTDOWN_TIMEOUT_S)


if __name__ == "__main__":
    main()
