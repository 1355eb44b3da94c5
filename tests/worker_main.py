"""`python -m tests.worker_main worker ...`: the project's Celery worker for the fault tests (tests/faults.py).

REPORT_TEST_SLOW_RENDER=<seconds> makes the summary rendering wait that long first, so that a test can kill the
worker while a summary is being compiled. Nothing else differs from `celery -A config worker`."""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
django.setup()


def _slow_rendering(seconds: float) -> None:
    from reporting import rendering

    original = rendering.render_all

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return original(*args, **kwargs)

    rendering.render_all = slow


if __name__ == "__main__":
    if float(os.environ.get("REPORT_TEST_SLOW_RENDER", "0") or 0):
        _slow_rendering(float(os.environ["REPORT_TEST_SLOW_RENDER"]))
    from config.celery import app

    app.conf.task_always_eager = False
    app.worker_main(sys.argv[1:])
