from mtvweb.forms import NamespacedForm
from providers.models import Provider


class ProviderForm(NamespacedForm):
    class Meta:
        model = Provider
        fields = ["name", "namespace", "type", "url"]
