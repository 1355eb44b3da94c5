"""Celery tasks looked up by their declared name, so that a service can hand work to a task without
importing the app's tasks module (which imports the service: a cycle). The task is the one registered
under its explicit `name=` in Celery's own registry; each app's `AppConfig.ready()` imports its tasks
module, so the registry is filled in every process (web, worker, beat, tests) before a service runs."""

from __future__ import annotations

from typing import Any

from .celery import app


def job(name: str) -> Any:
    """The task registered as `name` (e.g. "reporting.summary_compile_task"); KeyError for an unknown one.
    (Celery ships no type information: the task is Any to mypy.)"""
    return app.tasks[name]


def has_job(name: str) -> bool:
    return name in app.tasks
