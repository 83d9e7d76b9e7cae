from urllib.parse import urlsplit

from cryptography import x509
from django import forms
from django.core.exceptions import ValidationError

from providers.forms import ProviderForm
from providers.kube import host_configured
from providers.models import InventoryObject

POD_NETWORK = ("", "Pod network (default)")


class OpenShiftProviderForm(ProviderForm):
    """Guide §4.4.1.5 / §4.4.2.1: the API server URL and a service account bearer token (both empty:
    the cluster mtvweb runs on), the CA certificate or "skip certificate validation"; §4.4.2.2: the
    default migration (transfer) network, one of the cluster's NetworkAttachmentDefinitions."""

    provider_type = "openshift"
    url = forms.CharField(
        label="URL", required=False,
        help_text="The API server's URL, for example https://api.cluster.example.com:6443. "
                  "Leave URL and token empty for the cluster mtvweb runs on.",
    )
    token = forms.CharField(
        label="Service account bearer token", required=False,
        help_text="The token of a service account with the cluster-admin role.",
    )
    cacert = forms.CharField(
        label="CA certificate", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The PEM certificate of the CA that signed the API server's certificate. Empty: the system CAs.",
    )
    insecure_skip_verify = forms.BooleanField(
        label="Skip certificate validation", required=False,
        help_text="Connect without checking the API server's certificate.",
    )
    transfer_network = forms.ChoiceField(
        label="Migration network", required=False, choices=[POD_NETWORK],
        help_text="The NetworkAttachmentDefinition disks are transferred over by default (guide §4.4.2.2). "
                  "The list fills once the provider's inventory is loaded.",
    )
    credential_fields = {"cacert": "cacert", "insecure_skip_verify": "insecureSkipVerify"}
    secret_fields = {"token": "token"}
    setting_fields = {"transfer_network": "transferNetwork"}

    class Meta(ProviderForm.Meta):
        fields = ["name", "namespace", "url", "token", "cacert", "insecure_skip_verify", "transfer_network"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["insecure_skip_verify"].initial = self.fields["insecure_skip_verify"].initial == "true"
        self.fields["transfer_network"].choices = [POD_NETWORK, *self.network_choices()]

    def network_choices(self) -> list[tuple[str, str]]:
        """The cluster's NADs as `namespace/name`, from the provider's inventory (and the stored choice)."""
        choices = []
        if self.instance.pk:
            paths = InventoryObject.objects.filter(provider=self.instance, kind="network").values_list("path", flat=True)
            choices = sorted(p.strip("/") for p in paths)
        current = (self.instance.settings or {}).get("transferNetwork")
        if current and current not in choices:
            choices.append(current)
        return [(c, c) for c in choices]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url:
            return ""
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme != "https":
            raise ValidationError("Use an https:// URL: Kubernetes API servers are served over TLS.")
        if not parts.hostname:
            raise ValidationError("Enter the API server's URL, for example https://api.cluster.example.com:6443.")
        if parts.query or parts.fragment:
            raise ValidationError(f"Remove the ?query or #fragment: use https://{parts.netloc}.")
        return f"https://{parts.netloc}{parts.path.rstrip('/')}"

    def clean_cacert(self):
        pem = self.cleaned_data["cacert"].strip()
        if not pem:
            return ""
        try:
            x509.load_pem_x509_certificates(pem.encode())
        except ValueError:
            raise ValidationError(
                "This is not a PEM certificate. Paste the CA certificate including its -----BEGIN CERTIFICATE----- "
                "and -----END CERTIFICATE----- lines."
            ) from None
        return pem + "\n"

    def clean(self):
        url = self.cleaned_data.get("url")
        typed = self.cleaned_data.get("token")
        stored = self.instance.credentials().get("token") if self.instance.pk else None
        if "url" not in self.cleaned_data:
            pass  # clean_url reported the problem
        elif url and not (typed or stored):
            self.add_error("token", "Enter the service account's bearer token for this URL.")
        elif typed and not url:
            self.add_error("url", "Enter the API server's URL for this token, or clear the token to use the "
                                  "cluster mtvweb runs on.")
        elif not url and not host_configured():
            self.add_error("url", "mtvweb runs without a host cluster (MTVWEB_KUBECONFIG is not set): enter the "
                                  "URL and token of the cluster.")
        return super().clean()

    def credentials(self) -> dict:
        data = super().credentials()
        if not self.cleaned_data.get("url"):
            return {}  # the host cluster: mtvweb's own credentials, nothing to store
        if self.cleaned_data.get("insecure_skip_verify"):
            data["insecureSkipVerify"] = "true"
        else:
            data.pop("insecureSkipVerify", None)
        return data
