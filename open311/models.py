"""Open311 GeoReport v2: the clients allowed to post, the extra questions of a service, and the
record of each request posted here (its token, the client, what GeoReport carries that a case
has no column for).

A request posted here is an ordinary case (`dispatch.Case`, source `open311`); nothing in the
workflow knows about Open311.
"""

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from dispatch.models import Case, Category
from haidian.privacy import EncryptedEmailField
from open311.attributes import definition_problems

KEY_PREFIX_LENGTH = 8


def key_digest(key: str) -> str:
    """Keys are 256 random bits, so one SHA-256 is enough: nothing to brute-force from the hash."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiClient(models.Model):
    """An application allowed to POST requests (GeoReport's api_key). Only the key's hash is
    stored; the key is shown once when it is issued (`open311.services.api_key_issue`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    contact = models.TextField(_("contact"), blank=True,
                               help_text=_("Who runs the application, and how to reach them."))
    key_prefix = models.CharField(_("key begins with"), max_length=KEY_PREFIX_LENGTH, db_index=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True, help_text=_("An inactive client's key is refused (403)."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    key_issued_at = models.DateTimeField(_("key issued at"), null=True, editable=False)

    class Meta:
        verbose_name = _("Open311 API client")
        verbose_name_plural = _("Open311 API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceDefinition(models.Model):
    """What GeoReport says about one of our leaf categories beyond its name: a description,
    keywords, the notice given to reporters, the extra questions (`attributes`, which make
    `metadata` true), or that it is withdrawn from the public list of services.

    Optional: a leaf category without a definition is a service with no extra questions (unless
    it is one that is never public, see `open311.selectors`)."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="open311_definition",
                                    verbose_name=_("category"), limit_choices_to={"parent__isnull": False})
    published = models.BooleanField(_("published"), default=True,
                                    help_text=_("Untick to withdraw the category from Open311: it is no longer "
                                                "offered as a service and its cases are no longer listed."))
    description = models.TextField(_("description"), blank=True, help_text=_("A brief description of the service."))
    keywords = models.CharField(_("keywords"), max_length=200, blank=True,
                                help_text=_("Comma-separated synonyms that help people find the service."))
    service_notice = models.TextField(
        _("service notice"), blank=True,
        help_text=_("What happens to a report. Empty: the category's time limit is stated."))
    attributes = models.JSONField(
        _("attributes"), default=list, blank=True,
        help_text=_('Extra questions as a JSON list, e.g. [{"variable": true, "code": "SIZE", "datatype": '
                    '"singlevaluelist", "required": true, "datatype_description": "", "order": 1, "description": '
                    '"How large is it?", "values": [{"key": "S", "name": "small"}, {"key": "L", "name": "large"}]}]. '
                    "Datatypes: string, number, datetime, text, singlevaluelist, multivaluelist."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("Open311 service definition")
        verbose_name_plural = _("Open311 service definitions")
        ordering = ["category__code"]

    def __str__(self) -> str:
        return str(self.category)

    def clean(self):
        errors = {}
        if self.category_id and self.category.parent_id is None:
            errors["category"] = _("Choose a category, not a work area.")
        problems = definition_problems(self.attributes)
        if problems:
            errors["attributes"] = problems
        if errors:
            raise ValidationError(errors)

    @property
    def has_questions(self) -> bool:
        return bool(self.attributes)


class ServiceRequest(models.Model):
    """A request posted through Open311: the case it became, which client posted it, and its
    token (GET tokens/{token} answers the case number). Email and device are the reporter's
    personal data, like the case's reporter name and phone: never shown by the public API."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="open311_request",
                                verbose_name=_("case"))
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="requests",
                               verbose_name=_("client"))
    token = models.CharField(_("token"), max_length=64, unique=True)
    attributes = models.JSONField(_("attribute answers"), default=dict, blank=True)
    media_url = models.URLField(_("media URL"), max_length=500, blank=True)
    # Encrypted at rest (haidian.privacy); erased with the case's reporter data.
    email = EncryptedEmailField(_("email"), blank=True)
    device_id = models.CharField(_("device ID"), max_length=100, blank=True)
    account_id = models.CharField(_("account ID"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.case.number
