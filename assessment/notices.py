"""What the assessment tells people: its kinds of notification."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from notifications import kinds


@kinds.register
class NoticeKind(models.TextChoices):
    RATING = "rating", _("rate the handling of your report")
    ASSESSMENT = "assessment", _("assessment forms to fill")
