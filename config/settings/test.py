"""Test settings: SQLite unless DATABASE_URL is set; tasks run eagerly unless a test asks for a worker."""

from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "test-media")))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Tests assert the English source strings; the Finnish default and the fi/sv catalogues have tests of their own
# (tests/test_i18n.py) that switch the language explicitly.
LANGUAGE_CODE = env.str("TEST_LANGUAGE_CODE", default="en")
