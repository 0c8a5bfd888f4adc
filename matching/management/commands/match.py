"""python manage.py match --all [--top N --json] | --demand CODE [--top N] --json"""

import contextlib
import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from demands.models import Demand
from matching import corpus
from matching.services import runs
from portal.permissions import system_actor


class Command(BaseCommand):
    help = "Score open demands against matchable patents and store the top matches."
    # A batch command run nightly and by scripts: the system checks (seconds on a loaded machine)
    # belong to deployment and `manage.py check`, not to every run.
    requires_system_checks = []

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--all", action="store_true", help="full run over every open demand")
        target.add_argument("--demand", metavar="CODE", help="one demand by its code")
        parser.add_argument("--top", type=int, default=None, help="matches per demand to keep/print")
        parser.add_argument("--json", action="store_true", help="print matches as JSON")

    def handle(self, *args, all, demand, top, json: bool, **options):
        if top is not None and top < 1:
            raise CommandError("--top must be at least 1")
        top_n = max(top or 0, runs.default_top_n())
        if demand:
            return self._one(demand, top, top_n, as_json=json)
        self._all(top, top_n, as_json=json)

    def _one(self, code, top, top_n, *, as_json):
        found = Demand.objects.filter(code=code.strip()).first()
        if found is None:
            raise CommandError(f"demand {code} not found")
        with contextlib.redirect_stdout(sys.stderr):  # notification mails, as in _all
            runs.demand_match(demand_id=found.pk, top_n=top_n)
        data = runs.matches_as_json(found, top=top)
        if as_json:
            self.stdout.write(json_dumps(data))
        else:
            for i, m in enumerate(data["matches"], start=1):
                self.stdout.write(
                    f"{i:>3}. {m['application_no']}  {m['score']:.4f}  {'；'.join(m['reasons'])}"
                )

    def _all(self, top, top_n, *, as_json):
        def progress(done, total):
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} chunks")
            sys.stderr.flush()

        t0 = time.perf_counter()
        # Whatever the run prints (with eager Celery, the console e-mail backend's notification
        # mails) goes to stderr: stdout carries only the JSON lines.
        with contextlib.redirect_stdout(sys.stderr):
            index = corpus.current_index()  # loaded (or built, on every core) once, before the chunks
            t1 = time.perf_counter()
            run = runs.match_run_sync(top_n=top_n, actor=system_actor(), progress=progress, index=index)
        sys.stderr.write("\n")
        t2 = time.perf_counter()
        if as_json:
            # One write: a line per open demand, built from two queries.
            lines = [json_dumps(data) for data in runs.matches_as_json_all(top=top)]
            if lines:
                self.stdout.write("\n".join(lines))
        else:
            self.stdout.write(
                f"run #{run.pk}: {run.demands_count} demands, {run.matches_count} matches, "
                f"{run.chunks_total} chunks, {run.duration.total_seconds():.1f} s"
            )
        t3 = time.perf_counter()
        sys.stderr.write(f"timings: index {t1 - t0:.1f} s, match {t2 - t1:.1f} s, output {t3 - t2:.1f} s\n")


def json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
