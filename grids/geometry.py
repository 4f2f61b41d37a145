"""Grid geometry: GeoJSON in, shapely out, and the per-process locate index.

Coordinates are WGS84 [longitude, latitude] as GeoJSON has them. Haidian is small enough that an
equirectangular projection at the polygon's latitude gives areas within a fraction of a percent.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

import shapely
from django.conf import settings
from shapely.geometry import shape
from shapely.validation import explain_validity

from grids.models import GridCell

EARTH_RADIUS_M = 6_371_008.8
# Two grids may touch along an edge; any shared area above this (in m²) is an overlap.
OVERLAP_TOLERANCE_M2 = 1.0


class GeometryError(ValueError):
    """A boundary that cannot be a grid: says what is wrong in words a GIS clerk understands."""


def boundary_to_shape(geojson: dict):
    """A valid Polygon/MultiPolygon from a GeoJSON geometry, or GeometryError."""
    if not isinstance(geojson, dict) or geojson.get("type") not in {"Polygon", "MultiPolygon"}:
        kind = geojson.get("type") if isinstance(geojson, dict) else type(geojson).__name__
        raise GeometryError(f"geometry must be a Polygon or MultiPolygon, not {kind}")
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise GeometryError(f"malformed coordinates: {exc}") from None
    if geom.is_empty:
        raise GeometryError("polygon is empty")
    if not geom.is_valid:
        raise GeometryError(f"invalid polygon: {explain_validity(geom)}")
    return geom


def area_m2(geom) -> float:
    """Approximate area in square metres of a lon/lat geometry."""
    lat0 = math.radians(geom.centroid.y)
    k_x = math.radians(1) * EARTH_RADIUS_M * math.cos(lat0)
    k_y = math.radians(1) * EARTH_RADIUS_M
    return geom.area * k_x * k_y


@dataclass(frozen=True)
class LocatedGrid:
    id: int
    code: str


class GridIndex:
    """An STRtree over every grid boundary, built lazily per process.

    It is rebuilt when this process changed grids (`invalidate`) and, for changes made by other
    processes, when a cheap check (count and newest `updated_at`) run at most every
    GRID_INDEX_CHECK_SECONDS says the table moved on.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # The tree and the grids its indexes point into are swapped as one tuple: a reader that
        # skips the lock must never pair a new tree with the old list (or see None mid-rebuild).
        self._index: tuple[shapely.STRtree | None, list[LocatedGrid]] | None = None
        self._stamp = None
        self._checked_at = 0.0
        self._cells: dict[int, tuple[float, object]] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._index = None
            self._stamp = None
            self._cells = {}

    def cell(self, pk: int):
        """The GridCell `pk` with its community and street (no boundary), kept per process for
        GRID_INDEX_CHECK_SECONDS: every report needs them, and they change a few times a year.
        The instance is shared: read it, never change and save it."""
        entry = self._cells.get(pk)
        now = time.monotonic()
        if entry is None or now - entry[0] >= settings.GRID_INDEX_CHECK_SECONDS:
            grid = GridCell.objects.select_related("community__street").defer("boundary").get(pk=pk)
            self._cells[pk] = entry = (now, grid)
        return entry[1]

    @staticmethod
    def _current_stamp():
        from django.db.models import Count, Max

        agg = GridCell.objects.aggregate(n=Count("id"), newest=Max("updated_at"))
        return (agg["n"], agg["newest"])

    def _ensure(self):
        index = self._index
        if index is not None and time.monotonic() - self._checked_at < settings.GRID_INDEX_CHECK_SECONDS:
            return index
        with self._lock:
            stamp = self._current_stamp()
            if self._index is None or stamp != self._stamp:
                self._build(stamp)
            self._checked_at = time.monotonic()
            return self._index

    def _build(self, stamp) -> None:
        grids, geoms = [], []
        for pk, code, boundary in GridCell.objects.order_by("code").values_list("id", "code", "boundary"):
            grids.append(LocatedGrid(pk, code))
            geoms.append(shape(boundary))
        self._index = (shapely.STRtree(geoms) if geoms else None, grids)
        self._stamp = stamp

    def locate(self, lat: float, lng: float) -> LocatedGrid | None:
        """The grid containing the point (a point on a shared edge goes to the lower code)."""
        tree, grids = self._ensure()
        if tree is None:
            return None
        hits = tree.query(shapely.Point(lng, lat), predicate="intersects")
        if len(hits) == 0:
            return None
        return grids[int(hits.min())]

    def locate_many(self, points: list[tuple[float, float]]) -> list[LocatedGrid | None]:
        """Bulk form of `locate` for (lat, lng) pairs: one vectorised tree query."""
        tree, grids = self._ensure()
        result: list[LocatedGrid | None] = [None] * len(points)
        if tree is None or not points:
            return result
        geoms = shapely.points([(lng, lat) for lat, lng in points])
        point_idx, grid_idx = tree.query(geoms, predicate="intersects")
        # Walk in reverse so that, for a point on an edge, the lowest grid index wins.
        for p, g in sorted(zip(point_idx.tolist(), grid_idx.tolist(), strict=True), reverse=True):
            result[p] = grids[g]
        return result


grid_index = GridIndex()


def locate(lat: float, lng: float) -> LocatedGrid | None:
    return grid_index.locate(lat, lng)
