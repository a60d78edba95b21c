#!/usr/bin/env bash
# Install Rasa Open Source 3.6 into .venv-rasa (Python 3.10; Rasa 3.6 does not run on 3.11).
# Idempotent: does nothing when the stamp matches this script's pins. Takes ~9 minutes and ~2.7 GB the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VOXGATE_RASA_VENV:-.venv-rasa}"
# python-socketio 5.9.0: newer releases break Rasa 3.6's socket.io channel (bot messages never delivered
# when session persistence is on).
PINS="rasa==3.6.21 rasa-sdk==3.6.2 python-socketio==5.9.0"
STAMP="$VENV/.voxgate-rasa-installed"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$PINS" && -x "$VENV/bin/rasa" ]]; then
    exit 0
fi

find_python() {
    local c
    for c in "${VOXGATE_PYTHON310:-}" python3.10 /root/.pyenv/versions/3.10.*/bin/python3.10 \
        "$HOME"/.pyenv/versions/3.10.*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
        [[ -n "$c" ]] || continue
        if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
            command -v "$c"
            return 0
        fi
    done
    return 1
}

if ! PY310="$(find_python)"; then
    cat >&2 <<'MSG'
bots/setup_rasa.sh: Rasa 3.6 needs Python 3.10 and none was found.
Install one of:
  pyenv install 3.10.13                      # then re-run; or
  apt-get install python3.10 python3.10-venv # on a Debian/Ubuntu release that ships 3.10
or point VOXGATE_PYTHON310 at a python3.10 binary.
MSG
    exit 1
fi

echo "bots/setup_rasa.sh: installing $PINS into $VENV with $PY310 (several minutes, ~2.7 GB)"
[[ -x "$VENV/bin/python" ]] || "$PY310" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade "pip<24.1" "setuptools<70" wheel
"$VENV/bin/python" -m pip install -q $PINS
"$VENV/bin/python" -c "import rasa, rasa_sdk, socketio" 2>/dev/null
echo "$PINS" > "$STAMP"
echo "bots/setup_rasa.sh: done"
