# ControllerSettings now lives in the plans app (plans 0005 renamed its table): state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('mtvweb', '0003_max_vm_per_host'),
        ('plans', '0005_controllersettings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ControllerSettings')],
            database_operations=[],
        ),
    ]
