"""Membership now belongs to the people app (people 0001 takes the table over as it is)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_community_staff_role"),
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Membership")],
            database_operations=[],
        ),
    ]
