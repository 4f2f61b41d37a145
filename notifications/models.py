"""What needs a person's attention, in their inbox and (if they want) by email."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from haidian.privacy import BlindIndexField, EncryptedCharField, mask_phone
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
    # When a sender marked the email `sending`: one left so past MESSAGE_SENDING_TIMEOUT_MINUTES (its
    # worker died) is claimed again.
    email_claimed_at = models.DateTimeField(_("email claimed at"), null=True, blank=True)
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


# --- messages to reporters (SMS and email to people without an account) ----------------------------

class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("email")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("to send")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED_OPT_OUT = "skipped_opt_out", _("not sent: opted out")

    @classmethod
    def waiting_values(cls) -> list[str]:
        return [cls.PENDING.value, cls.SENDING.value]


def mask_email(address: str) -> str:
    """wang.xiuying@example.cn → w***@example.cn; without a domain, starred whole."""
    local, at, domain = address.partition("@")
    if not at or not local:
        return "*" * len(address)
    return f"{local[0]}***@{domain}"


def mask_address(channel: str, address: str) -> str:
    return mask_email(address) if channel == Channel.EMAIL else mask_phone(address)


class Message(models.Model):
    """One SMS or email to a reporter (群众), who has no account: told of each step of their case.

    `key` names what the message is about ("case-event:<event id>:<channel>"): one row per key, so
    a task run twice, or by two workers at once, never texts anyone twice. `to` is the address,
    normalised: personal data, encrypted at rest (haidian.privacy), found by its blind index
    `to_index`, shown masked everywhere (`to_masked`) and read unmasked only by the backend that
    sends it. It is kept after sending (a failed message can be sent again) and erased ("") with the
    case's reporter data, by the retention job or on the person's request."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    channel = models.CharField(_("channel"), max_length=5, choices=Channel.choices)
    to = EncryptedCharField(_("to"), max_length=254)
    to_index = BlindIndexField(source="to", db_index=True, db_default="")
    template = models.CharField(_("template"), max_length=20,
                                help_text=_("What the message says, e.g. received, dispatched, result."))
    text = models.TextField(_("text"))
    case_number = models.CharField(_("case number"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MessageStatus.choices,
                              default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # A failed attempt waits before the next (growing delays); None: as soon as a sender runs.
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    # When a sender marked it `sending`: one left so past MESSAGE_SENDING_TIMEOUT_MINUTES (its worker
    # died) is claimed again, under the same key (notifications.messages).
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message to a reporter")
        verbose_name_plural = _("messages to reporters")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The senders' queue: small, whatever the size of the log.
            models.Index(fields=["id"], name="message_pending_idx", condition=Q(status="pending")),
            models.Index(fields=["claimed_at"], name="message_sending_idx", condition=Q(status="sending")),
            models.Index(fields=["case_number", "-created_at", "-id"], name="message_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="message_status_valid", condition=Q(status__in=MessageStatus.values)),
            models.CheckConstraint(name="message_channel_valid", condition=Q(channel__in=Channel.values)),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.to_masked} · {self.template}"

    @property
    def to_masked(self) -> str:
        return mask_address(self.channel, self.to)


class MessageOptOut(models.Model):
    """A reporter who asked for no more messages (不再接收短信通知): nothing more goes to the address.
    Kept as the address's blind index (haidian.privacy.blind_index: an HMAC under
    PERSONAL_DATA_INDEX_KEY, never SECRET_KEY), not the address itself: the opt-out needs only to
    recognise it, and without the key a phone number cannot be guessed back from it."""

    address_hash = models.CharField(_("address (hashed)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("message opt-out")
        verbose_name_plural = _("message opt-outs")

    def __str__(self) -> str:
        return f"{self.address_hash[:12]}…"
