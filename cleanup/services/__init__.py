"""Writes of the data clean-up: merges, bulk fixes and their undo, the weekly summary."""

from .fixes import (
    cleanup_run_revert,
    organizations_set_district,
    patents_set_industry_from_ipc,
    patents_withdraw_not_in_force,
)
from .merge import MergeConflicts, organization_merge, organization_merge_plan
from .quality import data_quality_notify

__all__ = [
    "MergeConflicts",
    "cleanup_run_revert",
    "data_quality_notify",
    "organization_merge",
    "organization_merge_plan",
    "organizations_set_district",
    "patents_set_industry_from_ipc",
    "patents_withdraw_not_in_force",
]
