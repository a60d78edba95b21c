"""Who spoke when, by voice: speaker embeddings and a two-speaker split for mono recordings.

The encoder is Resemblyzer's pretrained GE2E voice encoder (3-layer LSTM over 40 mel bands, 256-d
embeddings, Apache-2.0), installed from the `resemblyzer` PyPI wheel by scripts/install_models.py
into `<model dir>/speaker/resemblyzer/model.safetensors`. Only the weights are taken: the network
and its mel features are rebuilt here (the package itself pulls librosa and webrtcvad). Embeddings
of 1.6 s windows are averaged per span, as Resemblyzer's `embed_utterance` does.

Without the encoder, `spectral_features` + `two_speakers_spectral` are the cheap fallback for a two-speaker
split (k-means on a level-independent 24-band spectral signature), used by call analytics.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from asr.config import AsrSettings
from workers import ModelPool, ModelSpec, Priority, default_pool

RATE = 16000
N_FFT, HOP, MELS = 400, 160, 40  # 25 ms windows, 10 ms steps
WINDOW_FRAMES = 160  # 1.6 s partials
STEP_FRAMES = 77  # Resemblyzer's 1.3 partials a second
TARGET_DBFS = -30.0
MODEL_ID = "speaker-encoder:resemblyzer"
# Cosine of the two voices' centroids above which they are one speaker: one voice split in two
# gave 0.79-0.84 (jfk.wav's two sentences, as word times or segment times cut them) and 0.90 (four librivox
# clips), two people 0.70-0.74 (consultations RES0198, RES0199) and 0.54 (the stereo_left/right clips).
SAME_VOICE = 0.76


def model_path(settings: AsrSettings | None = None) -> Path:
    return (settings or AsrSettings()).model_dir / "speaker" / "resemblyzer" / "model.safetensors"


def available(settings: AsrSettings | None = None) -> bool:
    return model_path(settings).is_file()


def _load(path: Path, device: str) -> Any:
    import torch
    from safetensors.torch import load_file

    class VoiceEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = torch.nn.LSTM(MELS, 256, 3, batch_first=True)
            self.linear = torch.nn.Linear(256, 256)

        def forward(self, mels: torch.Tensor) -> torch.Tensor:
            _, (hidden, _) = self.lstm(mels)
            raw = torch.relu(self.linear(hidden[-1]))
            return raw / torch.norm(raw, dim=1, keepdim=True).clamp_min(1e-9)

    model = VoiceEncoder()
    state = {k: v for k, v in load_file(str(path)).items() if k.startswith(("lstm.", "linear."))}
    model.load_state_dict(state)
    return model.eval().to(device)


def spec(settings: AsrSettings | None = None) -> ModelSpec:
    path = model_path(settings)
    return ModelSpec(id=MODEL_ID, loader=lambda device: _load(path, device), memory_mb=60)


_FILTERS: np.ndarray | None = None


def mel_frames(samples: np.ndarray) -> np.ndarray:
    """(frames, 40) power mel spectrogram as librosa.feature.melspectrogram gives it (centred,
    zero-padded, periodic Hann, Slaney mel), the encoder's training features."""
    global _FILTERS
    if _FILTERS is None:
        from faster_whisper.feature_extractor import FeatureExtractor

        _FILTERS = FeatureExtractor.get_mel_filters(RATE, N_FFT, n_mels=MELS).astype(np.float32)
    padded = np.pad(samples.astype(np.float32), N_FFT // 2)
    count = 1 + (len(padded) - N_FFT) // HOP
    index = np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]
    window = np.hanning(N_FFT + 1)[:-1].astype(np.float32)
    power = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
    return (power @ _FILTERS.T).astype(np.float32)


def _normalized(samples: np.ndarray) -> np.ndarray:
    """Raised (never lowered) to -30 dBFS, as the encoder was trained."""
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))
    if rms <= 1e-6:
        return samples
    change = TARGET_DBFS - 20 * np.log10(rms)
    return samples * (10 ** (change / 20)) if change > 0 else samples


def _windows(mels: np.ndarray) -> np.ndarray:
    if len(mels) < WINDOW_FRAMES:
        mels = np.pad(mels, [(0, WINDOW_FRAMES - len(mels)), (0, 0)])
    starts = range(0, len(mels) - WINDOW_FRAMES + 1, STEP_FRAMES)
    return np.stack([mels[s : s + WINDOW_FRAMES] for s in starts])


def _embed(model: Any, clips: list[np.ndarray]) -> np.ndarray:
    import torch

    device = next(model.parameters()).device
    out = np.zeros((len(clips), 256), np.float32)
    with torch.inference_mode():
        for i, clip in enumerate(clips):
            windows = torch.from_numpy(_windows(mel_frames(_normalized(clip)))).to(device)
            mean = model(windows).mean(0).cpu().numpy()
            out[i] = mean / max(float(np.linalg.norm(mean)), 1e-9)
    return out


def embeddings(
    samples: np.ndarray,
    spans: list[tuple[float, float]],
    *,
    pool: ModelPool | None = None,
    priority: int = Priority.INTERACTIVE,
    settings: AsrSettings | None = None,
) -> np.ndarray:
    """One unit-length voice embedding per (start, end) span in seconds of 16 kHz `samples`."""
    clips = [samples[int(a * RATE) : max(int(a * RATE) + 1, int(b * RATE))] for a, b in spans]
    return (pool or default_pool()).run(spec(settings), _embed, clips, priority=priority)


def two_speakers(vectors: np.ndarray, weights: np.ndarray | None = None, iters: int = 30) -> np.ndarray:
    """Spherical k-means with k=2 (cosine), seeded by the first span and the one least like it;
    `weights` (e.g. span durations) let long spans shape the voices more than short ones."""
    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=int)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    centres = np.stack([vectors[0], vectors[int(np.argmin(vectors @ vectors[0]))]])
    labels = np.zeros(n, dtype=int)
    for _ in range(iters):
        new = np.argmax(vectors @ centres.T, axis=1)
        for k in (0, 1):
            if (new == k).any():
                centre = (vectors[new == k] * w[new == k, None]).sum(0)
                centres[k] = centre / max(float(np.linalg.norm(centre)), 1e-9)
        if (new == labels).all():
            break
        labels = new
    return labels if labels[0] == 0 else 1 - labels


def one_voice(vectors: np.ndarray, labels: np.ndarray) -> bool:
    """Whether the two groups `two_speakers` found are too alike to be two people."""
    if len(set(labels.tolist())) < 2:
        return True
    a, b = (vectors[labels == k].mean(0) for k in (0, 1))
    return float(a @ b / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-9)) > SAME_VOICE


def spectral_features(samples: np.ndarray, start: float, end: float) -> np.ndarray:
    """Mean and spread of a 24-band log spectrum over a stretch: a cheap voice signature when there is no encoder."""
    seg = samples[int(start * RATE) : int(end * RATE)]
    n = len(seg) // 512
    if n == 0:
        return np.zeros(48)
    frames = seg[: n * 512].reshape(n, 512) * np.hanning(512)
    spec = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    edges = np.geomspace(4, 256, 25).astype(int)
    bands = np.stack([spec[:, a:b].sum(axis=1) for a, b in zip(edges[:-1], edges[1:], strict=True)], axis=1)
    logb = np.log(bands + 1e-10)
    loud = logb.sum(axis=1) > np.percentile(logb.sum(axis=1), 30)
    logb = logb[loud] if loud.any() else logb
    logb = logb - logb.mean(axis=1, keepdims=True)  # level-independent
    return np.concatenate([logb.mean(axis=0), logb.std(axis=0)])


def two_speakers_spectral(features: np.ndarray, iters: int = 20) -> np.ndarray:
    """k-means with k=2 (Euclidean, on standardized `spectral_features`), seeded by the first span and the one
    farthest from it; label 0 is the speaker of the first span, as in `two_speakers`."""
    if len(features) < 2:
        return np.zeros(len(features), dtype=int)
    x = (features - features.mean(0)) / (features.std(0) + 1e-6)
    d0 = ((x - x[0]) ** 2).sum(1)
    centres = np.stack([x[0], x[int(np.argmax(d0))]])
    labels = np.zeros(len(x), dtype=int)
    for _ in range(iters):
        labels = ((x[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1)
        for k in (0, 1):
            if (labels == k).any():
                centres[k] = x[labels == k].mean(0)
    return labels if labels[0] == 0 else 1 - labels
