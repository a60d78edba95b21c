"""Users' own coqui-tts checkpoints, run in coqui's venv by a worker process that the shared pool holds as a model.

Voices: every `<model_dir>/coqui/<name>/` holding `model.pth` and `config.json` is voice `coqui-<name>`.
coqui-tts lives in `.venv-coqui` (or VOXGATE_COQUI_VENV), made by `make coqui` (scripts/setup_coqui.sh): it needs a
torchaudio/torchcodec pairing that the gateway's venv should not carry (see that script). The pool's loader
starts `coqui_worker.py` in that venv and its unloader stops it, so residency, LRU eviction and idle TTL apply
to the process like to any in-process model. Word timings are estimated from the audio.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import selectors
import subprocess
import tempfile
import threading
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from tts.engines.base import estimate_word_spans
from tts.errors import EngineFailedError
from tts.schemas import Chunk, VoiceInfo, Word
from workers import ModelPool, ModelSpec

log = logging.getLogger(__name__)
WORKER = Path(__file__).with_name("coqui_worker.py")
LOAD_TIMEOUT_S = 600  # importing torch + coqui on a busy CPU, then the checkpoint
SPEAK_TIMEOUT_S = 300
PROCESS_MB = 700  # torch and coqui imported in the worker, before the weights


# `make coqui` makes it here; the gateway passes Settings.tts.coqui_venv (VOXGATE_COQUI_VENV) down the catalog.
DEFAULT_VENV = Path(__file__).resolve().parents[2] / ".venv-coqui"


def venv_python(venv: Path = DEFAULT_VENV) -> Path:
    return venv / "bin" / "python"


def checkpoints(model_dir: Path) -> dict[str, Path]:
    """voice id -> checkpoint directory."""
    root = model_dir / "coqui"
    if not root.is_dir():
        return {}
    return {
        f"coqui-{d.name}": d
        for d in sorted(root.iterdir())
        if (d / "model.pth").is_file() and (d / "config.json").is_file()
    }


class CoquiProcess:
    """One running coqui_worker.py: JSON lines in, JSON lines out, one request at a time."""

    def __init__(self, python: Path, model: Path, config: Path, device: str = "cpu") -> None:
        # coqui logs a lot; a pipe nobody reads would block it. Closed in close().
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self._lock = threading.Lock()
        self.process = subprocess.Popen(
            [str(python), str(WORKER), "--model", str(model), "--config", str(config), "--device", device],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        hello = self._read(LOAD_TIMEOUT_S)
        if not hello.get("ok"):
            self.close()
            raise EngineFailedError(f"coqui could not load {model.parent.name}: {hello.get('error')}")
        self.sample_rate = int(hello["sample_rate"])
        self.model_type = str(hello.get("model", ""))

    def speak(self, text: str, length_scale: float = 1.0) -> tuple[np.ndarray, int]:
        with self._lock:
            if self.process.poll() is not None:
                raise EngineFailedError(f"coqui worker has exited: {self._stderr_tail()}")
            assert self.process.stdin is not None
            try:
                self.process.stdin.write(json.dumps({"text": text, "length_scale": length_scale}).encode() + b"\n")
                self.process.stdin.flush()
            except BrokenPipeError as exc:
                raise EngineFailedError(f"coqui worker has exited: {self._stderr_tail()}") from exc
            reply = self._read(SPEAK_TIMEOUT_S)
        if not reply.get("ok"):
            raise EngineFailedError(f"coqui failed: {reply.get('error')}")
        samples = np.frombuffer(base64.b64decode(reply["pcm"]), dtype="<f4").astype(np.float32)
        return samples, int(reply["sample_rate"])

    def _read(self, timeout: float) -> dict[str, Any]:
        stdout = self.process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                if time.monotonic() >= deadline:
                    self.close()
                    raise EngineFailedError(f"coqui worker gave no answer in {timeout:.0f} s")
        line = stdout.readline()
        if not line:
            self.process.wait(timeout=10)
            raise EngineFailedError(f"coqui worker exited ({self.process.returncode}): {self._stderr_tail()}")
        return json.loads(line)

    def _stderr_tail(self, chars: int = 600) -> str:
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace").strip()[-chars:]

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # end of input: the worker exits by itself
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._stderr.close()


@cache
def coqui_spec(checkpoint_dir: str, python: Path = venv_python()) -> ModelSpec:
    directory = Path(checkpoint_dir)
    size_mb = (directory / "model.pth").stat().st_size / 2**20
    return ModelSpec(
        id=f"coqui:{directory.name}",
        loader=lambda device: CoquiProcess(python, directory / "model.pth", directory / "config.json", "cpu"),
        unloader=lambda process: process.close(),
        memory_mb=int(size_mb * 2 + PROCESS_MB),
        device="cpu",  # the coqui venv has the CPU build of torch
        labels={"module": "tts", "engine": "coqui", "process": "coqui_worker"},
    )


def _speak(process: CoquiProcess, words: list[Word], rate: float) -> Chunk:
    """Runs on the pool's executor with the loaded worker process."""
    samples, sample_rate = process.speak(" ".join(w.text for w in words), length_scale=1.0 / rate)
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    samples = samples / peak if peak > 1.0 else samples
    return Chunk(samples=samples, sample_rate=sample_rate, word_spans=estimate_word_spans(samples, sample_rate, words))


def _language(config: dict[str, Any]) -> str:
    language = config.get("phoneme_language") or next(
        (d.get("language") for d in config.get("datasets") or [] if d.get("language")), None
    )
    return str(language or "en").replace("_", "-")


class CoquiEngine:
    name = "coqui"

    def __init__(self, venv: Path = DEFAULT_VENV) -> None:
        self._dirs: dict[str, Path] = {}
        self.python = venv_python(venv)

    def voices(self, model_dir: Path) -> list[VoiceInfo]:
        found = checkpoints(model_dir)
        if found and not self.python.exists():
            log.warning(
                "coqui checkpoints %s are not served: %s is missing (run `make coqui`)",
                ", ".join(found),
                self.python.parent.parent,
            )
            return []
        voices = []
        for voice_id, directory in found.items():
            try:
                config = json.loads((directory / "config.json").read_text())
                audio = config.get("audio") or {}
                sample_rate = int(audio.get("output_sample_rate") or audio["sample_rate"])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("skipping coqui checkpoint %s: unreadable config.json (%s)", directory, exc)
                continue
            self._dirs[voice_id] = directory
            voices.append(
                VoiceInfo(
                    id=voice_id,
                    name=f"coqui {directory.name} ({config.get('model', 'unknown model')})",
                    language=_language(config),
                    engine="neural",
                    backend=self.name,
                    sample_rate=sample_rate,
                )
            )
        return voices

    def synthesize(
        self,
        voice: VoiceInfo,
        words: list[Word],
        rate: float,
        pool: ModelPool,
        priority: int,
        model_dir: Path | None = None,
    ) -> Chunk:
        directory = checkpoints(model_dir).get(voice.id) if model_dir else self._dirs.get(voice.id)
        if directory is None:
            raise EngineFailedError(f"coqui checkpoint for {voice.id!r} is gone")
        return pool.run(coqui_spec(str(directory), self.python), _speak, words, rate, priority=priority)
