# Moves ControllerSettings from the mtvweb app to plans, keeping its table's row.

import django.core.validators
import mtvweb.validators
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0004_engine_records'),
        ('mtvweb', '0003_max_vm_per_host'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                # ALTER TABLE … RENAME TO is the same statement on SQLite and Postgres.
                migrations.RunSQL(
                    'ALTER TABLE mtvweb_controllersettings RENAME TO plans_controllersettings',
                    reverse_sql='ALTER TABLE plans_controllersettings RENAME TO mtvweb_controllersettings',
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='ControllerSettings',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('max_vm_inflight', models.PositiveIntegerField(default=20, help_text='Most VMs of one plan that migrate at the same time.', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)], verbose_name='Maximum concurrent VM migrations')),
                        ('max_vm_per_host', models.PositiveIntegerField(default=10, help_text="Most VMs of one ESXi or oVirt host copied at the same time, across plans (MTV's performance guide found about 10 the useful maximum).", validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(1000)], verbose_name='Maximum concurrent VM migrations per source host')),
                        ('must_gather_cleanup_hours', models.PositiveIntegerField(blank=True, help_text='Log archives older than this are deleted. Empty: disabled (kept until removed by hand).', null=True, validators=[django.core.validators.MinValueValidator(1)], verbose_name='Must gather cleanup after (hours)')),
                        ('controller_cpu_limit', models.CharField(default='500m', help_text="CPU limit of the controller's main container.", max_length=16, validators=[mtvweb.validators.validate_quantity], verbose_name='Controller main container CPU limit')),
                        ('controller_memory_limit', models.CharField(default='800Mi', help_text="Memory limit of the controller's main container.", max_length=16, validators=[mtvweb.validators.validate_quantity], verbose_name='Controller main container memory limit')),
                        ('precopy_interval_minutes', models.PositiveIntegerField(default=60, help_text='How often warm migration takes a new snapshot before cutover.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='Precopy interval (minutes)')),
                        ('snapshot_polling_seconds', models.PositiveIntegerField(default=10, help_text='How often warm migration checks whether a snapshot was created or removed.', validators=[django.core.validators.MinValueValidator(1)], verbose_name='Snapshot polling interval (seconds)')),
                        ('filesystem_overhead_percent', models.PositiveIntegerField(default=10, help_text="Extra space added to Filesystem-mode volumes for the file system's own needs.", validators=[django.core.validators.MaxValueValidator(100)], verbose_name='Filesystem overhead (%)')),
                        ('block_overhead', models.CharField(default='0', help_text='Fixed extra space added to every Block-mode volume, such as 0 or 1Gi.', max_length=16, validators=[mtvweb.validators.validate_quantity], verbose_name='Block overhead')),
                        ('updated', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': 'settings',
                        'verbose_name_plural': 'settings',
                    },
                ),
            ],
        ),
    ]
