"""A notification names the case it is about by its number and carries the page it leads to, instead
of a foreign key to dispatch (which sits above this app); the tables take this app's name."""

from django.db import migrations, models

import notifications.kinds

FILL = {
    "postgresql": """
        UPDATE dispatch_notification n SET case_number = c.number, link = '/cases/' || c.number || '/'
        FROM dispatch_case c WHERE c.id = n.case_id""",
    "sqlite": """
        UPDATE dispatch_notification SET
            case_number = (SELECT number FROM dispatch_case c WHERE c.id = dispatch_notification.case_id),
            link = '/cases/' || (SELECT number FROM dispatch_case c WHERE c.id = dispatch_notification.case_id) || '/'
        WHERE case_id IS NOT NULL""",
}
# Letters' notifications had no case; they lead to their letter from now on (new ones do).


def fill_case_numbers(apps, schema_editor):
    schema_editor.execute(FILL[schema_editor.connection.vendor], params=None)


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("notification", "notificationsettings"):
        if not ContentType.objects.filter(app_label="notifications", model=model).exists():
            ContentType.objects.filter(app_label="dispatch", model=model).update(app_label="notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("dispatch", "0011_case_case_escalated_open_idx"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification", name="case_number",
            field=models.CharField(blank=True, default="", max_length=20, verbose_name="case number"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="notification", name="link",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="link"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_case_numbers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="notification", name="case"),
        migrations.AlterField(
            model_name="notification", name="kind",
            field=models.CharField(choices=notifications.kinds.choices, max_length=20, verbose_name="kind"),
        ),
        migrations.AlterModelTable(name="notification", table=None),
        migrations.AlterModelTable(name="notificationsettings", table=None),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
