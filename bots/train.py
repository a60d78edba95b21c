"""Train each bot whose training data changed since its last training (hash stamp next to the model).

    python -m bots.train [--force] [BOT ...]

Runs `rasa train` from the Rasa venv (--venv: .venv-rasa, or VOXGATE_RASA_VENV). Standard library only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bots.projects import DEFAULT_RASA_VENV, BotProject, list_projects, rasa_env


def train(project: BotProject, venv: Path = DEFAULT_RASA_VENV, force: bool = False) -> bool:
    """Returns True when it trained, False when the model was already current."""
    if project.is_trained() and not force:
        return False
    rasa = venv / "bin" / "rasa"
    if not rasa.exists():
        raise SystemExit(f"{rasa} not found: run bots/setup_rasa.sh first")
    data_hash = project.training_hash()
    started = time.monotonic()
    print(f"training {project.name} ...", flush=True)
    subprocess.run(
        [str(rasa), "train", "--fixed-model-name", project.name, "--out", "models", "--quiet"],
        cwd=project.path,
        env=rasa_env(),
        check=True,
    )
    project.stamp_path.write_text(data_hash + "\n")
    print(f"trained {project.name} in {time.monotonic() - started:.0f} s", flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bots", nargs="*", help="bot names (default: all)")
    parser.add_argument("--force", action="store_true", help="train even when the data did not change")
    # A standalone program (it runs before the gateway's venv exists): its one setting comes from here.
    parser.add_argument("--venv", type=Path, default=Path(os.environ.get("VOXGATE_RASA_VENV") or DEFAULT_RASA_VENV))
    args = parser.parse_args(argv)
    projects = [p for p in list_projects() if not args.bots or p.name in args.bots]
    unknown = set(args.bots) - {p.name for p in projects}
    if unknown:
        print(f"unknown bots: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    for project in projects:
        if not train(project, args.venv, args.force):
            print(f"{project.name}: model is current")
    return 0


if __name__ == "__main__":
    sys.exit(main())
