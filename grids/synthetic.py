"""Synthetic communities and grids laid over Haidian's real bounding box, for the demo and tests.

The district is cut into a lattice of equal cells; each street or town takes the cells nearest
its seed point (towns in the north-west, as in Haidian), each community the cells nearest one of
its own seeds, and every cell becomes one grid. Real boundaries replace these via import_grids.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SOUTH, NORTH = 39.88, 40.15
WEST, EAST = 116.05, 116.38
COLUMNS, ROWS = 60, 50  # 3,000 grids
COMMUNITIES = 570


@dataclass
class SyntheticCommunity:
    code: str
    name: str
    kind: str
    street_code: str
    cells: list[tuple[int, int]]


def _corner(col: int, row: int) -> list[float]:
    return [round(WEST + (EAST - WEST) * col / COLUMNS, 7), round(SOUTH + (NORTH - SOUTH) * row / ROWS, 7)]


def cell_polygon(col: int, row: int) -> dict:
    ring = [_corner(col, row), _corner(col + 1, row), _corner(col + 1, row + 1), _corner(col, row + 1)]
    return {"type": "Polygon", "coordinates": [ring + [ring[0]]]}


def _nearest(point, seeds) -> int:
    x, y = point
    return min(range(len(seeds)), key=lambda i: ((seeds[i][0] - x) ** 2 + (seeds[i][1] - y) ** 2, i))


def _apportion(total: int, weights: list[int]) -> list[int]:
    """Split `total` in proportion to `weights`, at least 1 each, by largest remainder."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [max(1, int(e)) for e in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - int(exact[i]), reverse=True)
    i = 0
    while sum(counts) < total:
        counts[order[i % len(order)]] += 1
        i += 1
    return [min(c, w) for c, w in zip(counts, weights, strict=True)]


def layout(streets: list[tuple[str, str, str]], seed: int = 2013) -> list[SyntheticCommunity]:
    """Communities with their lattice cells for (code, place name, kind) streets."""
    rng = random.Random(seed)
    # Seed points on a jittered 6 x 5 lattice, in cell units.
    points = [
        ((c + 0.5 + rng.uniform(-0.25, 0.25)) * COLUMNS / 6, (r + 0.5 + rng.uniform(-0.25, 0.25)) * ROWS / 5)
        for r in range(5)
        for c in range(6)
    ][: len(streets)]
    # Towns take the most north-western points.
    by_northwest = sorted(range(len(points)), key=lambda i: points[i][0] - points[i][1])
    towns = [s for s in streets if s[2] == "town"]
    others = [s for s in streets if s[2] != "town"]
    ordered = towns + others
    seeds = {ordered[k][0]: points[i] for k, i in enumerate(by_northwest)}
    street_codes = [code for code, _n, _k in streets]
    seed_list = [seeds[code] for code in street_codes]

    cells_by_street: dict[str, list[tuple[int, int]]] = {code: [] for code in street_codes}
    for row in range(ROWS):
        for col in range(COLUMNS):
            cells_by_street[street_codes[_nearest((col + 0.5, row + 0.5), seed_list)]].append((col, row))

    counts = _apportion(COMMUNITIES, [len(cells_by_street[code]) for code in street_codes])
    communities: list[SyntheticCommunity] = []
    for (code, place, kind), count in zip(streets, counts, strict=True):
        cells = sorted(cells_by_street[code], key=lambda cell: (cell[1], cell[0]))
        step = len(cells) / count
        community_seeds = [cells[int(step * k + step / 2)] for k in range(count)]
        groups: list[list[tuple[int, int]]] = [[] for _ in range(count)]
        for cell in cells:
            groups[_nearest(cell, community_seeds)].append(cell)
        for number, group in enumerate(groups, start=1):
            village = kind == "town" and number % 2 == 0
            communities.append(
                SyntheticCommunity(
                    code=f"{code}{number:03d}",
                    name=f"{place}{'第' + str(number) + '村' if village else '第' + str(number) + '社区'}",
                    kind="village" if village else "community",
                    street_code=code,
                    cells=group,
                )
            )
    return communities


def grid_features(communities: list[SyntheticCommunity]) -> list[dict]:
    return [
        {
            "type": "Feature",
            "properties": {
                "code": f"{community.code}{number:03d}",
                "name": f"{community.name}第{number}网格",
                "community": community.code,
                "synthetic": True,
            },
            "geometry": cell_polygon(col, row),
        }
        for community in communities
        for number, (col, row) in enumerate(community.cells, start=1)
    ]
