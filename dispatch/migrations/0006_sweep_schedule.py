"""The deadline sweep's beat schedule, editable afterwards in the admin (django-celery-beat)."""

from django.conf import settings
from django.db import migrations

NAME = "deadline sweep"


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every, _created = IntervalSchedule.objects.get_or_create(every=settings.DEADLINE_SWEEP_MINUTES,
                                                             period="minutes")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "dispatch.sweep_deadlines", "interval": every})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0005_deadline_sweep"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
