"""Time `locate` over the seeded Haidian grids: 100,000 random points, bulk and one by one.

Usage: make bench   (or: DATABASE_URL=... .venv/bin/python bench/locate.py [--points N])
Migrates and seeds the database named by DATABASE_URL if needed. Prints figures; asserts nothing.
"""

import argparse
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haidian.settings")

from bench._db import ensure_database  # noqa: E402

ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from grids import synthetic  # noqa: E402
from grids.geometry import GridIndex  # noqa: E402
from grids.models import GridCell  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if GridCell.objects.count() < 3000:
        call_command("seed_haidian", verbosity=0)
    grids = GridCell.objects.count()

    rng = random.Random(2013)
    # Points over a box 10 % larger than the grids, so some fall outside every grid.
    pad_lat, pad_lng = (synthetic.NORTH - synthetic.SOUTH) * 0.05, (synthetic.EAST - synthetic.WEST) * 0.05
    points = [
        (rng.uniform(synthetic.SOUTH - pad_lat, synthetic.NORTH + pad_lat),
         rng.uniform(synthetic.WEST - pad_lng, synthetic.EAST + pad_lng))
        for _ in range(args.points)
    ]

    index = GridIndex()
    started = time.perf_counter()
    index.locate(*points[0])
    build_s = time.perf_counter() - started

    bulk = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = index.locate_many(points)
        bulk.append(time.perf_counter() - started)
    located = sum(1 for hit in found if hit is not None)

    single_sample = points[:10_000]
    started = time.perf_counter()
    for lat, lng in single_sample:
        index.locate(lat, lng)
    single_us = (time.perf_counter() - started) / len(single_sample) * 1e6

    results = {
        "benchmark": "locate",
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "database": connection.vendor,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "grids": grids,
        "points": args.points,
        "located": located,
        "index_build_s": round(build_s, 3),
        "locate_many_median_s": round(statistics.median(bulk), 3),
        "locate_many_max_s": round(max(bulk), 3),
        "locate_single_us": round(single_us, 1),
        "locate_single_100k_estimate_s": round(single_us * args.points / 1e6, 2),
    }
    print(f"locate over {grids} grids, {args.points:,} points ({located:,} inside a grid):")
    print(f"  index build (first call)      {build_s:8.3f} s")
    print(f"  locate_many, median of {args.repeat}     {results['locate_many_median_s']:8.3f} s"
          f"   (max {results['locate_many_max_s']:.3f} s)")
    print(f"  locate one by one             {single_us:8.1f} µs/point"
          f"   (≈ {results['locate_single_100k_estimate_s']:.2f} s per 100,000)")
    out = ROOT / "bench" / "results" / f"{dt.date.today().isoformat()}-locate.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"  written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
