"""What Open311 publishes, and the look-ups behind its endpoints.

Open311 is public: no login, so no user scope (haidian.permissions) applies. The line is drawn
by category instead, and is the same for the list of services and the list of requests:

- services are our leaf categories, except the work areas whose reports are about people rather
  than places, or are the administration's own tasks — basic data collection (A01), social
  services to persons (A03), population and housing registration (A04), disputes (A07),
  community corrections and rehabilitation (A08), social participation (A10) — and the
  "suspicious person" category (A06-03). Publishing where such a report was made would point at
  a household or a person. An administrator can withdraw more categories
  (ServiceDefinition.published), not publish these.
- requests are the cases of those categories, from every source, district-wide. A case not yet
  given a category is not listed (it is not known to be public yet); a case refiled into a
  category that is not public disappears from the API.
- invalid reports (rejected, and not as a duplicate) stay out of the lists, but a request looked
  up by its number still shows that it was closed.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q, QuerySet

from dispatch.models import Case, CaseStatus, Category, Task, TaskRole, TaskStatus
from open311.models import KEY_PREFIX_LENGTH, ApiClient, ServiceDefinition, ServiceRequest, key_digest

NOT_PUBLIC_WORK_AREAS = ("A01", "A03", "A04", "A07", "A08", "A10")
NOT_PUBLIC_CATEGORIES = ("A06-03",)

# GeoReport status → our statuses. Rejected is "closed": the request will not be acted on.
CLOSED_STATUSES = (CaseStatus.CLOSED.value, CaseStatus.REJECTED.value)


def _public_categories() -> QuerySet[Category]:
    return (Category.objects.filter(parent__isnull=False)
            .exclude(parent__code__in=NOT_PUBLIC_WORK_AREAS)
            .exclude(code__in=NOT_PUBLIC_CATEGORIES)
            .exclude(open311_definition__published=False))


@dataclass(frozen=True)
class Service:
    category: Category
    definition: ServiceDefinition | None

    @property
    def attributes(self) -> list[dict]:
        return self.definition.attributes if self.definition else []


def _service(category: Category) -> Service:
    try:
        definition = category.open311_definition
    except ServiceDefinition.DoesNotExist:
        definition = None
    return Service(category, definition)


def service_list() -> list[Service]:
    categories = _public_categories().select_related("parent", "open311_definition").order_by(
        "parent__position", "parent__code", "position", "code")
    return [_service(category) for category in categories]


def service_get(code: str) -> Service | None:
    category = _public_categories().select_related("parent", "open311_definition").filter(code=code).first()
    return _service(category) if category else None


def services_changed_at() -> dt.datetime | None:
    """When a service definition last changed: discovery's changeset, for clients' caches."""
    return ServiceDefinition.objects.aggregate(at=Max("updated_at"))["at"]


def client_for_key(key: str) -> ApiClient | None:
    """The active client whose key this is. The prefix finds the row; the hashes are compared in
    constant time, so response times say nothing about how much of a guess was right."""
    if not key:
        return None
    digest = key_digest(key)
    for client in ApiClient.objects.filter(key_prefix=key[:KEY_PREFIX_LENGTH], active=True):
        if hmac.compare_digest(client.key_hash, digest):
            return client
    return None


def public_cases() -> QuerySet[Case]:
    """Every case the API may show, with what a GeoReport request shows, in two queries: the
    case with its category, definition, place and Open311 record, then the live lead tasks."""
    live_leads = Task.objects.filter(role=TaskRole.LEAD, status__in=TaskStatus.active_values()).select_related(
        "agency", "department")
    return (
        Case.objects.filter(category__in=_public_categories())
        .select_related("category__open311_definition", "street__district", "grid__community", "open311_request")
        .defer("grid__boundary")
        .prefetch_related(Prefetch("tasks", queryset=live_leads, to_attr="live_leads"))
    )


def _listed(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.exclude(Q(status=CaseStatus.REJECTED) & Q(duplicate_of__isnull=True))


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' filters, parsed (open311.inputs)."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    page: int = 1
    page_size: int = 100


def request_list(query: RequestQuery) -> list[Case]:
    cases = public_cases()
    if query.ids:
        # The specification: service_request_id "overrides all other arguments".
        return list(cases.filter(number__in=query.ids).order_by("-created_at", "-id"))
    cases = _listed(cases).filter(created_at__gte=query.start, created_at__lte=query.end)
    if query.service_codes:
        cases = cases.filter(category__code__in=query.service_codes)
    if set(query.statuses) == {"open"}:
        cases = cases.exclude(status__in=CLOSED_STATUSES)
    elif set(query.statuses) == {"closed"}:
        cases = cases.filter(status__in=CLOSED_STATUSES)
    offset = (query.page - 1) * query.page_size
    return list(cases.order_by("-created_at", "-id")[offset:offset + query.page_size])


def request_get(number: str) -> Case | None:
    return public_cases().filter(number=number).first()


def token_get(token: str) -> ServiceRequest | None:
    return ServiceRequest.objects.select_related("case").filter(token=token).first()
