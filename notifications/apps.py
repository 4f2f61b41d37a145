from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

# SMS backends that keep the messages on this machine instead of sending them.
LOCAL_SMS_BACKENDS = {"notifications.sms.FileBackend", "notifications.sms.ConsoleBackend",
                      "notifications.sms.LocmemBackend"}


def check_sms_backend(app_configs, **kwargs):
    """In production, reporters' text messages must leave the machine (`manage.py check --deploy`)."""
    if getattr(settings, "HAIDIAN_ENV", "") == "production" and settings.SMS_BACKEND in LOCAL_SMS_BACKENDS:
        return [checks.Warning(
            f"SMS_BACKEND is {settings.SMS_BACKEND}: messages to reporters are not sent to anyone.",
            hint="Set SMS_BACKEND=notifications.sms.HttpGatewayBackend with SMS_GATEWAY_URL and SMS_GATEWAY_KEY.",
            id="notifications.W001")]
    return []


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        checks.register(check_sms_backend, checks.Tags.compatibility, deploy=True)
