"""Apertium (rule-based, Debian packages): one subprocess per batch, through the pool's CPU executor
under a zero-memory spec so interactive requests run before batch jobs."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

from nlp.translate.base import register_engine
from nlp.translate.errors import TranslationError
from nlp.translate.models import TextFormat
from workers import ModelPool, ModelSpec

TIMEOUT_S = 300
# Apertium names modes with 2- or 3-letter codes (eng-spa, en-gl); we speak ISO 639-1.
ISO3 = {"eng": "en", "spa": "es", "cat": "ca", "glg": "gl", "por": "pt", "fra": "fr", "eus": "eu", "ita": "it"}


def _iso1(code: str) -> str:
    return ISO3.get(code, code)


@cache
def installed_modes() -> dict[tuple[str, str], str]:
    """(source, target) -> Apertium mode, for the plain modes installed (variants like _valencia left out)."""
    if shutil.which("apertium") is None:
        return {}
    out = subprocess.run(["apertium", "-l"], capture_output=True, text=True, timeout=30).stdout
    modes: dict[tuple[str, str], str] = {}
    for mode in out.split():
        parts = mode.split("-")
        if len(parts) != 2 or "_" in mode:
            continue
        pair = (_iso1(parts[0]), _iso1(parts[1]))
        if len(pair[0]) == 2 and len(pair[1]) == 2:
            modes.setdefault(pair, mode)
    return modes


class ApertiumProcess:
    """The pool's handle: no weights in-process; Apertium loads its data per call."""

    def __init__(self) -> None:
        self.modes = dict(installed_modes())


@cache
def apertium_spec() -> ModelSpec:
    return ModelSpec(
        id="apertium",
        loader=lambda device: ApertiumProcess(),
        memory_mb=0,
        device="cpu",
        labels={"module": "nlp", "engine": "apertium", "note": "subprocess"},
    )


def _call(mode: str, text: str, fmt: TextFormat) -> str:
    proc = subprocess.run(
        ["apertium", "-u", "-f", "html" if fmt == "html" else "txt", mode],
        input=text,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    if proc.returncode != 0:
        raise TranslationError(f"apertium {mode} failed: {proc.stderr.strip()[:300]}", code="engine_failed")
    return proc.stdout


def _run(process: ApertiumProcess, texts: list[str], mode: str, fmt: TextFormat) -> list[str]:
    """All texts in one Apertium call, one line each; texts with newlines keep them (split and rejoined)."""
    lines: list[str] = []
    shape: list[int] = []
    for text in texts:
        parts = text.split("\n")
        lines += parts
        shape.append(len(parts))
    out = _call(mode, "\n".join(lines) + "\n", fmt).rstrip("\n").split("\n")
    if len(out) != len(lines):  # Apertium moved a line break: fall back to one call per text
        return [_call(mode, text, fmt).rstrip("\n") for text in texts]
    # Apertium leaves a space where it drops a leading word ("I pay" -> " Pago"); keep the input's edges.
    out = [o.strip() if line.strip() == line else o for o, line in zip(out, lines, strict=True)]
    results, i = [], 0
    for n in shape:
        results.append("\n".join(out[i : i + n]))
        i += n
    return results


class ApertiumEngine:
    name = "apertium"

    def pairs(self) -> set[tuple[str, str]]:
        return set(installed_modes())

    def translate(
        self, texts: list[str], source: str, target: str, fmt: TextFormat, pool: ModelPool, priority: int
    ) -> list[str]:
        mode = installed_modes()[(source, target)]
        return pool.run(apertium_spec(), _run, texts, mode, fmt, priority=priority)


register_engine("apertium", ApertiumEngine)
