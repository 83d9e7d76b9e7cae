"""Plan.network_map / Plan.storage_map get related_name="plans", so a map finds the plans using
it (mappings.usage) without importing plans. Only Django's model state changes: no SQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('mappings', '0002_networkpair_storagepair'),
        ('plans', '0005_controllersettings'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='plan',
                name='network_map',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                        related_name='plans', to='mappings.networkmap'),
            ),
            migrations.AlterField(
                model_name='plan',
                name='storage_map',
                field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                        related_name='plans', to='mappings.storagemap'),
            ),
        ]),
    ]
