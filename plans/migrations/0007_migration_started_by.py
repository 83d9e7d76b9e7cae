"""Migration.started_by: the engine checks that user's rights again before it touches the cluster
(plans.tenancy.run_refusal). Runs started before have none, and the engine refuses them: start them again."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("plans", "0006_maps_know_their_plans"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]
    operations = [migrations.AddField("migration", "started_by", models.ForeignKey(
        blank=True, null=True, on_delete=models.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL))]
