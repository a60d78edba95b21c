"""A coqui-tts checkpoint served over JSON lines; run by the coqui venv's python, not the gateway's.

    .venv-coqui/bin/python tts/engines/coqui_worker.py --model DIR/model.pth --config DIR/config.json

Standard library and coqui only (voxgate is not installed in that venv). Protocol, one JSON object per line:
- on start, after loading: `{"ok": true, "sample_rate": 22050, "model": "vits"}` (or `{"ok": false, "error": ...}`
  and exit 1);
- request `{"text": "...", "length_scale": 1.0, "speaker": null, "language": null}`; reply
  `{"ok": true, "sample_rate": N, "samples": n, "pcm": BASE64}` with the audio as little-endian float32 mono,
  or `{"ok": false, "error": "..."}`;
- end of input: exit 0.
Everything coqui prints goes to stderr: file descriptor 1 is kept for the protocol alone.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from typing import Any, TextIO

# run as a script, its own folder (tts/engines: cli.py, base.py, piper.py...) would shadow top-level modules
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]


def _protocol_stream() -> TextIO:
    """Move fd 1 aside for replies and point fd 1 (and sys.stdout) at stderr, so library prints, even from C,
    cannot corrupt the protocol."""
    reply_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(reply_fd, "w", buffering=1, encoding="utf-8")


def _send(out: TextIO, message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


class Speaker:
    def __init__(self, model: str, config: str, device: str) -> None:
        from TTS.utils.synthesizer import Synthesizer

        self.synthesizer = Synthesizer(tts_checkpoint=model, tts_config_path=config, use_cuda=device.startswith("cuda"))
        self.model = self.synthesizer.tts_model
        self.base_length_scale = getattr(self.model, "length_scale", None)

    @property
    def sample_rate(self) -> int:
        return int(self.synthesizer.output_sample_rate)

    def speak(self, text: str, length_scale: float, speaker: str | None, language: str | None) -> bytes:
        import numpy as np

        if self.base_length_scale is not None:  # VITS-like models: slower speech is longer durations
            self.model.length_scale = self.base_length_scale * length_scale
        wav = self.synthesizer.tts(text, speaker_name=speaker, language_name=language, split_sentences=False)
        return np.asarray(wav, dtype="<f4").reshape(-1).tobytes()


def serve(args: argparse.Namespace) -> int:
    out = _protocol_stream()
    try:
        speaker = Speaker(args.model, args.config, args.device)
    except Exception as exc:  # a broken checkpoint: say so on the protocol, then stop
        _send(out, {"ok": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    model = type(speaker.model).__name__.lower()
    _send(out, {"ok": True, "sample_rate": speaker.sample_rate, "model": model})
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            pcm = speaker.speak(
                str(request["text"]),
                float(request.get("length_scale", 1.0)),
                request.get("speaker"),
                request.get("language"),
            )
            reply = {
                "ok": True,
                "sample_rate": speaker.sample_rate,
                "samples": len(pcm) // 4,
                "pcm": base64.b64encode(pcm).decode("ascii"),
            }
        except Exception as exc:  # one bad request must not end the worker
            reply = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        _send(out, reply)
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description="serve one coqui-tts checkpoint over JSON lines")
    parser.add_argument("--model", required=True, help="model.pth")
    parser.add_argument("--config", required=True, help="config.json")
    parser.add_argument("--device", default="cpu")
    sys.exit(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
