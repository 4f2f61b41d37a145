"""Writes on co-managers: hire, leave, and the district's quota.

Hiring counts the street's co-managers under a lock on the street's quota row of the year, so two
hires at the same moment are served one after the other and cannot both take the last place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agencies.models import Street
from comanagers.models import CoManager, Deployment, PayStandard, Placement, Post, Quota
from comanagers.selectors import in_post
from grids.models import GridCell
from haidian.errors import ActionConflict, ActionForbidden, InvalidInput
from haidian.permissions import Role
from people.selectors import holds, unit_ids


def may_hire(user, street: Street) -> bool:
    return holds(user, Role.STREET_STAFF, "street", street.pk)


def may_set_quota(user, street: Street) -> bool:
    return holds(user, Role.DISTRICT_COMMAND, "district", street.district_id)


def _street_staff(user, street: Street) -> None:
    if not may_hire(user, street):
        raise ActionForbidden(_("Only the sub-center staff of the co-manager's street may do this."))


def _check_hire(*, street: Street, post: Post, placement: str, placement_reason: str, approver,
                deployment: str, grids: list[GridCell], central_reason: str, extra_duties: str) -> None:
    """Everything a hire must satisfy before the quota is looked at (all problems at once, 400)."""
    errors: dict[str, list[str]] = {}
    if placement == Placement.POLICY:
        if not placement_reason.strip():
            errors["placement_reason"] = [_("A policy placement needs a reason.")]
        if approver is None:
            errors["placement_approver"] = [_("A policy placement needs an approver.")]
        elif street.district_id not in unit_ids(approver, Role.DISTRICT_COMMAND, "district"):
            errors["placement_approver"] = [_("The approver must work in the district command center.")]
    elif placement != Placement.NORMAL:
        errors["placement"] = [_("Unknown placement.")]
    if deployment == Deployment.GRIDS:
        if not grids:
            errors["grids"] = [_("Name the grids the co-manager is sunk to.")]
        outside = sorted(grid.code for grid in grids if grid.community.street_id != street.pk)
        if outside:
            errors["grids"] = [_("Not grids of this street: %(codes)s") % {"codes": ", ".join(outside)}]
    elif deployment == Deployment.CENTRAL:
        if not central_reason.strip():
            errors["central_reason"] = [_("Say why the co-manager is held centrally.")]
        if grids:
            errors["grids"] = [_("A co-manager held centrally is not sunk to grids.")]
    else:
        errors["deployment"] = [_("Unknown deployment.")]
    if extra_duties.strip() and post.one_post_one_duty:
        errors["extra_duties"] = [_("%(post)s is a one-post-one-duty post: no extra duties.") % {"post": post.name}]
    if errors:
        raise InvalidInput(errors)


def lock_quota(street: Street, year: int) -> Quota:
    """The street's quota row of `year`, locked to the end of the transaction (created at 0 if unset)."""
    Quota.objects.bulk_create([Quota(street=street, year=year, count=0)], ignore_conflicts=True)
    return Quota.objects.select_for_update().get(street=street, year=year)


@transaction.atomic
def comanager_hire(*, actor, street: Street, post: Post, name: str, phone: str, deployment: str,
                   hired_at: dt.date | None = None, placement: str = Placement.NORMAL, placement_reason: str = "",
                   placement_approver=None, grids: Iterable[GridCell] = (), central_reason: str = "",
                   extra_duties: str = "") -> CoManager:
    """Hire a co-manager into the street, within its quota unless a policy placement."""
    _street_staff(actor, street)
    grids = list(GridCell.objects.filter(pk__in=[grid.pk for grid in grids]).select_related("community")
                 .defer("boundary"))
    _check_hire(street=street, post=post, placement=placement, placement_reason=placement_reason,
                approver=placement_approver, deployment=deployment, grids=grids, central_reason=central_reason,
                extra_duties=extra_duties)
    hired_at = hired_at or timezone.localdate()
    # The lock makes a second hire at the same moment wait here and then count the first one:
    # without it both would see one free place and both take it.
    quota = lock_quota(street, hired_at.year)
    taken = CoManager.objects.filter(in_post(hired_at), street=street).count()
    if taken >= quota.count and placement != Placement.POLICY:
        raise ActionConflict(_("The quota is reached: %(street)s has %(taken)s co-managers for a quota of "
                               "%(quota)s in %(year)s. Only a policy placement may go past it.")
                             % {"street": street.name, "taken": taken, "quota": quota.count, "year": hired_at.year})
    comanager = CoManager.objects.create(
        name=name.strip(), phone=phone.strip(), post=post, street=street, hired_at=hired_at, placement=placement,
        placement_reason=placement_reason.strip() if placement == Placement.POLICY else "",
        placement_approver=placement_approver if placement == Placement.POLICY else None,
        deployment=deployment, central_reason=central_reason.strip() if deployment == Deployment.CENTRAL else "",
        extra_duties=extra_duties.strip(), hired_by=actor,
    )
    if grids:
        comanager.grids.set(grids)
    return comanager


@transaction.atomic
def comanager_leave(*, comanager: CoManager, actor, left_at: dt.date | None = None) -> CoManager:
    """The co-manager leaves the post; their place under the quota is free from that day."""
    comanager = CoManager.objects.select_for_update(of=("self",)).select_related("street", "post").get(
        pk=comanager.pk)
    _street_staff(actor, comanager.street)
    if comanager.left_at is not None:
        raise ActionConflict(_("%(name)s already left on %(date)s.") % {"name": comanager.name,
                                                                        "date": comanager.left_at})
    left_at = left_at or timezone.localdate()
    if left_at < comanager.hired_at:
        raise InvalidInput({"left_at": [_("The leaving date cannot be before the hiring date.")]})
    comanager.left_at = left_at
    comanager.save(update_fields=["left_at"])
    return comanager


@transaction.atomic
def quota_set(*, actor, street: Street, year: int, count: int) -> Quota:
    """The district command sets a street's quota of a year (总量控制)."""
    if not may_set_quota(actor, street):
        raise ActionForbidden(_("Only the district command center sets co-manager quotas."))
    if count < 0:
        raise InvalidInput({"count": [_("A quota cannot be negative.")]})
    if not 2000 <= year <= 2100:
        raise InvalidInput({"year": [_("Give a year between 2000 and 2100.")]})
    quota = lock_quota(street, year)
    quota.count, quota.set_by = count, actor
    quota.save(update_fields=["count", "set_by", "updated_at"])
    return quota


@transaction.atomic
def pay_standard_set(*, actor, post: Post, year: int, monthly_amount) -> PayStandard:
    """The district command sets (or corrects) a post's monthly pay of a year: one row per post and year."""
    if not holds(actor, Role.DISTRICT_COMMAND):
        raise ActionForbidden(_("Only the district command center sets co-managers' pay standards."))
    standard, _created = PayStandard.objects.select_for_update().update_or_create(
        post=post, year=year, defaults={"monthly_amount": monthly_amount})
    return standard

