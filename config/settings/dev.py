"""The embedded default of `make run`: SQLite under var/, the filesystem broker, console e-mail."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
WHITENOISE_USE_FINDERS = True
