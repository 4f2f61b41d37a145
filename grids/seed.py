"""Synthetic communities and grids for Haidian."""

from __future__ import annotations

from agencies.models import Street
from agencies.seed import DISTRICT_CODE, place_name
from grids import synthetic
from grids.models import Community, GridCell
from grids.services import grids_import


def seed_haidian(out) -> None:
    streets = list(Street.objects.filter(district__code=DISTRICT_CODE).order_by("code"))
    layout = synthetic.layout([(s.code, place_name(s.name), s.kind) for s in streets])
    street_ids = {s.code: s.id for s in streets}
    Community.objects.bulk_create(
        [
            Community(street_id=street_ids[c.street_code], code=c.code, name=c.name, kind=c.kind, synthetic=True)
            for c in layout
        ],
        update_conflicts=True, unique_fields=["code"], update_fields=["street", "name", "kind", "synthetic"],
    )
    features = synthetic.grid_features(layout)
    if GridCell.objects.filter(synthetic=False).exists():
        # Real boundaries were imported: never lay the synthetic ones over them again.
        out(f"{len(layout)} communities; real grid boundaries are loaded, synthetic grids left alone")
        return
    stored = set(GridCell.objects.filter(synthetic=True).values_list("code", flat=True))
    if stored == {feature["properties"]["code"] for feature in features}:
        # Same seed, same layout: the boundaries are already there; skip the overlap check.
        out(f"{len(layout)} communities, {len(features)} grids (synthetic, unchanged)")
        return
    result = grids_import(features=features, synthetic=True)
    out(f"{len(layout)} communities, {result.created + result.updated} grids (synthetic)")
