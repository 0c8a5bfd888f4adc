"""Writes of demands, by concern: ``lifecycle`` (create, update, delete, publish, close, renew,
expire) and ``duplicates`` (the duplicate flag). Callers import from ``demands.services``."""

from .duplicates import DUPLICATE_THRESHOLD, demand_flag_duplicates, demands_similar, title_similarity
from .lifecycle import (
    DEFAULT_VALIDITY_DAYS,
    EDITABLE_FIELDS,
    MAX_VALIDITY_DAYS,
    demand_close,
    demand_create,
    demand_delete,
    demand_expire_due,
    demand_mark_matched,
    demand_next_code,
    demand_publish,
    demand_queue_matching,
    demand_renew,
    demand_update,
    normalize_ipc,
    normalize_keywords,
)

__all__ = [
    "DEFAULT_VALIDITY_DAYS",
    "DUPLICATE_THRESHOLD",
    "EDITABLE_FIELDS",
    "MAX_VALIDITY_DAYS",
    "demand_close",
    "demand_create",
    "demand_delete",
    "demand_expire_due",
    "demand_flag_duplicates",
    "demand_mark_matched",
    "demand_next_code",
    "demand_publish",
    "demand_queue_matching",
    "demand_renew",
    "demand_update",
    "demands_similar",
    "normalize_ipc",
    "normalize_keywords",
    "title_similarity",
]
