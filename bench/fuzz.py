"""Fuzz the whole API from its own OpenAPI document: Schemathesis against a real gateway process.

Starts `python -m api serve` (as `make run` does: a uvicorn process with every installed module, on a fresh
database), points the Schemathesis CLI at its /openapi.json, and prints, per operation, the cases run and the
failures by check. `--checkout DIR` serves another checkout's code (e.g. main, for the before/after table).

    .venv/bin/python -m bench.fuzz [--max-examples 8] [--phases examples,coverage,fuzzing,stateful]
                                   [--checkout DIR] [--no-sidecars] [--out bench/results/fuzz.txt]

Nothing here is tuned: every operation the document lists is exercised with generated data only.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx

from api.settings import REPO_ROOT

STATEFUL = "Stateful tests"  # Schemathesis's label for the stateful phase's sequences of calls
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def start_gateway(checkout: Path, workdir: Path, port: int, sidecars: bool) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VOXGATE_DATABASE_URL": f"sqlite:///{workdir / 'voxgate.db'}",
        "VOXGATE_ARTIFACT_DIR": str(workdir / "artifacts"),
        "VOXGATE_BOTS_SIDECARS": "true" if sidecars else "false",
        "VOXGATE_BOTS_RUN_DIR": str(workdir / "bots"),
        "PYTHONPATH": str(checkout),
    }
    env.pop("VOXGATE_MODULES", None)  # every installed module, as `make run`
    log = open(workdir / "gateway.log", "wb")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--log-level", "warning"],
        cwd=checkout, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float, bots: bool) -> float:
    """Seconds until /healthz answers (and, with sidecars, until every bot answers /v1/bots as ready)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise SystemExit(f"gateway exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                if not bots:
                    return time.monotonic() - started
                listing = httpx.get(f"{url}/v1/bots", timeout=5).json()
                if all(b.get("ready") for b in listing):
                    return time.monotonic() - started
        except (httpx.TransportError, ValueError):
            pass
        time.sleep(1)
    raise SystemExit(f"gateway not ready after {timeout:.0f} s")


def rejected_operations(cli_output: str) -> set[str]:
    """Operations Schemathesis warned "mostly rejected generated data" (the schema does not say what they accept)."""
    labels: set[str] = set()
    inside = False
    for line in cli_output.splitlines():
        if line.startswith("Schema validation mismatch"):
            inside = True
        elif inside and line.strip().startswith("- "):
            labels.add(line.strip()[2:])
        elif inside and line.strip() and not line.startswith(" "):
            inside = False
    return labels


def summarise(report: Path) -> tuple[dict[str, Counter[str]], dict[str, int], list[str]]:
    """From Schemathesis's NDJSON events: failures per operation by check, cases per operation, error lines."""
    failures: dict[str, Counter[str]] = defaultdict(Counter)
    cases: dict[str, int] = Counter()
    errors: list[str] = []
    for line in report.read_text().splitlines():
        event = json.loads(line)
        (kind, body), = event.items()
        if kind == "ScenarioFinished":
            label = body.get("label") or ""
            recorder = body.get("recorder") or {}
            label = recorder.get("label", label)
            cases[label] += len(recorder.get("cases", {}))
            for check_list in (recorder.get("checks") or {}).values():
                for check in check_list:
                    if check.get("status") == "failure":
                        failures[label][check["name"]] += 1
        elif kind == "NonFatalError":
            errors.append(f"{body.get('label')}: {body.get('info', {}).get('message', '')[:200]}")
    return failures, cases, errors


def compare(before_dir: Path, after_dir: Path) -> str:
    """Before/after: failing test cases per operation and check, from two runs' report folders."""
    runs = []
    for folder in (before_dir, after_dir):
        failures, cases, _ = summarise(next(folder.glob("*.ndjson")))
        rejected = rejected_operations((folder / "cli.txt").read_text()) if (folder / "cli.txt").exists() else set()
        runs.append((failures, cases, rejected))
    checks = sorted({c for failures, _, _ in runs for counter in failures.values() for c in counter})
    names = {c: c.replace("_conformance", "").replace("not_a_server_error", "server_error") for c in checks}
    header = f"{'operation':<46} {'cases':>9} " + " ".join(f"{names[c]:>17}" for c in checks) + f" {'rejected':>9}"
    lines = ["before -> after: test cases failing each check (cases run before -> after)", "", header]
    labels = sorted(set().union(*(set(cases) | set(failures) for failures, cases, _ in runs)))
    for label in labels:
        (fb, cb, rb), (fa, ca, ra) = runs
        cells = " ".join(f"{f'{fb[label].get(c, 0)} -> {fa[label].get(c, 0)}':>17}" for c in checks)
        rejected = f"{'yes' if label in rb else 'no'} -> {'yes' if label in ra else 'no'}"
        lines.append(f"{label:<46} {f'{cb.get(label, 0)}->{ca.get(label, 0)}':>9} {cells} {rejected:>9}")
    totals = " ".join(
        f"{f'{sum(f.get(c, 0) for f in runs[0][0].values())} -> {sum(f.get(c, 0) for f in runs[1][0].values())}':>17}"
        for c in checks
    )
    cases_total = f"{sum(runs[0][1].values())}->{sum(runs[1][1].values())}"
    lines.append(f"{'total':<46} {cases_total:>9} {totals} {f'{len(runs[0][2])} -> {len(runs[1][2])}':>9}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkout", type=Path, default=REPO_ROOT, help="the code to serve (default: this one)")
    parser.add_argument("--max-examples", type=int, default=8)
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--mode", default="all", choices=["all", "positive", "negative"])
    parser.add_argument("--checks", default=CHECKS)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--no-sidecars", action="store_true", help="bots without their Rasa servers (503s)")
    parser.add_argument("--exclude-path-regex", default=None)
    parser.add_argument("--include-path-regex", default=None)
    parser.add_argument("--ready-timeout", type=float, default=1800, help="seconds to wait for the gateway and bots")
    parser.add_argument("--report-dir", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=None, help="also write the table to this file")
    parser.add_argument("--title", default="")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                        help="print the before/after table of two runs' --report-dir folders and exit")  # fmt: skip
    args = parser.parse_args()
    if args.compare:
        text = compare(*args.compare)
        print(text)
        if args.out:
            with args.out.open("a") as handle:
                handle.write(text + "\n")
        return

    from tests.server import free_port

    workdir = Path(tempfile.mkdtemp(prefix="voxgate-fuzz-"))
    report_dir = args.report_dir or workdir / "report"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_gateway(args.checkout.resolve(), workdir, port, not args.no_sidecars)
    try:
        ready_s = wait_ready(url, process, args.ready_timeout, bots=not args.no_sidecars)
        # Fetched here with a patient timeout: Schemathesis gives a schema URL 10 s, and the first build of the
        # document (every module's routes) can take longer on a loaded machine.
        document = workdir / "openapi.json"
        document.write_bytes(httpx.get(f"{url}/openapi.json", timeout=600).content)
        command = [
            str(Path(sys.executable).with_name("schemathesis")), "run", str(document), "--url", url,
            "--checks", args.checks, "--max-examples", str(args.max_examples), "--phases", args.phases,
            "--mode", args.mode, "--seed", str(args.seed), "--workers", args.workers,
            "--request-timeout", "300", "--suppress-health-check", "all", "--no-shrink",
            "--report", "ndjson", "--report-dir", str(report_dir), "--continue-on-failure",
        ]  # fmt: skip
        if args.exclude_path_regex:
            command += ["--exclude-path-regex", args.exclude_path_regex]
        if args.include_path_regex:
            command += ["--include-path-regex", args.include_path_regex]
        started = time.monotonic()
        hooks = str(Path(__file__).with_name("fuzz_hooks.py"))  # the AWS json media type, Lex's audio
        env = {**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": hooks}
        run = subprocess.run(command, capture_output=True, text=True, env=env)
        seconds = time.monotonic() - started
        (report_dir / "cli.txt").write_text(run.stdout + run.stderr)
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()

    ndjson = next(report_dir.glob("*.ndjson"))
    failures, cases, errors = summarise(ndjson)
    rejected = rejected_operations(run.stdout)
    checks = sorted({c for counter in failures.values() for c in counter})
    short = {c: c.replace("_conformance", "").replace("not_a_server_error", "server_error") for c in checks}
    width = max([len(v) for v in short.values()] + [8])
    lines = [
        f"# {args.title or 'voxgate fuzz run'}",
        f"command: {shlex.join(['python', '-m', 'bench.fuzz', *sys.argv[1:]])}",
        f"schemathesis: {shlex.join(['schemathesis', *command[1:]]).replace(url, 'GATEWAY')}",
        f"checkout: {args.checkout.resolve()} (git {_head(args.checkout)}); gateway ready in {ready_s:.0f} s; "
        f"run {seconds:.0f} s; exit {run.returncode}",
        "cells: test cases failing that check; 'rejected': Schemathesis's warning that the operation mostly rejected "
        "the data generated from its own schema (the document does not say what it accepts)",
        "",
        f"{'operation':<52} {'cases':>6} " + " ".join(f"{short[c]:>{width}}" for c in checks) + "  rejected",
    ]
    for label in sorted(set(cases) | set(failures)):
        lines.append(
            f"{label:<52} {cases.get(label, 0):>6} "
            + " ".join(f"{failures[label].get(c, 0):>{width}}" for c in checks)
            + ("  yes" if label in rejected else "")
        )
    operations = [label for label in cases if label != STATEFUL]
    failing_ops = sum(1 for label, counter in failures.items() if label != STATEFUL and sum(counter.values()))
    totals = {c: sum(f.get(c, 0) for f in failures.values()) for c in checks}
    lines += [
        f"{'total':<52} {sum(cases.values()):>6} " + " ".join(f"{totals[c]:>{width}}" for c in checks)
        + f"  {len(rejected)}",
        "",
        f"operations: {len(operations)}   cases: {sum(cases.values())}   operations failing a check: {failing_ops}   "
        f"operations mostly rejecting their own schema's data: {len(rejected)}   errors: {len(errors)}",
    ]
    lines += [f"error: {e}" for e in errors[:40]]
    text = "\n".join(lines) + "\n"
    print(text)
    print(f"schemathesis output and reports: {report_dir}")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        with args.out.open("a") as handle:
            handle.write(text + "\n")


def _head(checkout: Path) -> str:
    command = ["git", "-C", str(checkout), "rev-parse", "--short", "HEAD"]
    result = subprocess.run(command, capture_output=True, text=True)
    return result.stdout.strip() or "?"


if __name__ == "__main__":
    main()
