"""python manage.py import_data KIND FILE [--dry-run] [--owner CREDIT_CODE]"""

import sys

from django.core.management.base import BaseCommand, CommandError

from portal.imports.base import REGISTRY, ImportFileError, importer_for, run_import
from portal.permissions import system_actor


class Command(BaseCommand):
    help = "Import a CSV/XLSX file of one data kind: all rows valid → upsert in one transaction; else nothing written."

    def add_arguments(self, parser):
        parser.add_argument("kind")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--owner", help="credit code of the owning organization (patents)")

    def handle(self, *args, kind, file, dry_run, owner, **options):
        try:
            importer_for(kind)
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        opts = {"owner": owner} if owner else {}
        try:
            # An operator's command: the system acts (and is recorded in the history).
            result = run_import(
                kind=kind, path=file, options=opts, actor=system_actor(), dry_run=dry_run, progress=None
            )
        except ImportFileError as exc:
            self.stderr.write(f"row 1, column -: {exc}")
            sys.exit(1)
        if not result.ok:
            for line in result.error_lines():
                self.stderr.write(line)
            if result.errors_truncated:
                self.stderr.write(f"(stopped after {len(result.errors)} errors)")
            self.stderr.write(f"{len(result.errors)} error(s); nothing written")
            sys.exit(1)
        for line in result.warning_lines():
            self.stderr.write(f"warning: {line}")
        if not result.counted:
            self.stdout.write(f"dry run: {result.rows} rows valid; counts skipped (large file on SQLite)")
            return
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(prefix + result.counts.summary())

    @staticmethod
    def kinds() -> list[str]:
        return sorted(REGISTRY)
