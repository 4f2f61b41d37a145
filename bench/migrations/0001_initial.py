"""ScaleRun comes over from dispatch (where it was in the production schema). Runs before dispatch
drops its table, and copies the loads recorded there, so that a benchmark database keeps knowing
what it holds."""

from django.db import migrations, models

COLUMNS = "id, seed, first_day, days, per_day, days_done, cases, events, started_at, finished_at"


def copy_loads(apps, schema_editor):
    if "dispatch_scalerun" not in schema_editor.connection.introspection.table_names():
        return
    schema_editor.execute(f"INSERT INTO bench_scalerun ({COLUMNS}) SELECT {COLUMNS} FROM dispatch_scalerun", params=None)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SELECT setval(pg_get_serial_sequence('bench_scalerun', 'id'), "
                              "coalesce(max(id), 0) + 1, false) FROM bench_scalerun", params=None)


class Migration(migrations.Migration):

    initial = True

    dependencies = [("dispatch", "0011_case_case_escalated_open_idx")]
    run_before = [("dispatch", "0012_notifications_and_scalerun_leave")]

    operations = [
        migrations.CreateModel(
            name='ScaleRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seed', models.IntegerField(verbose_name='seed')),
                ('first_day', models.DateField(verbose_name='first day')),
                ('days', models.PositiveIntegerField(verbose_name='days')),
                ('per_day', models.PositiveIntegerField(verbose_name='cases per day')),
                ('days_done', models.PositiveIntegerField(default=0, verbose_name='days done')),
                ('cases', models.PositiveBigIntegerField(default=0, verbose_name='cases written')),
                ('events', models.PositiveBigIntegerField(default=0, verbose_name='events written')),
                ('started_at', models.DateTimeField(auto_now_add=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
            ],
            options={
                'verbose_name': 'generated history load',
                'verbose_name_plural': 'generated history loads',
                'constraints': [models.UniqueConstraint(fields=('seed', 'first_day', 'days', 'per_day'), name='bench_scalerun_unique')],
            },
        ),
        migrations.RunPython(copy_loads, migrations.RunPython.noop),
    ]
