"""What needs a person's attention, in their inbox and (if they want) by email."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications import kinds


class EmailStatus(models.TextChoices):
    NONE = "", _("no email")
    PENDING = "pending", _("to send")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class Notification(models.Model):
    """One message to one person. `key` names the thing it is about; one per person and key, so nothing
    is announced twice. `link` is where opening it leads; `case_number` the case it concerns, if any."""

    # No index of its own: the unique (user, key) and the indexes below all lead with the user.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("user"), db_index=False)
    key = models.CharField(_("key"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=kinds.choices)
    case_number = models.CharField(_("case number"), max_length=20, blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(_("email"), max_length=10, choices=EmailStatus.choices, blank=True,
                                    default=EmailStatus.NONE)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_user_idx"),
            models.Index(fields=["user"], name="notification_unread_idx", condition=Q(read_at=None)),
            models.Index(fields=["email_status"], name="notification_email_todo_idx",
                         condition=Q(email_status__in=["pending", "sending"])),
        ]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"


class NotificationSettings(models.Model):
    """A person's choice to receive their notifications by email too (on by default)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_settings", verbose_name=_("user"))
    by_email = models.BooleanField(_("also by email"), default=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return f"{self.user}: {'email' if self.by_email else 'inbox only'}"
