"""The dashboard's data with a year of Haidian (target: under 300 ms on this machine).

    DATABASE_URL=postgres://…/haidian_bench .venv/bin/python bench/dashboard.py

Times, over 20 runs each (median and p95, ms), what one refresh of the dashboard reads: the KPI
summary (district and one street), the rankings, the trends, the map's grid states, and the whole
`/api/v1/dashboard/summary/` and `/dashboard/data.json` answers through Django as the district
command center. The roll-ups must be in place (migrations build them; seed_scale rebuilds them).
`bench/run.py --only dashboard` calls `measure` too.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _time(fn, repeat: int) -> dict:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"median_ms": round(statistics.median(samples), 2),
            "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 2)}


def measure(repeat: int = 20) -> dict:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from agencies.models import District, Street
    from dashboard import rollups
    from dispatch.models import Case
    from haidian.permissions import Role
    from people.services import membership_grant

    latest = Case.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    until = (timezone.localtime(latest).date() if latest else timezone.localdate()) + dt.timedelta(days=1)
    year, month = until - dt.timedelta(days=365), until - dt.timedelta(days=30)
    street = Street.objects.order_by("code").first()
    user, _created = get_user_model().objects.get_or_create(username="bench-command")
    membership_grant(user=user, role=Role.DISTRICT_COMMAND, unit=District.objects.first())
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    query = {"since": year.isoformat(), "until": until.isoformat()}
    recent = {"since": month.isoformat(), "until": until.isoformat()}
    for path, params in (("/api/v1/dashboard/summary/", query), ("/dashboard/data.json", recent),
                         ("/dashboard/panels/", recent)):
        status = client.get(path, params).status_code
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
    figures = {
        "summary.district.year": _time(lambda: rollups.summary(since=year, until=until), repeat),
        "summary.street.year": _time(lambda: rollups.summary(street_id=street.pk, since=year, until=until), repeat),
        "rankings.month": _time(lambda: rollups.rankings(street_id=None, since=month, until=until), repeat),
        "trends.month": _time(lambda: rollups.trends(street_id=None, since=month, until=until), repeat),
        "grid_states": _time(lambda: rollups.grid_states(street_id=None), repeat),
        "http.summary.year": _time(lambda: client.get("/api/v1/dashboard/summary/", query), repeat),
        "http.data.month": _time(lambda: client.get("/dashboard/data.json", recent), repeat),
        "http.panels.month": _time(lambda: client.get("/dashboard/panels/", recent), repeat),
    }
    return {"cases": Case.objects.count(), "until": until.isoformat(), "timings": figures}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    print(json.dumps(measure(), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
