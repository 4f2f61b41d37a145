"""The published rankings, for everyone and without a login (考核结果公示).

Only a round whose status is `published` exists here, and only its published version: a draft,
open or closed round, and any newer computation of a published one, is a 404, so nothing shows
before the district releases it.

Units (streets, communities, agencies, departments) are ranked by name, and each result opens on
its drill-down: components, each indicator's numerator, denominator, sample and points, and the
case numbers behind them (no reporter, no phone). People (grid workers, squad deputies,
co-managers) are never named here: their results are published summed up by street (how many,
their mean total, how many of each grade), and each person reads their own signed in.

Each ranking page reads the published rounds, the kinds they rank and one kind's rows: three
queries whatever the number of rounds or units.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db.models import F, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from assessment.export import XLSX_CONTENT_TYPE, results_workbook, workbook_filename
from assessment.models import Result, Round, RoundStatus, UnitKind
from assessment.selectors import GRADE_LETTERS, cases_behind, people_by_street
from assessment.views import component_rows

# A published version never changes, so its workbook (about 3 s for all of Haidian's units) is built
# once for every anonymous download, not once per download.
PUBLIC_WORKBOOK_CACHE_SECONDS = 24 * 60 * 60

# The kinds ranked by name, in tab order; the district (a single unit) is not ranked in public.
RANKED_KINDS: tuple[str, ...] = (UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.AGENCY, UnitKind.DEPARTMENT)
# People: published only summed up by street.
SUMMED_KINDS: tuple[str, ...] = (UnitKind.GRID_WORKER, UnitKind.SQUAD_DEPUTY, UnitKind.CO_MANAGER)
PUBLIC_KINDS: tuple[str, ...] = RANKED_KINDS + SUMMED_KINDS


def _kind_labels() -> dict[str, str]:
    # Translated per request (the module is imported before a language is active).
    return {
        UnitKind.STREET: _("Streets and towns"),
        UnitKind.COMMUNITY: _("Communities"),
        UnitKind.AGENCY: _("Dispatched agencies"),
        UnitKind.DEPARTMENT: _("Departments"),
        UnitKind.GRID_WORKER: _("Grid workers"),
        UnitKind.SQUAD_DEPUTY: _("Squad executive deputies"),
        UnitKind.CO_MANAGER: _("Co-managers"),
    }


def period_label(period: str) -> str:
    """2026H1 → 2026年上半年 (in English: first half of 2026)."""
    year = period[:4]
    if period.endswith("H1"):
        return _("first half of %(year)s") % {"year": year}
    return _("second half of %(year)s") % {"year": year}


# --- selectors -----------------------------------------------------------------------------------

def published_rounds() -> list[Round]:
    """Every published round, newest first."""
    return list(Round.objects.filter(status=RoundStatus.PUBLISHED, published_version__isnull=False)
                .order_by("-period"))


def published_results(round_: Round) -> QuerySet[Result]:
    """The published version's rows of a published round (callers have checked the status)."""
    return Result.objects.filter(round=round_, version=round_.published_version)


def published_kinds(round_: Round) -> list[str]:
    """The public kinds the published version ranks, in tab order."""
    present = set(published_results(round_).filter(kind__in=PUBLIC_KINDS)
                  .values_list("kind", flat=True).distinct())
    return [kind for kind in PUBLIC_KINDS if kind in present]


def published_ranking(round_: Round, kind: str) -> list[Result]:
    """One kind's published rows, best rank first, unranked last; only the public columns."""
    return list(published_results(round_).filter(kind=kind)
                .only("kind", "unit_id", "rank", "unit_name", "grade", "total", "objective", "upward", "downward",
                      "satisfaction", "oversight", "sample_ok")
                .order_by(F("rank").asc(nulls_last=True), "unit_name", "unit_id"))


def _published_round(rounds: list[Round], period: str) -> Round:
    for round_ in rounds:
        if round_.period == period:
            return round_
    raise Http404(_("No published assessment round for this period."))


# --- pages ---------------------------------------------------------------------------------------

def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@require_safe
def rankings(request, period: str | None = None):
    """考核排名公示: the published rounds, and one round's ranking of one kind with its chart."""
    rounds = published_rounds()
    if period is None and not rounds:
        return render(request, "assessment/public_rankings.html", {"rounds": [], "round": None})
    round_ = rounds[0] if period is None else _published_round(rounds, period)
    kinds = published_kinds(round_)
    labels = _kind_labels()
    kind = request.GET.get("kind")
    if kind not in PUBLIC_KINDS:  # absent or mistyped: the first kind ranked
        kind = kinds[0] if kinds else PUBLIC_KINDS[0]
    title = _("%(period)s · %(kind)s") % {"period": period_label(round_.period), "kind": labels[kind]}
    if kind in SUMMED_KINDS:
        results, people = [], people_by_street(round=round_, version=round_.published_version, kind=kind)
        chart = {"title": title, "axis": _("Mean total score"), "grade": _("Grade"),
                 "names": [row["street"] for row in people], "totals": [row["mean"] for row in people],
                 "grades": ["" for _row in people]}
    else:
        results, people = published_ranking(round_, kind), []
        chart = {
            "title": title,
            "axis": _("Total score"),
            "grade": _("Grade"),
            "names": [r.unit_name for r in results],
            "totals": [_number(r.total) for r in results],
            "grades": [r.grade for r in results],
        }
    return render(request, "assessment/public_rankings.html", {
        "rounds": [{"round": r, "label": period_label(r.period)} for r in rounds],
        "round": round_,
        "round_label": period_label(round_.period),
        "kinds": [{"kind": k, "label": labels[k]} for k in kinds],
        "kind": kind,
        "kind_label": labels[kind],
        "title": title,
        "results": results,
        "people": people,
        "grade_letters": GRADE_LETTERS,
        "chart": chart,
        "weights": round_.weights,
    })


def public_workbook(round_: Round) -> bytes:
    """The public copy of a published round's workbook, from the cache when it was built already."""
    # The key changes with anything the 说明 sheet shows, so an edited note or a republication is seen.
    facts = (f"{round_.published_version}|{round_.published_at}|{round_.weights}|{round_.deputy_street_weight}|"
             f"{round_.annotation}")
    key = f"assessment:public-xlsx:{round_.pk}:{hashlib.sha256(facts.encode()).hexdigest()[:16]}"
    content = cache.get(key)
    if content is None:
        content = results_workbook(round_, round_.published_version, public=True)
        cache.set(key, content, PUBLIC_WORKBOOK_CACHE_SECONDS)
    return content


@require_safe
def results_xlsx(request, period: str):
    """The published version as Excel, for anyone; a round not published is a 404."""
    round_ = _published_round(published_rounds(), period)
    content = public_workbook(round_)
    filename = workbook_filename(round_, round_.published_version)
    return HttpResponse(content, content_type=XLSX_CONTENT_TYPE,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


@require_safe
def result_detail(request, period: str, kind: str, unit_id: int):
    """One unit's published result drilled down, for anyone: components, indicators and the case
    numbers behind them. People are not here (404): they are published by street only."""
    round_ = _published_round(published_rounds(), period)
    if kind not in RANKED_KINDS:
        raise Http404
    result = published_results(round_).filter(kind=kind, unit_id=unit_id).first()
    if result is None:
        raise Http404
    # A published version never changes: its drill-down (a query per count, about a second for a big
    # agency's half-year) is read once for every visitor.
    published = round_.published_at.timestamp() if round_.published_at else ""
    key = f"assessment:public-behind:{round_.pk}:{round_.published_version}:{published}:{kind}:{unit_id}"
    indicators = cache.get(key)
    if indicators is None:
        indicators = cases_behind(round=round_, result=result)
        cache.set(key, indicators, PUBLIC_WORKBOOK_CACHE_SECONDS)
    return render(request, "assessment/result.html", {
        "round": round_, "result": result, "version": round_.published_version, "public": True,
        "components": component_rows(result), "indicators": indicators,
    })
