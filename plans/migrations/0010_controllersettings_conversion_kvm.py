from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plans', '0009_plan_skip_guest_conversion'),
    ]

    operations = [
        migrations.AddField(
            model_name='controllersettings',
            name='conversion_kvm',
            field=models.BooleanField(default=True, help_text="The conversion Pods request devices.kubevirt.io/kvm, as Forklift's do, and run libguestfs on KVM. Off: for clusters without KubeVirt's KVM device plugin; the Pods then emulate (TCG), several times slower.", verbose_name='Guest conversion uses KVM'),
        ),
    ]
