"""Chatbots: Rasa projects (bots/projects), their sidecar servers, and the shapes of Rasa's chat channels.

Rasa itself runs in its own Python 3.10 venv (.venv-rasa, made by bots/setup_rasa.sh); this package, in the
gateway's venv, only trains, starts, watches and talks to it.
"""

from bots.channel import BotMessage, to_rest, to_socketio
from bots.projects import PROJECTS_DIR, BotProject, list_projects
from bots.service import BotService, BotUnavailable
from bots.sidecar import BotSidecars, SidecarConfig

__all__ = [
    "PROJECTS_DIR",
    "BotMessage",
    "BotProject",
    "BotService",
    "BotUnavailable",
    "BotSidecars",
    "SidecarConfig",
    "list_projects",
    "to_rest",
    "to_socketio",
]
