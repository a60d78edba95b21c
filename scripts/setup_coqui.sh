#!/usr/bin/env bash
# Install coqui-tts into its own venv, .venv-coqui (or VOXGATE_COQUI_VENV), next to the CPU build of torch.
# The gateway runs coqui checkpoints through tts/engines/coqui_worker.py in this venv's python.
#
# Why a venv of its own: coqui-tts refuses to import unless torchaudio and, with torch >= 2.9, torchcodec are
# installed, and PyPI has no torchaudio/torchcodec built for the CPU torch 2.13 (download.pytorch.org is out
# of reach). What coqui needs of torchaudio for inference (transforms.Resample, MelSpectrogram, functional) is
# pure Python over torch: torchaudio 2.11 declares no torch requirement, and its PyPI wheel's only native
# parts (lib/*.so: forced alignment, CTC decoding) link CUDA libraries the CPU torch lacks and fail to load.
# So: torchaudio 2.11 with those libraries removed (torchaudio then imports without its extension, a case it
# supports), torchcodec 0.11 present for coqui's import check (used only to decode audio files: training and
# XTTS reference clips, which also need FFmpeg). Keeping that pairing, coqui's ~40 dependencies (tensorboard,
# numba, matplotlib, librosa...) and transformers' switch to torchcodec for audio out of the gateway's venv
# is the point of this venv; the gateway talks to it through tts/engines/coqui_worker.py.
# Idempotent: does nothing when the stamp matches the pins below.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VOXGATE_COQUI_VENV:-.venv-coqui}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
TORCH="torch==2.13.0"  # with pip on Python 3.11 this is the local CPU build, not a multi-GB CUDA one
PINS="coqui-tts==0.28.0 torchaudio==2.11.0 torchcodec==0.11.0 six (torchaudio lib/*.so removed)"
STAMP="$VENV/.voxgate-coqui-installed"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$TORCH $PINS" && -x "$VENV/bin/python" ]]; then
    exit 0
fi
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), "coqui venv wants Python 3.11, found " + sys.version'

echo "scripts/setup_coqui.sh: installing $TORCH $PINS into $VENV"
[[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
PIP=("$VENV/bin/python" -m pip install -q --disable-pip-version-check)
# torch first and pinned: coqui's own requirements name no torch, but anything asking for one must find 2.13.
"${PIP[@]}" "$TORCH"
# torchaudio/torchcodec without their dependencies: they must not pull another torch.
"${PIP[@]}" --no-deps torchaudio==2.11.0 torchcodec==0.11.0
# six: imported by coqui-tts 0.28 (TTS/tts/utils/text/punctuation.py) but not declared.
"${PIP[@]}" coqui-tts==0.28.0 six "$TORCH"
# torchaudio's native extension links libc10_cuda.so (CUDA build); without it torchaudio imports its Python half.
rm -f "$VENV"/lib/python3.11/site-packages/torchaudio/lib/*.so
"$VENV/bin/python" -c 'import TTS.tts.models.vits, torch, torchaudio; print("coqui-tts", TTS.__version__, "torch", torch.__version__)'
echo "$TORCH $PINS" > "$STAMP"
echo "scripts/setup_coqui.sh: done"
