"""Every action the action server offers: importing the modules registers their Action classes with rasa_sdk."""

from . import clinic, contact  # noqa: F401
