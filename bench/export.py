"""Peak memory of one case export (`GET /api/v1/cases/export/`) over a database of generated cases.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/haidian_bench \\
        .venv/bin/python bench/export.py --rows 100000 --format csv [--tracemalloc]

Reads only (the session is read-only). Exports the `--rows` cases reported from 1 March 2026 on
(the list's `created_after` / `created_before` filters) as the district would, reads the whole
response as a server sending it would, and prints the rows, bytes, seconds and the process's peak
memory above what it held before the export: resident (VmHWM, reset first) or, with
`--tracemalloc`, Python's own allocations (slower). Not part of `make bench`; run each size in its
own process.
"""

import argparse
import datetime as dt
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haidian.settings")
START = dt.datetime(2026, 3, 1, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    parser.add_argument("--tracemalloc", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from rest_framework.test import APIRequestFactory, force_authenticate

    from dispatch.api import CaseViewSet

    connection.settings_dict.setdefault("OPTIONS", {})["options"] = "-c default_transaction_read_only=on"
    with connection.cursor() as cursor:
        cursor.execute("SELECT created_at FROM dispatch_case WHERE created_at >= %s ORDER BY created_at, id "
                       "OFFSET %s LIMIT 1", [START, args.rows])
        end = cursor.fetchone()[0]
    user = get_user_model()(username="bench-export", is_superuser=True, is_active=True)  # never saved
    view = CaseViewSet.as_view({"get": "export"})

    def export(before: dt.datetime) -> int:
        request = APIRequestFactory().get("/api/v1/cases/export/", {
            "format": args.format, "created_after": START.isoformat(), "created_before": before.isoformat()})
        force_authenticate(request, user=user)
        response = view(request)
        assert response.status_code == 200, response.status_code
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size

    export(START + dt.timedelta(minutes=10))  # warm up: imports, the first query, openpyxl
    baseline = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    if args.tracemalloc:
        tracemalloc.start()
    began = time.perf_counter()
    size = export(end)
    seconds = time.perf_counter() - began
    peak = f"resident peak +{(_status_kib('VmHWM') - baseline) / 1024:.1f} MiB over {baseline / 1024:.0f} MiB"
    if args.tracemalloc:
        peak += f", Python allocations peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB"
    print(f"export {args.format}: {args.rows:,} rows, {size / 2**20:.1f} MiB in {seconds:.1f} s; {peak}")


if __name__ == "__main__":
    main()
