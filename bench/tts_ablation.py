"""Ablation of the piper path: piper's own synthesis (the CLI's code: PiperVoice.synthesize_wav) on the raw text
and on voxgate's normalised text, against voxgate with and without its drug-name lexicon. Seeded, `--repeats`
draws each; WER by voxgate's ASR (base, the gateway's beam), scored as in bench/tts.py.

    .venv/bin/python -m bench.tts_ablation --set orig --repeats 4
    .venv/bin/python -m bench.tts_ablation --set tune --systems voxgate,voxgate-nolex --repeats 2 -v
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import wave
from pathlib import Path

import onnxruntime

sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
import tts  # noqa: E402
import tts.medical  # noqa: E402
from bench.tts import NEURAL, SETS, Scorer, load_sentences, wer, words  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--set", default="orig", help="tune, heldout, or orig (the first 8 tune sentences)")
    parser.add_argument("--systems", default="cli-raw,cli-normalised,voxgate,voxgate-nolex")
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("-v", action="store_true", help="sentences with errors, first draw")
    args = parser.parse_args()
    onnxruntime.set_seed(args.seed)
    from piper import PiperVoice

    from tts.install import bundled_voice

    scorer = Scorer()
    model_dir = scorer.settings.model_dir
    model, config = bundled_voice()
    piper = PiperVoice.load(model, config_path=config)
    lexemes = list(tts.medical.MEDICAL_LEXICON.lexemes)

    def cli(text: str) -> bytes:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as wav:
            piper.synthesize_wav(text, wav)
        return buffer.getvalue()

    def voxgate(text: str) -> bytes:
        return tts.synthesize(text, NEURAL, "wav", model_dir=model_dir).data

    def voxgate_nolex(text: str) -> bytes:
        tts.medical.MEDICAL_LEXICON.lexemes = []
        try:
            return voxgate(text)
        finally:
            tts.medical.MEDICAL_LEXICON.lexemes = lexemes

    systems = {
        "cli-raw": cli,
        "cli-normalised": lambda text: cli(tts.normalize_text(text)),
        "voxgate": voxgate,
        "voxgate-nolex": voxgate_nolex,
    }
    sentences = load_sentences(SETS["tune" if args.set == "orig" else args.set])[: 8 if args.set == "orig" else None]
    for name in args.systems.split(","):
        draws = []
        for r in range(args.repeats):
            errors = total = 0
            for sentence in sentences:
                heard = scorer.transcribe(systems[name](sentence))
                e, n = wer(words(sentence), words(heard))
                errors, total = errors + e, total + n
                if args.v and e and r == 0:
                    print(f"    {e} | {sentence}\n      -> {heard}")
            draws.append(100 * errors / total)
        print(f"[{args.set}] {name:16s} WER {statistics.mean(draws):5.1f}  draws {[round(d, 1) for d in draws]}")


if __name__ == "__main__":
    main()
