from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0008_migrationvm_owner'),
    ]

    operations = [
        migrations.AddField(
            model_name='plan',
            name='skip_guest_conversion',
            field=models.BooleanField(default=False),
        ),
    ]
