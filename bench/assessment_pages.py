"""The assessment's public pages on a computed round: rankings, the people summed up by street, one
unit's drill-down (the case numbers behind each indicator: the first visit reads them, later ones
come from the cache) and the public workbook.

    DATABASE_URL=postgres://…/haidian_bench .venv/bin/python bench/assessment_pages.py --period 2026H1

Run after bench/assessment.py: the round is closed and published if it is not (on the benchmark's
database only), and the pages are read through Django's test client, five times each, in process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def measure_pages(period: str, repeat: int = 5) -> dict:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from assessment import services
    from assessment.models import Result, Round, RoundStatus
    from haidian.workflow import SYSTEM

    round_ = Round.objects.get(period=period)
    if round_.status == RoundStatus.OPEN:
        round_ = services.round_close(round=round_, actor=SYSTEM)
    if round_.status == RoundStatus.CLOSED:
        root, _created = get_user_model().objects.get_or_create(
            username="bench-root", defaults={"is_superuser": True, "is_staff": True})
        round_ = services.round_publish(round=round_, actor=root)
    settings.ALLOWED_HOSTS = ["*"]
    published = Result.objects.filter(round=round_, version=round_.published_version)
    agency = published.filter(kind="agency").order_by("-sample").first()
    street = published.filter(kind="street").order_by("-sample").first()
    pages = {
        "rankings_agencies": f"/public/rankings/{period}/?kind=agency",
        "rankings_grid_workers_by_street": f"/public/rankings/{period}/?kind=grid_worker",
        "drilldown_biggest_agency": f"/public/rankings/{period}/agency/{agency.unit_id}/",
        "drilldown_biggest_street": f"/public/rankings/{period}/street/{street.unit_id}/",
        "public_xlsx": f"/public/rankings/{period}/results.xlsx",
    }
    client, figures = Client(), {"agency_tasks_due": agency.sample, "street_cases_accepted": street.sample}
    # A cache of its own, empty, so that the first visit is a first visit (and nothing shared is flushed).
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                               "LOCATION": "bench-assessment-pages"}}):
        for name, url in pages.items():
            figures[name] = _page(client, url, repeat)
    return figures


def _page(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        queries = len(captured.captured_queries)
    return {"first_ms": round(1000 * seconds[0]), "median_ms": round(1000 * statistics.median(seconds)),
            "queries_cached": queries}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default="2026H1")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    print(json.dumps(measure_pages(args.period), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
