"""Custom Rasa actions for the voxgate assistants. Runs in the Rasa venv (Python 3.10, rasa_sdk), not the gateway's.

Started by the sidecar manager as `rasa run actions --actions rasa_actions` from the bots/ folder.
"""
