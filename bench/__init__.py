"""Evaluation and speed scripts that print tables. Run them as modules from the repository root,
`.venv/bin/python -m bench.NAME`, so that `bench/asr.py` does not shadow the `asr` package."""
