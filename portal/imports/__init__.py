"""Shared import pipeline; see base.py for the contract."""

from .base import Column, Counts, Importer, ImportFileError, ImportResult, Row, RowError, register, run_import

__all__ = [
    "Column",
    "Counts",
    "ImportFileError",
    "ImportResult",
    "Importer",
    "Row",
    "RowError",
    "register",
    "run_import",
]
