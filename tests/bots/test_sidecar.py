"""The sidecars' command lines, without starting Rasa."""

from __future__ import annotations

import argparse
from pathlib import Path

from bots.sidecar import BotSidecars, SidecarConfig


def test_the_api_token_is_never_read_as_an_option(tmp_path: Path) -> None:
    """`rasa run --auth-token TOKEN`: a token starting with "-" made argparse fail and the sidecars restart
    forever. 300 fresh tokens: a urlsafe one would start with "-" in about 1 of 64 (this fails 99% of the time)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("-t", "--auth-token")
    config = SidecarConfig(database_url="sqlite://", run_dir=tmp_path, venv=tmp_path / "no-venv")
    for _ in range(300):
        token = BotSidecars(config, projects=[]).api_token
        assert parser.parse_args(["--auth-token", token]).auth_token == token
        assert len(token) >= 32
