"""Writes to grids: the atomic GeoJSON import shared by `import_grids` and `seed_haidian`; patrols."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import shapely
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from grids.geometry import OVERLAP_TOLERANCE_M2, GeometryError, area_m2, boundary_to_shape, grid_index
from grids.models import Community, GridCell, Patrol
from haidian.errors import ActionConflict, ActionForbidden
from haidian.permissions import Role, scope_for

GRID_CODE = re.compile(r"^\d{15}$")


class GridImportError(ValueError):
    """The file cannot be imported; `problems` names each bad feature. Nothing was written."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class GridImportResult:
    created: int
    updated: int


def _label(index: int, code: str | None) -> str:
    return f"feature {index + 1}" + (f" (code {code})" if code else "")


def grids_import(*, features: list[dict], synthetic: bool = False) -> GridImportResult:
    """Create or update grids from GeoJSON features with properties code, name and community.

    A feature's own boolean `synthetic` property (as `grids_export` writes it) wins over the
    `synthetic` argument, so an export imports back unchanged.

    Every feature is checked before anything is written: the geometry is a valid (Multi)Polygon,
    the code has 15 digits and begins with its community's 12-digit code, the community exists,
    no code appears twice, and no two grids — in the file or already stored — overlap.
    """
    problems: list[str] = []
    communities = dict(Community.objects.values_list("code", "id"))
    seen: dict[str, int] = {}
    rows: list[tuple[int, dict, object]] = []

    for index, feature in enumerate(features):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            problems.append(f"{_label(index, None)}: not a GeoJSON Feature with properties")
            continue
        code = str(props.get("code") or "").strip()
        label = _label(index, code or None)
        community_code = str(props.get("community") or "").strip()
        name = str(props.get("name") or "").strip()
        if not GRID_CODE.match(code):
            problems.append(f"{label}: code must be 15 digits")
            continue
        if code in seen:
            problems.append(f"{label}: duplicate code, also feature {seen[code] + 1}")
            continue
        seen[code] = index
        if not name:
            problems.append(f"{label}: name is missing")
        if community_code not in communities:
            problems.append(f"{label}: unknown community {community_code!r}")
        elif not code.startswith(community_code):
            problems.append(f"{label}: code does not begin with its community code {community_code}")
        try:
            geom = boundary_to_shape(feature.get("geometry"))
        except GeometryError as exc:
            problems.append(f"{label}: {exc}")
            continue
        flag = props.get("synthetic")
        rows.append((index, {"code": code, "name": name, "community": community_code,
                             "synthetic": flag if isinstance(flag, bool) else synthetic}, geom))

    problems.extend(_overlaps(rows))
    if problems:
        raise GridImportError(problems)
    return _write(rows, communities)


def _overlaps(rows) -> list[str]:
    """Overlaps among the file's grids and with stored grids the file does not replace."""
    incoming = {props["code"] for _i, props, _g in rows}
    labels = [_label(index, props["code"]) for index, props, _g in rows]
    geoms = [geom for _i, _p, geom in rows]
    for code, boundary in GridCell.objects.exclude(code__in=incoming).values_list("code", "boundary"):
        labels.append(f"stored grid {code}")
        geoms.append(shapely.geometry.shape(boundary))
    if len(geoms) < 2:
        return []
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = [(a, b) for a, b in zip(left.tolist(), right.tolist(), strict=True) if a < b and a < len(rows)]
    problems = []
    for a, b in pairs:
        shared = area_m2(shapely.intersection(geoms[a], geoms[b]))
        if shared > OVERLAP_TOLERANCE_M2:
            problems.append(f"{labels[a]}: overlaps {labels[b]} by {shared:.0f} m²")
    return problems


@transaction.atomic
def _write(rows, communities: dict[str, int]) -> GridImportResult:
    existing = set(GridCell.objects.filter(code__in=[p["code"] for _i, p, _g in rows]).values_list("code", flat=True))
    objs = []
    for _index, props, geom in rows:
        centroid = geom.representative_point()
        objs.append(
            GridCell(
                code=props["code"],
                name=props["name"],
                community_id=communities[props["community"]],
                boundary=_geojson(geom),
                area_m2=round(area_m2(geom), 1),
                centroid_lat=round(centroid.y, 7),
                centroid_lng=round(centroid.x, 7),
                synthetic=props["synthetic"],
            )
        )
    GridCell.objects.bulk_create(
        objs,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "community", "boundary", "area_m2", "centroid_lat", "centroid_lng",
                       "synthetic", "updated_at"],
    )
    transaction.on_commit(grid_index.invalidate)
    return GridImportResult(created=len(objs) - len(existing), updated=len(existing))


def _geojson(geom) -> dict:
    """shapely's mapping() gives nested tuples; the JSON column wants lists."""

    def convert(value):
        if isinstance(value, list | tuple):
            return [convert(item) for item in value]
        return value

    mapping = shapely.geometry.mapping(geom)
    return {"type": mapping["type"], "coordinates": convert(mapping["coordinates"])}


def grids_export(*, queryset=None) -> dict:
    """A FeatureCollection that `grids_import` reads back unchanged."""
    queryset = queryset if queryset is not None else GridCell.objects.all()
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name": name, "community": community, "synthetic": synthetic},
            "geometry": boundary,
        }
        for code, name, community, synthetic, boundary in queryset.order_by("code").values_list(
            "code", "name", "community__code", "synthetic", "boundary"
        )
    ]
    return {"type": "FeatureCollection", "features": features}


# --- patrols -------------------------------------------------------------------------------------

def _serves_grid(worker, grid: GridCell) -> None:
    if not scope_for(worker).serves(Role.GRID_WORKER, "grid", grid.pk):
        raise ActionForbidden(_("Only the grid worker of this grid may log a patrol in it."))


def patrol_start(*, worker, grid: GridCell, now: dt.datetime | None = None) -> Patrol:
    """Start a patrol of one of the worker's grids; one patrol at a time."""
    _serves_grid(worker, grid)
    try:
        # The partial unique index refuses a second open patrol even when two starts race.
        with transaction.atomic():
            return Patrol.objects.create(worker=worker, grid=grid, started_at=now or timezone.now())
    except IntegrityError:
        raise ActionConflict(_("A patrol is already under way: end it first.")) from None


@transaction.atomic
def patrol_end(*, worker, notes: str = "", now: dt.datetime | None = None) -> Patrol:
    """End the worker's patrol under way, with what they saw."""
    patrol = Patrol.objects.select_for_update().filter(worker=worker, ended_at=None).first()
    if patrol is None:
        raise ActionConflict(_("No patrol is under way."))
    patrol.ended_at, patrol.notes = max(now or timezone.now(), patrol.started_at), notes
    patrol.save(update_fields=["ended_at", "notes"])
    return patrol
