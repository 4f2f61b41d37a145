"""A grid's printable poster (网格实名制公示牌): A4, the grid and its roster, and a QR code that opens
the report page with the grid's centre already chosen."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import override

from grids.models import GridCell
from public import conf, selectors


def report_url(grid: GridCell, request=None) -> str:
    """The absolute address of the report page for this grid. Printed posters hang for years, so
    PUBLIC_BASE_URL (the site's public name) is preferred to whatever host the request came to."""
    path = f"{reverse('public:report')}?{urlencode({'grid': grid.code})}"
    base = conf.base_url()
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def qr_svg_data_uri(text: str) -> str:
    """The QR code of `text` as an SVG data URI: vector, so it prints sharp at any size.
    Error correction M (15 %) survives a scuffed or partly taped-over poster."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=10, border=4)


def poster_pdf(grid: GridCell, *, url: str) -> bytes:
    """The poster, always in Chinese (it hangs in the street), as PDF with embedded CJK fonts."""
    from weasyprint import HTML

    entries = selectors.roster(grid)
    with override("zh-hans"):
        html = render_to_string("public/poster_pdf.html", {
            "grid": grid, "community": grid.community, "street": grid.community.street,
            "entries": entries, "demo": any(entry.demo for entry in entries),
            "qr": qr_svg_data_uri(url), "url": url, "printed": timezone.localdate(),
        })
    return HTML(string=html).write_pdf()
