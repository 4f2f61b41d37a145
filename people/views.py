"""The role-aware home page: my roles, my units, and whether the working calendar is loaded."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from haidian.calendar import missing_years
from haidian.navigation import landing_url
from haidian.permissions import Role, scope_for
from people.models import Membership


@login_required
def start(request):
    """Where the login page sends a person who asked for no particular page (LOGIN_REDIRECT_URL)."""
    return redirect(landing_url(request.user))


def home(request):
    """The site's root: residents (not signed in) land on the public services; a signed-in person sees
    their roles, units and the calendar's state."""
    if not request.user.is_authenticated:
        return redirect("public:index")
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related(*Membership.UNIT_FIELDS).defer("grid__boundary")
        .order_by("role", "id")
    )
    scope = scope_for(request.user)
    roles = [Role(role) for role in Role.values if role in scope.roles]
    units_by_role: dict[str, list] = {}
    for membership in memberships[:200]:
        units_by_role.setdefault(membership.get_role_display(), []).append(membership.unit)
    return render(request, "people/home.html", {
        "roles": roles,
        "units_by_role": units_by_role,
        "missing_calendar_years": missing_years(),
    })
