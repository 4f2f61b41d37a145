"""Notifications now belong to the notifications app (which took their tables over as they are), and
the benchmark's ScaleRun to the bench app, installed only in demo and test: where bench is installed
its 0001 copied the rows first; in production the table is dropped."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0011_case_case_escalated_open_idx"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="NotificationSettings"),
            ],
            database_operations=[],
        ),
        migrations.DeleteModel(name="ScaleRun"),
    ]
