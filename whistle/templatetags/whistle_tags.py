"""Template tags other apps' pages use to show 吹哨报到 without importing this app.

On the case page: `{% load whistle_tags %}{% case_summons case %}` shows the case's summonses the
reader may see, each unit's answer and the summons' log, and the street staff's link to whistle.
"""

from django import template

from dispatch.models import CaseStatus
from haidian.permissions import Role
from people.selectors import holds
from whistle import selectors

register = template.Library()


@register.inclusion_tag("whistle/_case_summons.html", takes_context=True)
def case_summons(context, case) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"case": case, "summonses": [], "may_whistle": False}
    return {
        "case": case,
        "summonses": selectors.summons_for_case(user=user, case=case),
        "may_whistle": case.status in CaseStatus.open_values() and holds(user, Role.STREET_STAFF, "street",
                                                                          case.street_id),
        "now": context.get("now"),
    }
