# voxgate: `make run` serves the gateway, `make test` runs the tests. Both set everything up first,
# idempotently: .venv, torch (CPU build), the project with its extras, Debian packages, model files, Rasa.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PYTHON ?= $(shell command -v python3.11 || command -v python3)
TORCH := torch==2.13.0
INSTALLED := $(VENV)/.voxgate-installed
MODELS := models/.voxgate-models-installed
RASA := .venv-rasa/.voxgate-rasa-installed
COQUI := .venv-coqui/.voxgate-coqui-installed
export VOXGATE_DATA ?= $(abspath ../shared/data)

.PHONY: run test test-aws test-aws-long test-ray test-coqui test-faults soak fuzz bench bench-notes notes-model setup setup-steps apt bots-trained coqui lint format audit clean

# The independent steps run side by side (Debian packages; the venv then the model files; the Rasa venv, then the
# bots' training once the venv is in as well). coqui-tts's venv is not among them: no coqui voice ships, so it is
# made by `make coqui` (or `make test-coqui`) when a coqui checkpoint is to be served.
setup:
	@$(MAKE) --no-print-directory -j4 setup-steps

setup-steps: apt $(INSTALLED) $(MODELS) bots-trained

apt:
	bash scripts/apt_packages.sh

# train.sh runs `python -m bots.train` in the main venv (bots/__init__ imports httpx), so it waits for that venv's
# packages as well as Rasa's: under -j4 it raced the main install and lost when the Rasa venv came first.
bots-trained: $(RASA) $(INSTALLED)
	bash bots/train.sh

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "voxgate needs Python 3.11, found " + sys.version'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

# torch goes in first and pinned: left to a dependency, pip would pull a multi-GB CUDA build.
$(INSTALLED): $(PY) pyproject.toml
	$(PIP) install -q $(TORCH)
	$(PIP) install -q -e ".[all,dev,ray]" $(TORCH)
	touch $@

$(MODELS): $(INSTALLED) scripts/install_models.py
	$(PY) scripts/install_models.py
	$(PY) -m asr.medical.correction models  # term correction's names, so no transcript waits for the drug tables
	mkdir -p models && touch $@

# Rasa 3.6 needs Python 3.10: its own venv. train.sh retrains only the bots whose training data changed.
$(RASA): bots/setup_rasa.sh
	bash bots/setup_rasa.sh

# coqui-tts in its own venv: it needs torchaudio/torchcodec, which break beside the CPU torch (see the script).
$(COQUI): scripts/setup_coqui.sh
	bash scripts/setup_coqui.sh

coqui: $(COQUI)

run: setup
	$(VENV)/bin/voxgate serve

test: setup
	$(VENV)/bin/pytest -q -p no:cacheprovider

# The Ray pool on real local clusters: one node (ray.init) and three simulated nodes (ray.cluster_utils.Cluster,
# one removed mid-batch). Several minutes on 2 cores, so not in `make test`.
test-ray: setup
	VOXGATE_TEST_RAY_CLUSTER=1 $(VENV)/bin/pytest -q -p no:cacheprovider -m ray tests/workers

# Faults (issue 19): SIGKILL of a real gateway in the middle of each kind of job, the database read-only; minutes.
# The fast fault tests (disk full, corrupt model, load shedding) are in `make test`.
test-faults: setup
	$(VENV)/bin/pytest -q -p no:cacheprovider -m faults tests/faults tests/calls/test_restart.py

# Soak (issue 19): 10 minutes, 32 clients, every module, a call-analytics batch running; bench/results/soak.txt.
soak: setup
	bash bench/record.sh soak --minutes 10 --clients 32 --kill-sidecar-at 0.5

# coqui checkpoints served through their own venv (skipped by `make test` while the venv is absent).
# The AWS SDK layer (boto3 and the AWS CLI against /aws); -long adds the Rasa-backed Lex turns and a consultation
# through Transcribe Medical, which run for minutes.
test-aws: setup
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/aws

test-aws-long: setup
	$(VENV)/bin/pytest -q -p no:cacheprovider -m aws_long tests/aws

test-coqui: setup $(COQUI)
	$(VENV)/bin/pytest -q -p no:cacheprovider tests/tts/test_coqui.py

# The long fuzz run: Schemathesis against a real gateway process (every module, the bots' Rasa sidecars started),
# every operation, positive and negative cases, the stateful phase (links between operations); the table of
# cases and failures by operation and check is appended to bench/results/fuzz.txt. `make test` has the short run.
fuzz: setup
	$(PY) -m bench.fuzz --max-examples 8 --out bench/results/fuzz.txt

# Each bench prints a table; the full runs take long on 2 cores, so these use small samples (see --help of each).
bench: setup
	$(PY) -m bench.pool
	$(PY) -m bench.asr --limit 2 --max-minutes 3
	$(PY) -m bench.tts --limit 3
	$(PY) -m bench.ocr --limit 8 --sroie-limit 10
	$(PY) -m bench.documents --receipts 20 --tables 2 --forms 2
	$(PY) -m bench.translate --limit 200
	$(PY) -m bench.calls
	$(PY) -m bench.bots --turns 12
	$(PY) -m bench.aws --reps 10
	$(PY) -m bench.voice_bots --turns 6 --concurrency 1 --no-batch
	VOXGATE_ASR_CPU_THREADS=2 $(PY) -m bench.dictation --models tiny.en --sessions 1 2
	$(PY) -m bench.music --limit 4 --threads 2
	$(PY) -m bench.ray --calls 4 --requests 5
	$(PY) -m bench.notes --limit 10

# Visit notes: the full ACI-BENCH measure (test1 + test2, with ablation and speed), and retraining notes/model/.
bench-notes: setup
	$(PY) -m bench.notes --ablation --speed

notes-model: $(INSTALLED)
	$(PY) -m notes.train --splits train valid --out notes/model

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .

# pip-audit of .venv (and .venv-rasa when made); needs pypi.org or api.osv.dev (exit 2 when neither answers).
audit: $(INSTALLED)
	$(PY) scripts/audit.py --python $(PY) $(if $(wildcard .venv-rasa/bin/python),--python .venv-rasa/bin/python)

format: $(INSTALLED)
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .venv-rasa .venv-coqui models var .pytest_cache
