"""The benchmark harness runs end to end at a tiny size, so it never rots. Figures are not checked."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "intake.psycopg2_floor", "intake.django_floor", "intake.api", "action.file", "action.dispatch",
    "action.respond", "action.verify", "list.street_all.first_page", "list.street_all.deep_page",
    "list.district_all.deep_page", "list.agency_inbox_pending", "detail.20_events.street_staff", "locate.bulk",
    "memory.web_worker_peak", "memory.celery_worker_peak", "sweep.100k_open_tasks.first",
    "sweep.100k_open_tasks.again",
    "assessment.round_compute",
    "dashboard.summary.district.year",
    "dashboard.http.data.month",
}


def test_every_benchmark_runs_in_smoke_mode(tmp_path):
    env = {**os.environ, "BENCH_DATABASE_URL": os.environ["DATABASE_URL"]}
    done = subprocess.run([sys.executable, "bench/run.py", "--smoke", "--out", str(tmp_path)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (report,) = tmp_path.glob("*-smoke.json")
    results = json.loads(report.read_text())["results"]
    assert EXPECTED <= {row["name"] for row in results}
    assert all(row["median"] >= 0 and row["n"] > 0 for row in results)
    assert "benchmark" in done.stdout and "intake.api" in done.stdout  # the printed table
