"""The Rasa projects under bots/projects: discovery, training-data hash, trained model path. Standard library only,
so bots/train.py runs with any Python."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

PROJECTS_DIR = Path(__file__).resolve().parent / "projects"
REPO_ROOT = Path(__file__).resolve().parent.parent


# The gateway's is Settings.bots.rasa_venv (VOXGATE_RASA_VENV); bots/train.py takes --venv.
DEFAULT_RASA_VENV = REPO_ROOT / ".venv-rasa"


def rasa_env() -> dict[str, str]:
    """Quiet, single-threaded TensorFlow: the machine is shared."""
    return {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "TF_INTRA_OP_PARALLELISM_THREADS": os.environ.get("TF_INTRA_OP_PARALLELISM_THREADS", "2"),
        "TF_INTER_OP_PARALLELISM_THREADS": "1",
        "PYTHONWARNINGS": "ignore",
    }


TRAINING_FILES = ("config.yml", "domain.yml")


@dataclass(frozen=True)
class BotProject:
    name: str
    path: Path

    @property
    def model_path(self) -> Path:
        return self.path / "models" / f"{self.name}.tar.gz"

    @property
    def stamp_path(self) -> Path:
        return self.path / "models" / ".training-hash"

    def training_files(self) -> list[Path]:
        files = [self.path / name for name in TRAINING_FILES]
        return files + sorted((self.path / "data").rglob("*.yml"))

    def training_hash(self) -> str:
        digest = hashlib.sha256()
        for file in self.training_files():
            digest.update(file.relative_to(self.path).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
        return digest.hexdigest()

    def is_trained(self) -> bool:
        """A model exists and was trained from the current training data."""
        if not self.model_path.is_file() or not self.stamp_path.is_file():
            return False
        return self.stamp_path.read_text().strip() == self.training_hash()

    def title(self) -> str:
        return self.name.replace("-", " ").capitalize()


def list_projects(root: Path = PROJECTS_DIR) -> list[BotProject]:
    return [BotProject(p.name, p) for p in sorted(root.iterdir()) if (p / "domain.yml").is_file()]


def get_project(name: str, root: Path = PROJECTS_DIR) -> BotProject | None:
    return next((p for p in list_projects(root) if p.name == name), None)
