"""Scoped reads of co-managers and quotas, through the one permission gate."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from agencies.models import Street
from comanagers.models import CoManager, Quota
from haidian import audit
from haidian.permissions import Role, Scope, restrict, scope_for, scope_rule
from haidian.privacy import mask_phone


def _streets_seen(scope: Scope) -> Q:
    return (Q(street__district_id__in=scope.area_district_ids)
            | Q(street_id__in=scope.area_street_ids | scope.touched_street_ids))


@scope_rule(CoManager)
def _comanager_rule(scope: Scope) -> Q:
    """The street's people (its sub-center, communities and grids), the agencies serving it, the district."""
    return _streets_seen(scope)


@scope_rule(Quota)
def _quota_rule(scope: Scope) -> Q:
    return _streets_seen(scope)


def in_post(on: dt.date) -> Q:
    """Co-managers still in post on `on` (those who leave that day no longer count)."""
    return Q(left_at__isnull=True) | Q(left_at__gt=on)


def comanager_list(*, user) -> QuerySet[CoManager]:
    return restrict(CoManager.objects.select_related("post", "street", "placement_approver"), user) \
        .prefetch_related("grids")


def sees_phone(user, comanager: CoManager) -> bool:
    """Phones are personal data: only people serving in the co-manager's street read them whole."""
    scope = scope_for(user)
    return scope.everything or comanager.street_id in (scope.street_ids | scope.touched_street_ids)



def phone_for(user, comanager: CoManager) -> str:
    return comanager.phone if sees_phone(user, comanager) else mask_phone(comanager.phone)


def phones_shown(*, request, count: int) -> None:
    """Co-managers' phones shown whole on one page or API answer go on the audit log: one row per
    request with how many, none when none were."""
    if count:
        audit.record(audit.Action.PERSONAL_DATA_VIEWED, request=request, object_type="comanagers.comanager",
                     data={"field": "phone", "rows": count})



def command_streets(*, user) -> QuerySet[Street]:
    """The streets of the districts whose command center the user works in (who sets quotas)."""
    if user.is_superuser:
        return Street.objects.select_related("district").order_by("code")
    return Street.objects.filter(
        district__membership__user=user, district__membership__role=Role.DISTRICT_COMMAND
    ).select_related("district").order_by("code")


def with_count_and_quota(streets: QuerySet[Street], *, year: int, on: dt.date) -> QuerySet[Street]:
    """Each street with `in_post` (co-managers in post on `on`) and `quota` (of `year`, 0 when unset).

    One query however many streets: both are computed in the database."""
    quota = Quota.objects.filter(street=OuterRef("pk"), year=year).values("count")[:1]
    counts = CoManager.objects.filter(in_post(on), street=OuterRef("pk")) \
        .order_by().values("street").annotate(n=Count("id")).values("n")[:1]
    return streets.annotate(
        quota=Coalesce(Subquery(quota, output_field=IntegerField()), Value(0)),
        in_post=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)),
    )
