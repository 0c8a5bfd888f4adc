"""Local development: debug on, an insecure key that is fine on a laptop."""

import os

os.environ.setdefault("DJANGO_DEBUG", "true")

from .base import *  # noqa: F403
from .base import SECRET_KEY

SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"
