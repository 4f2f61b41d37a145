"""Time `locate` over the seeded Haidian grids: 100,000 random points, bulk and one by one.

Part of `make bench` (bench/run.py); alone: DATABASE_URL=... .venv/bin/python bench/locate.py [--points N].
Prints figures; asserts nothing.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(*, points: int, repeat: int) -> dict:
    """Index build, bulk `locate_many` (median and max of `repeat`) and one call per point."""
    from grids import synthetic
    from grids.geometry import GridIndex

    rng = random.Random(2013)
    # Points over a box 10 % larger than the grids, so some fall outside every grid.
    pad_lat, pad_lng = (synthetic.NORTH - synthetic.SOUTH) * 0.05, (synthetic.EAST - synthetic.WEST) * 0.05
    sample = [
        (rng.uniform(synthetic.SOUTH - pad_lat, synthetic.NORTH + pad_lat),
         rng.uniform(synthetic.WEST - pad_lng, synthetic.EAST + pad_lng))
        for _ in range(points)
    ]
    index = GridIndex()
    started = time.perf_counter()
    index.locate(*sample[0])
    build_s = time.perf_counter() - started
    bulk = []
    for _ in range(repeat):
        started = time.perf_counter()
        found = index.locate_many(sample)
        bulk.append(time.perf_counter() - started)
    singles = sample[:10_000]
    started = time.perf_counter()
    for lat, lng in singles:
        index.locate(lat, lng)
    single_us = (time.perf_counter() - started) / len(singles) * 1e6
    return {
        "points": points,
        "located": sum(1 for hit in found if hit is not None),
        "index_build_s": round(build_s, 3),
        "locate_many_median_s": round(statistics.median(bulk), 3),
        "locate_many_max_s": round(max(bulk), 3),
        "locate_single_us": round(single_us, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "haidian.settings")
    import django

    django.setup()
    figures = measure(points=args.points, repeat=args.repeat)
    for key, value in figures.items():
        print(f"{key:24} {value}")


if __name__ == "__main__":
    main()
