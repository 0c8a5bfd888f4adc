"""data_quality [--format text|json] [--check CODE ...]

JSON: {"checks": [{"code", "title", "count", "url"}]}, the url being the admin change list
filtered to the offending records (the model holding most of them)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cleanup.checks import CHECKS_BY_CODE, run_checks


class Command(BaseCommand):
    help = _("运行数据质量检查，输出各项检查的问题记录数和后台筛选链接。")

    def add_arguments(self, parser):
        parser.add_argument("--format", dest="output_format", choices=("text", "json"), default="text")
        parser.add_argument(
            "--check", dest="codes", action="append", default=None, help=_("只运行这一项检查（可重复）")
        )

    def handle(self, *args, output_format, codes, **options):
        unknown = [code for code in codes or () if code not in CHECKS_BY_CODE]
        if unknown:
            raise CommandError(
                _("未知的检查：%(codes)s（可用：%(known)s）")
                % {"codes": ", ".join(unknown), "known": ", ".join(CHECKS_BY_CODE)}
            )
        results = run_checks(codes)
        if output_format == "json":
            self.stdout.write(
                json.dumps({"checks": [r.as_json() for r in results]}, ensure_ascii=False, indent=2)
            )
            return
        for result in results:
            self.stdout.write(f"{result.code:32} {result.count:>8}  {result.title}  {result.url}")
