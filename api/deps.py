"""FastAPI dependencies: the app's settings, model pool, jobs and database, taken from app.state."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy import Engine

from api.jobs import JobService
from api.settings import Settings
from workers import ModelPool


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_pool(request: Request) -> ModelPool:
    return request.app.state.pool


def get_jobs(request: Request) -> JobService:
    return request.app.state.jobs


def get_engine(request: Request) -> Engine:
    return request.app.state.engine
