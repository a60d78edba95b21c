"""The module contract (api/modules.py): each module imports and mounts with only its own extra's packages
importable, and a module whose extra is missing is skipped with a warning while the others mount.

Each check runs in a fresh interpreter whose import system hides the packages of the other extras (a wrapper
around every finder on sys.meta_path), so no extra venvs are needed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from api.modules import MODULES
from api.settings import REPO_ROOT

# The Python package each module's code lives in.
PACKAGES = {"asr": "asr", "dictation": "asr", "tts": "tts", "ocr": "ocr", "nlp": "nlp", "translate": "nlp",
            "calls": "calls", "bots": "bots", "music": "music", "aws": "api.aws",
            "voicebots": "bots"}  # fmt: skip
# Installed for every module by the set-up before the extras (see the Makefile), so never hidden.
BASE = {"torch"}

RUN = textwrap.dedent(
    """
    import importlib.abc, json, logging, sys
    hidden = set(json.loads(sys.argv[1]))

    class Hide(importlib.abc.MetaPathFinder):
        def __init__(self, inner):
            self.inner = inner

        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in hidden:
                return None
            return self.inner.find_spec(name, path, target)

    sys.meta_path[:] = [Hide(f) if hasattr(f, "find_spec") else f for f in sys.meta_path]
    records = []

    class Collect(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    logging.getLogger("api.modules").addHandler(Collect())
    from api.app import create_app
    from api.settings import Settings
    chosen = json.loads(sys.argv[2])
    settings = Settings(modules=chosen, database_url="sqlite://", artifact_dir=sys.argv[3], bots={"sidecars": False})
    app = create_app(settings)
    imported = {}
    for package in json.loads(sys.argv[4]):
        __import__(package)
        imported[package] = True
    paths = sorted(app.openapi()["paths"])
    print(json.dumps({"mounted": app.state.modules, "warnings": records, "paths": paths, "imported": imported}))
    """
)


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _extra_requirements(extra: str) -> set[str]:
    """Distribution names an extra of voxgate asks for, nested voxgate[...] extras expanded."""
    names: set[str] = set()
    for line in metadata.requires("voxgate") or []:
        req = Requirement(line)
        if req.marker is None or not req.marker.evaluate({"extra": extra}):
            continue
        if _norm(req.name) == "voxgate":
            for inner in req.extras:
                names |= _extra_requirements(inner)
        else:
            names.add(_norm(req.name))
    return names


def _closure(names: set[str]) -> set[str]:
    """The distributions and everything they need, as installed."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(_norm(req.name))
    return seen


def _all_extras() -> set[str]:
    return {extra for extra in metadata.metadata("voxgate").get_all("Provides-Extra") or [] if extra not in ("dev",)}


def _hidden_imports(own_extra: str) -> list[str]:
    """Top-level import names of every other extra's distributions that the own extra does not need."""
    core = _closure({_norm(Requirement(r).name) for r in metadata.requires("voxgate") or [] if "extra" not in r})
    allowed = core | _closure(_extra_requirements(own_extra) | BASE)
    others = set().union(*(_extra_requirements(e) for e in _all_extras())) - allowed
    providers = metadata.packages_distributions()
    return sorted(
        name
        for name, dists in providers.items()
        if {_norm(d) for d in dists} & others and not {_norm(d) for d in dists} & allowed
    )


def _run(tmp_path: Path, hidden: list[str], modules: list[str] | None, packages: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(hidden), json.dumps(modules), str(tmp_path), json.dumps(packages)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("spec", MODULES, ids=[spec.name for spec in MODULES])
def test_module_mounts_with_only_its_own_extra(spec, tmp_path: Path) -> None:
    if spec.missing():
        pytest.skip(f"voxgate[{spec.extra}] is not installed here: missing {', '.join(spec.missing())}")
    if spec.extra not in _all_extras():
        pytest.skip(f"the installed voxgate predates extra [{spec.extra}]: pip install -e '.[all]' (make setup) again")
    hidden = _hidden_imports(spec.extra)
    assert hidden, "the other extras hide nothing: the check would prove nothing"
    assert not set(hidden) & set(spec.requires), "a module's own requirements must stay importable"
    result = _run(tmp_path, hidden, [spec.name], [PACKAGES[spec.name]])
    assert result["mounted"] == [spec.name], result
    assert result["imported"] == {PACKAGES[spec.name]: True}
    assert not result["warnings"], result["warnings"]


def test_a_missing_extra_skips_its_modules_with_a_warning(tmp_path: Path) -> None:
    result = _run(tmp_path, ["faster_whisper"], None, [])
    needing_whisper = {spec.name for spec in MODULES if "faster_whisper" in spec.requires}
    assert needing_whisper == {"asr", "dictation", "calls", "voicebots"}
    assert not needing_whisper & set(result["mounted"]), result["mounted"]
    assert {"tts", "ocr", "nlp", "translate", "bots", "music"} <= set(result["mounted"])
    for name in needing_whisper:
        assert any(f"module {name} not mounted: missing faster_whisper" in w for w in result["warnings"])
    assert "/v1/audio/transcriptions" not in result["paths"] and "/v1/audio/speech" in result["paths"]
