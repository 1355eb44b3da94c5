"""The Celery application. Settings come from Django settings under the CELERY_ namespace."""

import os

from celery import Celery
from kombu.exceptions import OperationalError as BrokerOperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("config", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# What sending a task raises when the broker cannot take it (down, unreachable, refusing, timing out): kombu
# wraps the transport's connection errors in its OperationalError; a bare socket error may still slip through.
BROKER_ERRORS: tuple[type[BaseException], ...] = (BrokerOperationalError, ConnectionError, TimeoutError, OSError)
