from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from providers.adapters.vsphere.client import normalize_thumbprint
from providers.forms import ProviderForm


class VSphereProviderForm(ProviderForm):
    """Guide §4.4.1.1: URL of the SDK endpoint, VDDK init image, user, password, SHA-1 thumbprint,
    and whether to skip certificate validation (otherwise the system CAs are used)."""

    provider_type = "vsphere"
    url = forms.URLField(
        label="URL", assume_scheme="https",
        help_text="The vCenter SDK endpoint, for example https://vcenter.example.com/sdk.",
    )
    vddk_init_image = forms.CharField(
        label="VDDK init image", required=False,
        help_text="Registry path of your VDDK image (guide §2.7.1). Without it disks are read over HTTPS, "
                  "which is slower.",
    )
    user = forms.CharField(label="User name", help_text="A vCenter user, for example user@vsphere.local.")
    password = forms.CharField(label="Password")
    thumbprint = forms.CharField(
        label="SHA-1 thumbprint", max_length=95,
        help_text="The SHA-1 fingerprint of vCenter's certificate. Use \"Fetch\" to read it from the server, "
                  "and compare it with what your vCenter administrator gives you.",
    )
    insecure_skip_verify = forms.BooleanField(
        label="Skip certificate validation", required=False,
        help_text="Do not check the certificate against the system CAs (the thumbprint is still checked).",
    )
    credential_fields = {"user": "user", "thumbprint": "thumbprint", "insecure_skip_verify": "insecureSkipVerify"}
    secret_fields = {"password": "password"}
    setting_fields = {"vddk_init_image": "vddkInitImage"}

    class Meta(ProviderForm.Meta):
        fields = ["name", "namespace", "url", "vddk_init_image", "user", "password", "thumbprint",
                  "insecure_skip_verify"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise ValidationError("Use an https:// URL: vCenter serves its SDK over TLS.")
        if not parts.path.rstrip("/").endswith("/sdk"):
            raise ValidationError(
                f"The URL must end with the SDK path, for example https://{parts.netloc}/sdk (guide §4.4.1.1)."
            )
        return url.rstrip("/")

    def clean_thumbprint(self):
        value = normalize_thumbprint(self.cleaned_data["thumbprint"])
        if len(value) != 59:
            raise ValidationError(
                "A SHA-1 thumbprint has 20 pairs of hexadecimal digits, like 3B:6E:...:A1; check what you pasted."
            )
        return value

    def credentials(self) -> dict:
        data = super().credentials()
        if self.cleaned_data.get("insecure_skip_verify"):
            data["insecureSkipVerify"] = "true"
        else:
            data.pop("insecureSkipVerify", None)
        return data
