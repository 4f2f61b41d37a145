"""The membership table takes the people app's name; its content type follows, so the admin's
permissions and history stay with it."""

from django.db import migrations


def move_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="people", model="membership").exists():
        ContentType.objects.filter(app_label="agencies", model="membership").update(app_label="people")


def move_content_type_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="people", model="membership").update(app_label="agencies")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("agencies", "0004_membership_to_people"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="membership", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
