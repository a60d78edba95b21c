"""`voxgate music accompany|enhance|extend IN.mid -o OUT.mid`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import symusic

from api.settings import REPO_ROOT


def voxgate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "api", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=180
    )


def test_music_accompany_and_enhance_from_the_command_line(tmp_path: Path, melody_midi: bytes) -> None:
    source = tmp_path / "melody.mid"
    source.write_bytes(melody_midi)
    out = tmp_path / "out.mid"
    done = voxgate(
        "music", "accompany", str(source), "-o", str(out), "--iterations", "24", "--json", str(tmp_path / "a.json")
    )
    assert done.returncode == 0, done.stderr
    assert [t.name for t in symusic.Score.from_midi(out.read_bytes()).tracks] == ["Soprano", "Alto", "Tenor", "Bass"]
    assert "in_scale_ratio" in json.loads((tmp_path / "a.json").read_text())["metrics"]
    enhanced = tmp_path / "enhanced.mid"
    done = voxgate("music", "enhance", str(source), "-o", str(enhanced), "--iterations", "20", "--max-notes-added", "2")
    assert done.returncode == 0, done.stderr
    assert len(symusic.Score.from_midi(enhanced.read_bytes()).tracks) == 1


def test_music_cli_reports_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mid"
    bad.write_bytes(b"not a midi file")
    done = voxgate("music", "accompany", str(bad), "-o", str(tmp_path / "x.mid"))
    assert done.returncode == 2
    assert "not a MIDI file" in done.stderr
