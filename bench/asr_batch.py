"""What one batched beam search of several Whisper windows costs against searching them one by one (CTranslate2 on
CPU): the measurement behind asr.engines.pieces. Prints a table; run alone on an idle machine.

    VOXGATE_DATA=../shared/data .venv/bin/python -m bench.asr_batch --model base --windows 2 4 8
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

DATA = Path(os.environ.get("VOXGATE_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))
RECORDINGS = ("RES0200", "RES0201", "RES0203", "RES0204", "RES0198", "RES0199", "RES0205", "RES0206")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="base")
    parser.add_argument("--compute-types", nargs="+", default=["float32", "int8"])
    parser.add_argument("--windows", nargs="+", type=int, default=[2, 4, 8])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    from faster_whisper import WhisperModel

    import asr

    target = asr.resolve_model(args.model, asr.AsrSettings()).target
    audio = [asr.decode(DATA / "speech" / "medical" / f"{rid}.mp3").samples for rid in RECORDINGS[: max(args.windows)]]
    print(f"# bench/asr_batch.py  {time.strftime('%Y-%m-%d %H:%M')}  cpus={os.cpu_count()}  threads={args.threads}  "
          f"model={args.model}: the 30 s window from 60 s into each of {len(audio)} consultations, beam 5")  # fmt: skip
    print("| compute type | windows | tokens | search one by one s | search batched s | batched / one by one | "
          "encode s | per window one by one s | per window batched s |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for compute_type in args.compute_types:
        model = WhisperModel(target, device="cpu", compute_type=compute_type, cpu_threads=args.threads)
        prompt = list(model.hf_tokenizer.encode("<|startoftranscript|><|en|><|transcribe|>",
                                                add_special_tokens=False).ids)  # fmt: skip
        for count in args.windows:
            features = [model.feature_extractor(a[60 * 16000 : 90 * 16000])[:, :3000] for a in audio[:count]]
            started = time.perf_counter()
            encoded = [model.encode(f[None]) for f in features]
            encode_s = time.perf_counter() - started
            started = time.perf_counter()
            tokens = [len(model.model.generate(e, [prompt], beam_size=5)[0].sequences_ids[0]) for e in encoded]
            alone_s = time.perf_counter() - started
            batch = model.encode(np.stack(features))
            started = time.perf_counter()
            model.model.generate(batch, [prompt] * count, beam_size=5)
            batched_s = time.perf_counter() - started
            print(f"| {compute_type} | {count} | {sum(tokens)} | {alone_s:.2f} | {batched_s:.2f} | "
                  f"{batched_s / alone_s:.2f} | {encode_s:.2f} | {(alone_s + encode_s) / count:.2f} | "
                  f"{(batched_s + encode_s) / count:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
