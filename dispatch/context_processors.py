"""The header's links to each person's workplaces, by role, and the optional map tile server."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from haidian.permissions import Role, scope_for


def workplaces(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"MAP_TILE_URL": settings.MAP_TILE_URL}
    roles = scope_for(user).roles  # held roles only: a superuser has no workplace pages
    links = []
    if Role.STREET_STAFF in roles:
        links.append((reverse("dispatch:workbench"), _("Street workbench")))
    if Role.GRID_WORKER in roles:
        links.append((reverse("dispatch:grid"), _("My grids")))
    if roles & {Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DEPARTMENT_ADMIN}:
        links.append((reverse("dispatch:inbox"), _("Task inbox")))
    if Role.DISTRICT_COMMAND in roles:
        links.append((reverse("dispatch:command"), _("Command center")))
    if roles & {Role.DISTRICT_COMMAND, Role.STREET_STAFF}:
        links.append((reverse("dashboard:dashboard"), _("Dashboard")))
    if roles & {Role.STREET_STAFF, Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DEPARTMENT_ADMIN, Role.DISTRICT_COMMAND}:
        links.append((reverse("dispatch:letters"), _("Deadline letters")))
    if roles & {Role.STREET_STAFF, Role.DEPARTMENT_ADMIN, Role.DISTRICT_COMMAND}:
        links.append((reverse("appointments:list"), _("Appointments")))
    if roles & {Role.STREET_STAFF, Role.AGENCY_HEAD, Role.AGENCY_STAFF, Role.DISTRICT_COMMAND}:
        links.append((reverse("committees:meetings"), _("Meetings")))
        links.append((reverse("committees:team"), _("Joint enforcement team")))
    if Role.DEPARTMENT_ADMIN in roles or Role.DISTRICT_COMMAND in roles:
        links.append((reverse("workaccess:requests"), _("Work access")))
    if Role.STREET_STAFF in roles:
        links.append((reverse("workaccess:tasks"), _("Assigned tasks")))
        links.append((reverse("comanagers:street"), _("Co-managers")))
    if Role.DISTRICT_COMMAND in roles:
        links.append((reverse("comanagers:district"), _("Co-manager quotas")))
    if roles & {Role.STREET_STAFF, Role.DISTRICT_COMMAND}:
        links.append((reverse("workaccess:delegated"), _("Delegated enforcement")))
    if roles & {Role.STREET_STAFF, Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.AGENCY_HEAD, Role.DEPARTMENT_ADMIN,
                Role.DISTRICT_COMMAND, Role.AUDITOR}:
        links.append((reverse("assessment:mine"), _("Assessment")))
    unread = user.notifications.filter(read_at=None).count()  # a partial index holds the unread ones
    return {"workplaces": links, "unread_notifications": unread, "MAP_TILE_URL": settings.MAP_TILE_URL}
