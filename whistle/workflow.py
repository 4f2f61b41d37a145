"""A summoned unit's steps as one table, and the machines (haidian.workflow) that take them and write
them in the summons' event log.

    pending ──check in by the due time──▶ on_time
    pending ──check in after it────────▶ late
    pending ──the sweep, past due──────▶ missing ──check in at last──▶ late
"""

from django.db import models
from django.utils.translation import gettext, gettext_lazy

from haidian.workflow import Machine
from whistle.models import SummonedUnit, Summons, SummonsEvent
from whistle.models import UnitStatus as U


class Step(models.TextChoices):
    WHISTLE = "whistle", gettext_lazy("whistle blown")
    CHECK_IN_ON_TIME = "check_in_on_time", gettext_lazy("reported on site in time")
    CHECK_IN_LATE = "check_in_late", gettext_lazy("reported on site late")
    MARK_MISSING = "mark_missing", gettext_lazy("did not report in time")


# step → {from status: to status}. A step not listed for the unit's status is a 409.
UNIT_MOVES: dict[str, dict[str, str]] = {
    Step.CHECK_IN_ON_TIME: {U.PENDING: U.ON_TIME},
    Step.CHECK_IN_LATE: {U.PENDING: U.LATE, U.MISSING: U.LATE},
    Step.MARK_MISSING: {U.PENDING: U.MISSING},
}

STEP_VERBS = {
    Step.CHECK_IN_ON_TIME: gettext_lazy("report on site"),
    Step.CHECK_IN_LATE: gettext_lazy("report on site"),
    Step.MARK_MISSING: gettext_lazy("mark as missing"),
}


def _refusal(unit: SummonedUnit | None, action: str, status: str) -> str:
    name = str(unit.unit) if unit is not None else ""
    if unit is not None and unit.status in U.checked_in_values():
        return gettext("%(unit)s has already reported (%(status)s).") % {"unit": name, "status": status}
    return gettext("Cannot %(action)s: %(unit)s is %(status)s.") % {"action": action, "unit": name, "status": status}


# The unit's row: its lock and its moves. Its steps are written in its summons' log (naming the unit).
UNITS = Machine(model=SummonedUnit, moves=UNIT_MOVES, events=SummonsEvent, refusal=_refusal,
                step_labels=dict(Step.choices), step_verbs=STEP_VERBS,
                related=("summons__case__street", "agency", "department"))
# The summons' log: the whistle and every unit's steps. A summons has no status of its own (its units do).
SUMMONSES = Machine(model=Summons, moves={}, events=SummonsEvent, refusal="", step_labels=dict(Step.choices))
UNIT_STATUSES = dict(U.choices)
