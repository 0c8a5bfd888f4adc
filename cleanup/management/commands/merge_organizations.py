"""merge_organizations KEEP_CODE DROP_CODE [--dry-run] [--drop-conflicting] [--confirm-frozen]

Merges the organization with credit code DROP_CODE into the one with KEEP_CODE (the same service
as the admin's merge): prints what moves, the conflicts, and the KPI figures that change."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cleanup.impact import FrozenConfirmationRequired
from cleanup.services import MergeConflicts, organization_merge
from portal.errors import ApplicationError
from portal.identifiers import normalize_credit_code
from portal.models import Organization
from portal.permissions import system_actor


def _organization(code: str) -> Organization:
    try:
        normalized = normalize_credit_code(code)
    except ValidationError as error:
        raise CommandError(" ".join(error.messages)) from error
    organization = Organization.objects.filter(credit_code=normalized).first()
    if organization is None:
        raise CommandError(_("单位不存在：%(code)s") % {"code": normalized})
    return organization


class Command(BaseCommand):
    help = _(
        "把重复的单位（DROP_CODE）合并到保留的单位（KEEP_CODE）：所有关联记录转移，原信用代码保留为别名。"
    )

    def add_arguments(self, parser):
        parser.add_argument("keep_code", help=_("保留的单位的统一社会信用代码"))
        parser.add_argument("drop_code", help=_("被合并的单位的统一社会信用代码"))
        parser.add_argument("--dry-run", action="store_true", help=_("只预览，不写入"))
        parser.add_argument(
            "--drop-conflicting",
            action="store_true",
            help=_("冲突时删除被合并单位的冲突记录（保留方的记录不变）"),
        )
        parser.add_argument(
            "--confirm-frozen", action="store_true", help=_("确认变更已审定年度报告涉及的数字（二次确认）")
        )
        parser.add_argument("--json", dest="as_json", action="store_true", help=_("以 JSON 输出结果"))

    def handle(
        self, *args, keep_code, drop_code, dry_run, drop_conflicting, confirm_frozen, as_json, **options
    ):
        keep, drop = _organization(keep_code), _organization(drop_code)
        try:
            plan, outcome = organization_merge(
                keep=keep,
                drop=drop,
                actor=system_actor(),  # an operator's command: recorded as the system
                dry_run=dry_run,
                drop_conflicting=drop_conflicting,
                confirm_frozen=confirm_frozen,
            )
        except MergeConflicts as error:
            for conflict in error.plan.conflicts:
                self.stderr.write(f"conflict: {conflict.relation}: {conflict.description}")
            raise CommandError(error.message) from error
        except FrozenConfirmationRequired as error:
            self._impact(error.outcome.impact)
            raise CommandError(str(error)) from error
        except ApplicationError as error:
            raise CommandError(error.message) from error
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "applied": outcome.applied,
                        "moves": plan.moves,
                        "impact": outcome.impact,
                        "frozen_years": outcome.frozen,
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        for label, count in plan.moves.items():
            self.stdout.write(f"{label}: {count}")
        self._impact(outcome.impact)
        if outcome.applied:
            self.stdout.write(_("已合并：%(summary)s") % {"summary": outcome.summary})
        else:
            self.stdout.write(_("预览（未写入）：%(summary)s") % {"summary": outcome.summary})

    def _impact(self, impact):
        if not impact:
            self.stdout.write(_("绩效指标不受影响。"))
        for change in impact:
            self.stdout.write(
                f"{change['year']} {change['scope_label']} {change['indicator_label']} "
                f"{change['value_label']}: {change['before']} → {change['after']}"
            )
