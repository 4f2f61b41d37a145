"""`manage.py assessment_report 2026H1 [--results-version N] [--json]`: does the round discriminate?

Prints, per kind of unit, the distribution of the ranked units' totals, the share at the top
score, the units with 样本不足 and the indicators with the least spread (assessment.report). Exits
non-zero when the round does not exist or has no results; a kind with more than 5 % of its units at
the top score is flagged, not an error.
"""

import json as _json

from django.core.management.base import BaseCommand, CommandError

from assessment import report
from assessment.models import Round


class Command(BaseCommand):
    help = "The sanity report of a round's results: spread, ties at the top, small samples."

    def add_arguments(self, parser):
        parser.add_argument("period", help="e.g. 2026H1")
        parser.add_argument("--results-version", dest="results_version", type=int, default=None,
                            help="a results version (default: the latest)")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, period, results_version, json: bool = False, **options):
        round_ = Round.objects.filter(period=period).first()
        if round_ is None:
            raise CommandError(f"no round {period!r}")
        version = results_version or round_.version
        if not version or not round_.results.filter(version=version).exists():
            raise CommandError(f"round {period} has no results{f' in version {version}' if version else ''}: "
                               "compute it first")
        rows = report.sanity(round_, version)
        if json:
            self.stdout.write(_json.dumps(rows, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{period} v{version}")
        header = (f"{'kind':<13}{'units':>7}{'ranked':>8}{'样本不足':>6}{'thin':>6}{'min':>8}{'q1':>8}{'median':>8}"
                  f"{'q3':>8}{'max':>8}{'at top':>12}{'at 100':>8}  least spread")
        self.stdout.write(header)
        for row in rows:
            def number(value):
                return "—" if value is None else f"{value:.2f}"

            top = "—" if row["top_share"] is None else f"{row['top']} {100 * row['top_share']:.1f}%"
            flag = "" if row["discriminates"] else "  ← too many at the top"
            flat = ", ".join(f"{f['indicator']} {f['spread']:.1f}" for f in row["flat"]) or "—"
            self.stdout.write(f"{row['kind']:<13}{row['units']:>7}{row['ranked']:>8}{row['insufficient']:>10}"
                              f"{row['thin_ranked']:>6}{number(row['min']):>8}{number(row['q1']):>8}"
                              f"{number(row['median']):>8}{number(row['q3']):>8}{number(row['max']):>8}{top:>12}"
                              f"{row['perfect']:>8}  {flat}{flag}")
