"""Run the action server on loopback only: `python -m rasa_actions.serve --port N` (cwd bots/, Rasa venv)."""

from __future__ import annotations

import argparse
import logging
import os

from rasa_sdk.endpoint import create_app

from . import store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    engine = store.connect()  # creates the tables before the first conversation
    if os.environ.get("VOXGATE_BOTS_DEMO_ORDERS") == "1":
        store.seed_demo_orders(engine)
    app = create_app("rasa_actions.actions")
    app.run(host=args.host, port=args.port, workers=1, access_log=False)


if __name__ == "__main__":
    main()
