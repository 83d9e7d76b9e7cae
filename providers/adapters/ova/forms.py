from django import forms
from django.core.exceptions import ValidationError

from providers.adapters.ova.client import EXAMPLE, parse_share_url
from providers.forms import ProviderForm


class OvaProviderForm(ProviderForm):
    """Guide §4.4.1.4: a name and the NFS share that holds the OVA files (`server:/path`).

    Saving scans the share once through a Pod on the host cluster, so a share the cluster
    cannot mount or read is reported here instead of after saving."""

    provider_type = "ova"
    url = forms.CharField(
        label="NFS share", max_length=2048,
        help_text=f"The NFS export holding the OVA files, as server:/path — for example {EXAMPLE}. "
                  ".ova files are found in its root folder and first sub-folder level, extracted .ovf "
                  "folders down to the second level (guide §2.8).",
    )
    # Forklift's OVA Secret holds the share as `url` (guide §5, Secret manifest note).
    credential_fields = {"url": "url"}

    class Meta(ProviderForm.Meta):
        fields = ["name", "namespace", "url"]

    def clean_url(self):
        try:
            return parse_share_url(self.cleaned_data["url"]).url
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid") from None
