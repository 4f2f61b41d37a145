"""Beat's catch-up for messages to reporters, editable afterwards in the admin (django-celery-beat):
a message whose enqueue was lost (broker down) or whose retry is due goes out at the next tick."""

from django.conf import settings
from django.db import migrations

NAME = "send messages to reporters"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _created = IntervalSchedule.objects.get_or_create(every=settings.MESSAGE_SEND_MINUTES, period="minutes")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "notifications.send_messages", "interval": every})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_messages_to_reporters"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
