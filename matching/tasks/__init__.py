"""Celery tasks of the matching app (autodiscovered as matching.tasks)."""

from .notifications import *  # noqa: F403
from .runs import *  # noqa: F403
from .subscriptions import *  # noqa: F403
