"""Personal data: the retention job's daily beat task (03:30 Asia/Shanghai, editable afterwards in the
admin), and the message opt-outs moved from an unkeyed SHA-256 of the address to its blind index.

An opt-out kept only a hash, so its address is found again among the addresses still on file (the
messages to reporters and the cases' reporters, all encrypted by now: decrypted here, one at a time):
each opt-out whose address is found gets that address's blind index. One whose address is nowhere
any more keeps its old hash (it can match nothing new: such an address receives nothing anyway).
"""

import hashlib

from django.db import migrations

from haidian.privacy import blind_index, normalise_contact

NAME = "personal data retention"


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="30", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
    PeriodicTask.objects.get_or_create(name=NAME, defaults={"task": "security.personal_data_retention",
                                                            "crontab": crontab})


def unschedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


def _legacy(address: str) -> str:
    return hashlib.sha256(normalise_contact(address).encode()).hexdigest()


def _addresses(apps):
    Message = apps.get_model("notifications", "Message")
    Case = apps.get_model("dispatch", "Case")
    yield from Message.objects.exclude(to="").values_list("to", flat=True).iterator(chunk_size=2000)
    for phone, email in (Case.objects.exclude(reporter_phone="", reporter_email="")
                         .values_list("reporter_phone", "reporter_email").iterator(chunk_size=2000)):
        yield phone
        yield email


def _rehash(apps, old, new):
    OptOut = apps.get_model("notifications", "MessageOptOut")
    waiting = dict.fromkeys(OptOut.objects.values_list("address_hash", flat=True))
    if not waiting:
        return
    for address in _addresses(apps):
        if address and old(address) in waiting:
            waiting[old(address)] = new(address)
            if all(waiting.values()):
                break
    for was, becomes in waiting.items():
        if becomes and becomes != was:
            OptOut.objects.filter(address_hash=was).update(address_hash=becomes)


def opt_outs_to_blind_index(apps, schema_editor):
    _rehash(apps, _legacy, blind_index)


def opt_outs_to_sha256(apps, schema_editor):
    _rehash(apps, blind_index, _legacy)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("dispatch", "0016_personal_data_encrypted"),
        ("notifications", "0005_message_to_encrypted"),
    ]

    operations = [
        migrations.RunPython(schedule, unschedule),
        migrations.RunPython(opt_outs_to_blind_index, opt_outs_to_sha256),
    ]
