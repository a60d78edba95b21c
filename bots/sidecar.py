"""Rasa servers as managed child processes on loopback: one `rasa run` per bot plus one action server.

One server per bot because Rasa 3 serves exactly one model per process; separate processes also mean a bot can
crash, restart or be retrained without touching the other. Each process is watched by a thread: a process that
exits is restarted with back-off; readiness is an HTTP health check.
"""

from __future__ import annotations

import ctypes
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bots.projects import DEFAULT_RASA_VENV, BotProject, list_projects, rasa_env

log = logging.getLogger(__name__)
BOTS_DIR = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class SidecarConfig:
    database_url: str
    run_dir: Path  # endpoints files, tracker stores, logs
    venv: Path = DEFAULT_RASA_VENV
    start_timeout_s: float = 240.0
    max_backoff_s: float = 30.0
    demo_orders: bool = False


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None
PR_SET_PDEATHSIG = 1


def _die_with(parent: int):  # noqa: ANN202 - a preexec_fn
    """In the child before exec: SIGTERM when the thread that started it ends. That thread is the
    sidecar's watcher, which lives as long as the sidecar should, so a gateway that is killed
    (SIGKILL, a crash, OOM) takes its Rasa servers with it instead of leaving them running."""

    def preexec() -> None:
        if _LIBC is not None:
            _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the line above took effect
            os._exit(1)

    return preexec


class ManagedProcess:
    """A child process kept alive: started, health-checked, restarted when it dies, stopped on request."""

    def __init__(self, name: str, argv: list[str], cwd: Path, env: dict[str, str], health_url: str, log_path: Path):
        self.name, self.argv, self.cwd, self.env = name, argv, cwd, env
        self.health_url, self.log_path = health_url, log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.ready = False
        self.restarts = 0
        self.last_error: str | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def state(self) -> str:
        if self._stopping.is_set():
            return "stopped"
        if self.ready:
            return "ready"
        return "starting" if self.restarts == 0 else "restarting"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name=f"sidecar-{self.name}", daemon=True)
        self._thread.start()

    def _spawn(self) -> subprocess.Popen[bytes]:
        with open(self.log_path, "ab") as log_file:
            return subprocess.Popen(
                self.argv, cwd=self.cwd, env=self.env, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with(os.getpid()),
            )  # fmt: skip

    def _healthy(self, client: httpx.Client) -> bool:
        try:
            return client.get(self.health_url).status_code == 200
        except httpx.HTTPError:
            return False

    def _watch(self) -> None:
        backoff = 1.0
        with httpx.Client(timeout=5) as client:
            while not self._stopping.is_set():
                self.ready = False
                self.process = self._spawn()
                started = time.monotonic()
                log.info("started %s (pid %s)", self.name, self.process.pid)
                while not self._stopping.is_set() and self.process.poll() is None:
                    self.ready = self._healthy(client)
                    if self.ready:
                        backoff = 1.0
                    self._stopping.wait(1.0 if self.ready else 0.5)
                self.ready = False
                if self._stopping.is_set():
                    break
                self.last_error = f"exited with code {self.process.returncode} after {time.monotonic() - started:.0f} s"
                log.warning("%s %s; restarting in %.0f s (log: %s)", self.name, self.last_error, backoff, self.log_path)
                self.restarts += 1
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, 30.0)

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if self._thread:
            self._thread.join(timeout)


@dataclass
class BotStatus:
    name: str
    state: str  # ready | starting | restarting | untrained | unavailable | stopped
    url: str | None
    pid: int | None
    restarts: int
    detail: str | None = None


class BotSidecars:
    """The action server and one Rasa server per trained bot."""

    def __init__(self, config: SidecarConfig, projects: list[BotProject] | None = None):
        self.config = config
        self.projects = {p.name: p for p in (projects if projects is not None else list_projects())}
        self.servers: dict[str, ManagedProcess] = {}
        self.urls: dict[str, str] = {}
        # Rasa's HTTP API (trackers, for Lex's interpretations and slots), on loopback behind a per-process token
        # Hex, not token_urlsafe: a token starting with "-" is taken by rasa's argparse for an option ("-t:
        # expected one argument") and every sidecar restarts forever (about 1 start in 64).
        self.api_token = secrets.token_hex(24)
        self.actions: ManagedProcess | None = None
        self.problem: str | None = None

    def _env(self) -> dict[str, str]:
        env = rasa_env()
        env["VOXGATE_DATABASE_URL"] = self.config.database_url
        if self.config.demo_orders:
            env["VOXGATE_BOTS_DEMO_ORDERS"] = "1"
        return env

    def start(self) -> None:
        bin_dir = self.config.venv / "bin"
        if not (bin_dir / "rasa").exists():
            self.problem = f"Rasa is not installed at {self.config.venv} (run bots/setup_rasa.sh)"
            log.warning("bots: %s", self.problem)
            return
        run_dir = self.config.run_dir
        run_dir.mkdir(parents=True, exist_ok=True)
        env = self._env()
        action_port = free_port()
        self.actions = ManagedProcess(
            "rasa-actions",
            [str(bin_dir / "python"), "-m", "rasa_actions.serve", "--port", str(action_port)],
            BOTS_DIR,
            env,
            f"http://127.0.0.1:{action_port}/health",
            run_dir / "actions.log",
        )
        self.actions.start()
        (run_dir / "credentials.yml").write_text("rest:\n")
        for name, project in self.projects.items():
            if not project.model_path.is_file():
                continue
            port = free_port()
            endpoints = run_dir / f"{name}-endpoints.yml"
            endpoints.write_text(
                f'action_endpoint:\n  url: "http://127.0.0.1:{action_port}/webhook"\n'
                f'tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: "{run_dir / (name + "-tracker.db")}"\n'
            )
            argv = [str(bin_dir / "rasa"), "run", "--model", str(project.model_path), "--endpoints", str(endpoints)]
            argv += ["--credentials", str(run_dir / "credentials.yml"), "--interface", "127.0.0.1"]
            argv += ["--port", str(port), "--quiet", "--enable-api", "--auth-token", self.api_token]
            server = ManagedProcess(
                f"rasa-{name}", argv, project.path, env, f"http://127.0.0.1:{port}/", run_dir / f"{name}.log"
            )
            self.servers[name] = server
            self.urls[name] = f"http://127.0.0.1:{port}"
            server.start()

    def stop(self) -> None:
        for process in [*self.servers.values(), *([self.actions] if self.actions else [])]:
            process.stop()

    def url(self, bot: str) -> str | None:
        """The bot's Rasa base URL when it is ready to answer, else None."""
        server = self.servers.get(bot)
        return self.urls[bot] if server is not None and server.ready else None

    def status(self, bot: str) -> BotStatus:
        server = self.servers.get(bot)
        if server is None:
            trained = bot in self.projects and self.projects[bot].model_path.is_file()
            state = "unavailable" if self.problem or trained else "untrained"
            detail = self.problem or (None if trained else "no trained model (run bots/train.sh)")
            return BotStatus(bot, state, None, None, 0, detail)
        actions_ready = self.actions is not None and self.actions.ready
        detail = server.last_error or (None if actions_ready else "action server not ready")
        return BotStatus(bot, server.state, self.urls[bot], server.pid, server.restarts, detail)

    def wait_ready(self, timeout: float | None = None) -> bool:
        deadline = time.monotonic() + (timeout or self.config.start_timeout_s)
        processes = [*self.servers.values(), *([self.actions] if self.actions else [])]
        while time.monotonic() < deadline:
            if processes and all(p.ready for p in processes):
                return True
            time.sleep(0.5)
        return False
