"""kpi_report --year Y [--district CODE] [--format json|csv|xlsx|pdf] [--output PATH]

JSON (the default) is printed, or written to --output; the other formats need --output. The JSON
is exactly what /api/reports/kpi/ answers (docs/kpi.md)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.errors import ApplicationError
from reports import documents, exports, kpi


class Command(BaseCommand):
    help = _("输出某年度（及某旗区）的绩效指标：JSON、CSV、XLSX 或 PDF。")

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help=_("统计年度，如 2023"))
        parser.add_argument("--district", default=None, help=_("旗区区划代码，如 150622；省略为全市"))
        parser.add_argument("--format", dest="file_format", choices=exports.FORMATS, default="json")
        parser.add_argument("--output", default=None, help=_("输出文件路径（json 可省略，打印到标准输出）"))

    def handle(self, *args, year, district, file_format, output, **options):
        try:
            year = kpi.check_year(year)
            district = kpi.check_district(district)
            if file_format != "json" and not output:
                raise ApplicationError(
                    _("格式 %(format)s 须用 --output 指定输出文件。") % {"format": file_format}
                )
            report = kpi.kpi_report(year=year, district=district)
            if file_format == "json":
                text = json.dumps(report, ensure_ascii=False, indent=2)
                if not output:
                    self.stdout.write(text)
                    return
                content = (text + "\n").encode("utf-8")
            else:
                content = documents.kpi_file(report, file_format)
            path = Path(output)
            if not path.parent.is_dir():
                raise ApplicationError(_("输出目录不存在：%(dir)s") % {"dir": path.parent})
            path.write_bytes(content)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stderr.write(_("已写入 %(path)s") % {"path": output})
