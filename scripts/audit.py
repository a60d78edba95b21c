"""`make audit`: pip-audit over what each of the project's virtual environments really has installed (the gateway's
.venv and, when present, the Rasa sidecars' .venv-rasa), with the known issues listed in scripts/audit-known.txt.

pip-audit needs an advisory service: PyPI's per-release JSON (https://pypi.org/pypi/NAME/VERSION/json) or OSV
(https://api.osv.dev). Both are probed first. pip-audit itself reports "No known vulnerabilities found" when PyPI
answers 404 for every release and nothing was audited, so this script counts the skipped packages and fails
unless most were audited.

Exit status: 0 audited, no issue outside the known list; 1 a vulnerability not in the known list; 2 could not
audit (no advisory service reachable, or most packages skipped). The report goes to stdout and to --out.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBES = {
    "pypi": ("https://pypi.org/pypi/pip/24.0/json", None),
    "osv": ("https://api.osv.dev/v1/query", b'{"package": {"name": "pip", "ecosystem": "PyPI"}, "version": "24.0"}'),
}
MIN_AUDITED = 0.9  # below this share of packages audited, the run does not count


def reachable(service: str) -> str | None:
    """None when the service answers; else why not."""
    url, body = PROBES[service]
    request = urllib.request.Request(url, data=body, headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return None if response.status == 200 else f"HTTP {response.status}"
    except Exception as exc:  # noqa: BLE001 - any failure means unreachable; the reason goes in the report
        return f"{type(exc).__name__}: {exc}"[:200]


def known_issues(path: Path) -> dict[str, str]:
    """scripts/audit-known.txt: `ID  package  why it is accepted for now`, one a line; # comments."""
    known = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        line = line.split("#", 1)[0].strip()
        if line:
            vuln, _, why = line.partition(" ")
            known[vuln] = why.strip()
    return known


def frozen(python: str) -> list[str]:
    """`pip freeze` of an environment, without editable/local installs (the project itself is not on PyPI)."""
    out = subprocess.run([python, "-m", "pip", "freeze", "--exclude-editable"], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return [line for line in out.splitlines() if "==" in line and " @ " not in line]


def audit(python: str, service: str) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write("\n".join(frozen(python)) + "\n")
        requirements.flush()
        run = subprocess.run(
            [sys.executable, "-m", "pip_audit", "-r", requirements.name, "--no-deps", "--disable-pip",
             "--format", "json", "--progress-spinner", "off", "-s", service],
            capture_output=True, text=True,
        )  # fmt: skip
    if not run.stdout.strip():
        raise RuntimeError(run.stderr.strip()[-1000:])
    return json.loads(run.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", action="append", help="an environment's python (repeat); default: this one")
    parser.add_argument("--known", type=Path, default=REPO / "scripts" / "audit-known.txt")
    parser.add_argument("--service", choices=sorted(PROBES), help="use this service without probing it first")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "audit.txt")
    args = parser.parse_args()
    pythons = args.python or [sys.executable]
    known = known_issues(args.known)
    lines = [f"pip-audit of the installed environments, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
             "command: make audit (python scripts/audit.py --python ... )", ""]  # fmt: skip
    status = 0
    probes = {service: reachable(service) for service in PROBES} if not args.service else {args.service: None}
    for service, why in probes.items():
        state = "chosen, not probed" if args.service else "reachable" if why is None else f"UNREACHABLE ({why})"
        lines.append(f"advisory service {service:5s}: {state}")
    service = next((s for s, why in probes.items() if why is None), None)
    if service is None:
        lines += ["", "could not audit: no advisory service reachable from this machine (run `make audit` where "
                  "pypi.org or api.osv.dev answers, e.g. in CI)"]  # fmt: skip
        status = 2
    else:
        lines += ["", f"{'environment':36s} {'packages':>8s} {'audited':>8s} {'skipped':>8s} {'known':>6s} {'new':>4s}"]
        findings = []
        for python in pythons:
            report = audit(python, service)
            deps = report["dependencies"]
            skipped = [d for d in deps if "skip_reason" in d]
            vulns = [(d["name"], d["version"], v) for d in deps for v in d.get("vulns", [])]
            new = [f for f in vulns if f[2]["id"] not in known and not set(f[2].get("aliases", [])) & set(known)]
            audited = len(deps) - len(skipped)
            lines.append(f"{python:36s} {len(deps):8d} {audited:8d} {len(skipped):8d} {len(vulns) - len(new):6d} "
                         f"{len(new):4d}")  # fmt: skip
            findings += [(python, name, version, v, v in [f[2] for f in new]) for name, version, v in vulns]
            if deps and audited / len(deps) < MIN_AUDITED:
                lines.append(f"  could not audit {len(skipped)} of {len(deps)} packages "
                             f"(e.g. {skipped[0]['name']}: {skipped[0]['skip_reason']})")  # fmt: skip
                status = max(status, 2)
            if new:
                status = 1
        if findings:
            lines += ["", "findings (NEW: not in scripts/audit-known.txt):"]
            for python, name, version, vuln, is_new in findings:
                fix = ", ".join(vuln.get("fix_versions", [])) or "none yet"
                note = "NEW" if is_new else f"known: {known.get(vuln['id'], '')}"
                lines.append(f"  {name}=={version} {vuln['id']} (fixed in {fix}) [{python}] {note}")
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    return status


if __name__ == "__main__":
    sys.exit(main())
