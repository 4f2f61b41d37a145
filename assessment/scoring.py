"""How a round turns counts into scores a district can publish (issue 16): weighted indicators,
small samples shrunk toward the district, a weighted sum of components, ranks with a tie-break.

Indicators. Each kind of unit has a table of rates with weights (in percent, adding up to 100),
after the digital urban management performance standard (CJ/T 292) and the 12345 hotline's 三率.
A round keeps its own copy (`Round.indicator_weights`, set in the admin and on the round page while
it is a draft); `DEFAULT_INDICATOR_WEIGHTS` is what a new round starts with:

    agency, department   按期处置率 on_time_rate 20 · 处置率 handling_rate 15 · 响应率 response_rate 15 ·
                         返工率 rework_rate 10 (lower is better) · 退单率 return_rate 10 (lower) ·
                         超期率 overdue_rate 10 (lower: 超期数 ÷ 应处置数) · 函告按期答复率 5 ·
                         会议出勤率 meeting_attendance_rate 5 · 吹哨报到率 check_in_rate 5 ·
                         质询按期答复率 inquiry_on_time_rate 5
    street               按期结案率 30 · 结案率 20 · 解决率 35 · 质询按期答复率 15
    community            按期结案率 35 · 结案率 25 · 解决率 40
    grid_worker          有效上报率 50 · 按时核查率 50

A lower-is-better rate r scores 1 − r (never below 0: a task asked back twice is one more return).

Small samples (`shrink`). Each rate carries its sample n, its denominator (tasks due, cases
accepted, letters, meetings …). When n < `ASSESSMENT_MIN_SAMPLE` (default 5) the rate used is
(n·x + k·μ) / (n + k), μ the district's pooled rate for the kind (Σ numerators ÷ Σ denominators)
and k `ASSESSMENT_SHRINK_K` (default 5); n = 0 uses μ. So one task handled on time is worth
(1·1 + 5·μ) / 6, not 100 %, and one missed meeting (1·0 + 5·μ) / 6, not 0. An indicator no unit
of the kind has any sample of (μ undefined: no inquiries in the whole district, say) is left out
and the other weights scaled up to 100; that is the only rescaling.

    objective = 100 × Σ weight × rate used / Σ weight          (each indicator's points in `breakdown`)

A unit whose main sample (`MAIN_SAMPLE`: an agency's tasks due, a street's accepted cases, a grid
worker's reports) is below the minimum is "样本不足": its total is computed and shown, it gets no
grade and no rank.

Components. The total is the weighted sum of the components a kind has (`COMPONENTS`), with the
round's weights; a component that does not apply to a kind (nobody rates a community upward, the
supervision committee rates only streets and agencies) is left out and the others scaled up:

    objective      above
    upward         mean of the unit's submitted upward forms (each form the mean of its criteria)
    downward       the same over downward forms
    satisfaction   the public's: (satisfied + basically satisfied) ÷ answers × 100 over the reporters'
                   own ratings and the survey firm's answers, shrunk like a rate when there are fewer
                   than the minimum; the street's call-backs (回访) are the separate `callback`
                   figure and count only for the round's `callback_share` of this component
    oversight      mean of the supervision committee's forms (地区民主管理和监督委员会)

A unit nobody rated in a direction takes its kind's mean rating there (neither helped nor hurt
by a missing form); a direction nobody in the kind was rated in is left out.

Ranks. Within a kind, by total, then (the tie-break) by objective score, then by public
satisfaction, highest first; units equal on all three share a rank (1, 1, 3). Unranked: no total,
or 样本不足.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy

from assessment import indicators

# How the pages name each rate (the Excel export keeps its official Chinese titles).
RATE_LABELS = {
    "on_time_rate": gettext_lazy("Handled on time (按期处置率)"),
    "handling_rate": gettext_lazy("Handled (处置率)"),
    "response_rate": gettext_lazy("Accepted in time (响应率)"),
    "rework_rate": gettext_lazy("Reworked (返工率)"),
    "return_rate": gettext_lazy("Asked to return (退单率)"),
    "overdue_rate": gettext_lazy("Overdue (超期率)"),
    "extension_rate": gettext_lazy("Extended (延期率)"),
    "letters_on_time_rate": gettext_lazy("Deadline letters answered on time (函告按期答复率)"),
    "meeting_attendance_rate": gettext_lazy("Meetings attended (会议出勤率)"),
    "check_in_rate": gettext_lazy("Checked in on time when whistled (吹哨报到率)"),
    "inquiry_on_time_rate": gettext_lazy("Inquiries answered on time (质询按期答复率)"),
    "closure_rate": gettext_lazy("Closed (结案率)"),
    "on_time_closure_rate": gettext_lazy("Closed on time (按期结案率)"),
    "resolution_rate": gettext_lazy("Resolved (解决率)"),
    "public_report_rate": gettext_lazy("Reported by the public (监督举报率)"),
    "valid_report_rate": gettext_lazy("Valid reports (有效上报率)"),
    "on_time_check_rate": gettext_lazy("Checked on time (按时核查率)"),
}

# Rates where lower is better (scored 1 − rate).
LOWER_IS_BETTER = frozenset({"rework_rate", "return_rate", "overdue_rate", "extension_rate"})

_AGENCY_WEIGHTS = {
    "on_time_rate": 20, "handling_rate": 15, "response_rate": 15, "rework_rate": 10, "return_rate": 10,
    "overdue_rate": 10, "letters_on_time_rate": 5, "meeting_attendance_rate": 5, "check_in_rate": 5,
    "inquiry_on_time_rate": 5,
}
DEFAULT_INDICATOR_WEIGHTS: dict[str, dict[str, int]] = {
    "agency": _AGENCY_WEIGHTS,
    "department": dict(_AGENCY_WEIGHTS),
    "street": {"on_time_closure_rate": 30, "closure_rate": 20, "resolution_rate": 35, "inquiry_on_time_rate": 15},
    "community": {"on_time_closure_rate": 35, "closure_rate": 25, "resolution_rate": 40},
    "grid_worker": {"valid_report_rate": 50, "on_time_check_rate": 50},
}

# The count whose size decides whether a unit has enough data to be ranked.
MAIN_SAMPLE = {"agency": "due", "department": "due", "street": "accepted", "community": "accepted",
               "grid_worker": "reported"}

COMPONENTS: dict[str, tuple[str, ...]] = {
    "street": ("objective", "upward", "downward", "satisfaction", "oversight"),
    "agency": ("objective", "upward", "downward", "satisfaction", "oversight"),
    "department": ("objective", "upward", "downward", "satisfaction"),
    "community": ("objective", "downward", "satisfaction"),
    "grid_worker": ("objective", "downward", "satisfaction"),
}
RATING_COMPONENTS = ("upward", "downward", "oversight")


def default_indicator_weights() -> dict[str, dict[str, int]]:
    """A fresh copy of the defaults (a round's own table starts as this)."""
    return {kind: dict(weights) for kind, weights in DEFAULT_INDICATOR_WEIGHTS.items()}


def weighable(kind: str) -> tuple[str, ...]:
    """The rates of a kind a round may weigh."""
    return tuple(indicators.rate_parts(kind))


def check_indicator_weights(table) -> dict[str, list[str]]:
    """Field messages for a bad table (empty when it is good): known kinds and rates, whole
    numbers 0–100, adding up to 100 per kind."""
    from django.utils.translation import gettext as _

    if not isinstance(table, Mapping):
        return {"indicator_weights": [_("An object of kinds, each an object of rates and weights.")]}
    errors: dict[str, list[str]] = {}
    for kind, weights in table.items():
        key = f"indicator_weights.{kind}"
        if kind not in DEFAULT_INDICATOR_WEIGHTS:
            errors[key] = [_("Unknown kind of unit.")]
            continue
        if not isinstance(weights, Mapping):
            errors[key] = [_("An object of rates and weights.")]
            continue
        known = weighable(kind)
        unknown = sorted(set(weights) - set(known))
        if unknown:
            errors[key] = [_("Unknown indicators: %(names)s.") % {"names": ", ".join(unknown)}]
            continue
        values = list(weights.values())
        if any(not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 100 for v in values):
            errors[key] = [_("A whole number of percent from 0 to 100.")]
        elif sum(values) != 100:
            errors[key] = [_("The weights of a kind must add up to 100.")]
    return errors


def half_up(value: float | Decimal, places: str = "0.01") -> float:
    return float(Decimal(str(value)).quantize(Decimal(places), ROUND_HALF_UP))


def shrink(n: int, x: float | None, mean: float | None, *, k: int | None = None,
           min_sample: int | None = None) -> tuple[float | None, bool]:
    """(the value used, whether it was shrunk): x itself with a big enough sample, else
    (n·x + k·μ) / (n + k); μ when there is no sample; x (or None) when μ is unknown."""
    k = settings.ASSESSMENT_SHRINK_K if k is None else k
    min_sample = settings.ASSESSMENT_MIN_SAMPLE if min_sample is None else min_sample
    if mean is None:
        return x, False
    if x is None or not n:
        return mean, True
    if n >= min_sample:
        return x, False
    return (n * x + k * mean) / (n + k), True


def pooled_means(kind: str, units: Iterable[Mapping]) -> dict[str, float | None]:
    """The district's rate of each of the kind's rates: Σ numerators ÷ Σ denominators."""
    sums = {name: [0, 0] for name in indicators.rate_parts(kind)}
    for values in units:
        for name, (numerator, denominator) in indicators.rate_parts(kind).items():
            sums[name][0] += values.get(numerator) or 0
            sums[name][1] += values.get(denominator) or 0
    return {name: (num / den if den else None) for name, (num, den) in sums.items()}


def objective(kind: str, values: Mapping, means: Mapping[str, float | None],
              weights: Mapping[str, int]) -> tuple[float | None, list[dict]]:
    """The objective score of one unit and its breakdown, one row per weighted indicator."""
    parts = indicators.rate_parts(kind)
    rows = []
    for name, weight in weights.items():
        if not weight or name not in parts or means.get(name) is None:
            continue
        numerator, denominator = parts[name]
        n = values.get(denominator) or 0
        raw = values.get(name)
        used, shrunk = shrink(n, raw, means[name])
        if name in LOWER_IS_BETTER:
            used = max(0.0, 1 - used)
        rows.append({"indicator": name, "weight": weight, "numerator": numerator,
                     "numerator_value": values.get(numerator) or 0, "denominator": denominator,
                     "denominator_value": n, "rate": raw, "mean": half_up(means[name], "0.0001"),
                     "shrunk": shrunk, "score": half_up(used, "0.0001"), "lower_is_better": name in LOWER_IS_BETTER})
    total_weight = sum(row["weight"] for row in rows)
    if not total_weight:
        return None, []
    for row in rows:
        row["points"] = half_up(100 * row["weight"] * row["score"] / total_weight)
    score = half_up(sum(100 * row["weight"] * row["score"] for row in rows) / total_weight)
    return score, rows


def total(components: Mapping[str, float | None], weights: Mapping[str, int]) -> float | None:
    """Σ weight × component / Σ weight over the components given that have a value and a weight."""
    present = {name: value for name, value in components.items() if value is not None and weights.get(name)}
    if not present:
        return None
    weight = sum(weights[name] for name in present)
    return half_up(sum(weights[name] * value for name, value in present.items()) / weight)


def ranks(rows: Mapping[int, tuple[float | None, ...]]) -> dict[int, int]:
    """Competition ranking (1, 1, 3) by the key tuples (total, objective, satisfaction), highest
    first, a missing tie-break value counting lowest; a unit whose total is None is not ranked."""
    def key(values: tuple) -> tuple:
        return tuple(float("-inf") if v is None else v for v in values)

    ordered = sorted(((key(values), unit) for unit, values in rows.items() if values and values[0] is not None),
                     reverse=True)
    result, previous, rank = {}, None, 0
    for position, (values, unit) in enumerate(ordered, start=1):
        if values != previous:
            rank, previous = position, values
        result[unit] = rank
    return result
