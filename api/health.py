"""Start-up checks of the mounted modules: can each serve with the model files it has?

A module's `check` in api/modules.py names a function (settings) -> reason or None. The gateway runs them once
when it starts (and again when /healthz is asked with ?recheck=true): a module with a reason stays mounted,
because its other models may still serve, but /healthz lists it under `unhealthy` with the reason, so an
operator sees a missing or corrupt model file at once instead of at the first request. Other modules are not
affected. (/healthz stays a liveness probe: it answers 200 while the process runs.)
"""

from __future__ import annotations

import logging
from typing import Any

from api.modules import ModuleSpec, resolve

log = logging.getLogger(__name__)


def run_checks(specs: list[ModuleSpec], settings: Any) -> dict[str, str]:
    """module name -> why it cannot serve, for the modules whose check found a problem."""
    problems: dict[str, str] = {}
    for spec in specs:
        if not spec.check:
            continue
        try:
            reason = resolve(spec.check)(settings)
        except Exception as exc:  # a check that crashes is itself a reason, never a failed start
            reason = f"health check failed: {type(exc).__name__}: {exc}"
        if reason:
            log.error("module %s unhealthy: %s", spec.name, reason)
            problems[spec.name] = reason
    return problems


# The checks the registry names. Each calls one public function of its module.
def asr_model(settings: Any) -> str | None:
    import asr

    return asr.check_model(settings=settings.asr)


def dictation_model(settings: Any) -> str | None:
    import asr

    return asr.check_model(settings.dictation.default_model, settings=settings.asr)
