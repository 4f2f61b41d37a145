"""Membership moves from agencies to people: the same table, taken over without touching the data
(agencies 0004 forgets it, people 0002 renames the table)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('agencies', '0003_community_staff_role'),
        ('grids', '0002_patrol'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Membership',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('role', models.CharField(choices=[('district_command', 'District command center'), ('street_staff', 'Street sub-center staff'), ('grid_worker', 'Grid worker'), ('community_staff', 'Community staff'), ('agency_head', 'Agency head'), ('agency_staff', 'Agency staff'), ('department_admin', 'Department administrator'), ('auditor', 'Auditor'), ('survey_operator', 'Survey operator')], max_length=20, verbose_name='role')),
                        ('title', models.CharField(blank=True, max_length=50, verbose_name='job title')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('agency', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='agencies.agency', verbose_name='agency')),
                        ('community', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='grids.community', verbose_name='community')),
                        ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='agencies.department', verbose_name='department')),
                        ('district', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='agencies.district', verbose_name='district')),
                        ('grid', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='grids.gridcell', verbose_name='grid')),
                        ('street', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to='agencies.street', verbose_name='street')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'db_table': 'agencies_membership',
                        'verbose_name': 'membership',
                        'verbose_name_plural': 'memberships',
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('agency', None), ('community', None), ('department', None), ('district__isnull', False), ('grid', None), ('street', None)), models.Q(('agency', None), ('community', None), ('department__isnull', False), ('district', None), ('grid', None), ('street', None)), models.Q(('agency', None), ('community', None), ('department', None), ('district', None), ('grid', None), ('street__isnull', False)), models.Q(('agency__isnull', False), ('community', None), ('department', None), ('district', None), ('grid', None), ('street', None)), models.Q(('agency', None), ('community__isnull', False), ('department', None), ('district', None), ('grid', None), ('street', None)), models.Q(('agency', None), ('community', None), ('department', None), ('district', None), ('grid__isnull', False), ('street', None)), _connector='OR'), name='membership_exactly_one_unit'), models.CheckConstraint(condition=models.Q(('role__in', ['district_command', 'street_staff', 'grid_worker', 'community_staff', 'agency_head', 'agency_staff', 'department_admin', 'auditor', 'survey_operator'])), name='membership_role_valid'), models.UniqueConstraint(condition=models.Q(('district__isnull', False)), fields=('user', 'role', 'district'), name='membership_unique_district'), models.UniqueConstraint(condition=models.Q(('department__isnull', False)), fields=('user', 'role', 'department'), name='membership_unique_department'), models.UniqueConstraint(condition=models.Q(('street__isnull', False)), fields=('user', 'role', 'street'), name='membership_unique_street'), models.UniqueConstraint(condition=models.Q(('agency__isnull', False)), fields=('user', 'role', 'agency'), name='membership_unique_agency'), models.UniqueConstraint(condition=models.Q(('community__isnull', False)), fields=('user', 'role', 'community'), name='membership_unique_community'), models.UniqueConstraint(condition=models.Q(('grid__isnull', False)), fields=('user', 'role', 'grid'), name='membership_unique_grid')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
