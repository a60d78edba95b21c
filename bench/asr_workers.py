"""How a CPU's cores are best spent on Whisper windows: one CTranslate2 worker with all the threads, one worker with
one thread, or one single-thread worker per thread decoding side by side (what asr.engines.pieces does with a
model of several workers). Prints a table; run alone on an idle machine.

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.asr_workers --model base --threads 2
"""

from __future__ import annotations

import argparse
import os
import resource
import threading
import time
from pathlib import Path

DATA = Path(os.environ.get("VOXGATE_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
RECORDINGS = ("RES0200", "RES0201", "RES0198", "RES0199")  # tune recordings: a probe, no default is fitted here
STARTS_S = (60, 120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base")
    parser.add_argument("--compute-types", nargs="+", default=["int8", "float32"])
    parser.add_argument("--threads", type=int, default=2, help="the thread budget (cores to use)")
    args = parser.parse_args()

    from faster_whisper import WhisperModel

    import asr

    target = asr.resolve_model(args.model, asr.AsrSettings()).target
    audio = [asr.decode(DATA / "speech" / "medical" / f"{rid}.mp3").samples for rid in RECORDINGS]
    layouts = ((1, args.threads), (1, 1), (args.threads, 1))  # (workers, threads per worker)
    print(f"# bench/asr_workers.py  {time.strftime('%Y-%m-%d %H:%M')}  cpus={os.cpu_count()}  model={args.model}: "
          f"{len(audio) * len(STARTS_S)} windows of 30 s (tune recordings), beam 5, no timestamps, "
          "encode + search")  # fmt: skip
    print("| compute type | workers x threads | windows | tokens | wall s | CPU s | cores busy | wall vs 1 x "
          f"{args.threads} | peak RSS MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for compute_type in args.compute_types:
        reference = None
        for workers, threads in layouts:
            model = WhisperModel(target, device="cpu", compute_type=compute_type, cpu_threads=threads,
                                 num_workers=workers)  # fmt: skip
            prompt = model.hf_tokenizer.encode("<|startoftranscript|><|en|><|transcribe|><|notimestamps|>",
                                               add_special_tokens=False).ids  # fmt: skip
            features = [model.feature_extractor(a[s * 16000 : (s + 30) * 16000])[:, :3000]
                        for a in audio for s in STARTS_S]  # fmt: skip
            tokens = [0] * len(features)

            def decode(index: int, model=model, prompt=prompt, features=features, tokens=tokens) -> None:
                encoded = model.encode(features[index][None])
                tokens[index] = len(model.model.generate(encoded, [list(prompt)], beam_size=5)[0].sequences_ids[0])

            decode(0)  # warm up
            started, cpu = time.perf_counter(), time.process_time()
            share = [list(range(k, len(features), workers)) for k in range(workers)]  # one stream per worker
            streams = [threading.Thread(target=lambda mine=mine: [decode(i) for i in mine]) for mine in share]
            for stream in streams:
                stream.start()
            for stream in streams:
                stream.join()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            reference = reference or wall
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
            print(f"| {compute_type} | {workers} x {threads} | {len(features)} | {sum(tokens)} | {wall:.2f} | "
                  f"{cpu:.2f} | {cpu / wall:.2f} | {wall / reference:.2f} | {peak} |", flush=True)  # fmt: skip
            del model


if __name__ == "__main__":
    main()
