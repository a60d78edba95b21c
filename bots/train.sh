#!/usr/bin/env bash
# Train the bots whose training data changed (see bots/train.py). Any Python 3 runs it; Rasa comes from .venv-rasa.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-$( [[ -x .venv/bin/python ]] && echo .venv/bin/python || echo python3 )}" -m bots.train "$@"
