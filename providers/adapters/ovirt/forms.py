from urllib.parse import urlsplit

from cryptography import x509
from django import forms
from django.core.exceptions import ValidationError

from providers.adapters.ovirt.client import API_PATH, CA_PATH
from providers.forms import ProviderForm

MAX_CA_BYTES = 256 * 1024


class OvirtProviderForm(ProviderForm):
    """Guide §4.4.1.2: the engine API URL, user name, password, and either "skip certificate
    validation" or the engine CA certificate (pasted or uploaded)."""

    provider_type = "ovirt"
    url = forms.URLField(
        label="URL", assume_scheme="https",
        help_text=f"The engine's API endpoint, for example https://rhvm.example.com{API_PATH}.",
    )
    user = forms.CharField(label="User name", help_text="An engine user with its profile, for example admin@internal.")
    password = forms.CharField(label="Password")
    insecure_skip_verify = forms.BooleanField(
        label="Skip certificate validation", required=False,
        help_text="Connect without checking the engine's certificate. Data then travels over a connection "
                  "that could be intercepted.",
    )
    cacert = forms.CharField(
        label="CA certificate", required=False, widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=f"The engine CA in PEM form, from https://<engine>{CA_PATH} (or the Apache CA when the engine "
                  "uses a third-party certificate). Paste it here or upload the file below.",
    )
    cacert_file = forms.FileField(label="CA certificate file", required=False)
    credential_fields = {"user": "user", "cacert": "cacert", "insecure_skip_verify": "insecureSkipVerify"}
    secret_fields = {"password": "password"}

    class Meta(ProviderForm.Meta):
        fields = ["name", "namespace", "url", "user", "password", "insecure_skip_verify", "cacert", "cacert_file"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        parts = urlsplit(url)
        if parts.scheme != "https":
            raise ValidationError("Use an https:// URL: the engine serves its API over TLS.")
        if parts.path.rstrip("/") != API_PATH:
            raise ValidationError(
                f"The URL must be the engine's API endpoint, ending with {API_PATH}, for example "
                f"https://{parts.netloc}{API_PATH} (guide §4.4.1.2).")
        return url.rstrip("/")

    def clean_cacert_file(self):
        upload = self.cleaned_data.get("cacert_file")
        if not upload:
            return ""
        if upload.size > MAX_CA_BYTES:
            raise ValidationError("That file is too large to be a CA certificate; choose the PEM file.")
        try:
            return upload.read().decode("ascii")
        except UnicodeDecodeError:
            raise ValidationError("That file is not a PEM certificate (it is binary); choose the PEM file.") from None

    def clean(self):
        cleaned = self.cleaned_data
        if cleaned.get("cacert_file"):
            cleaned["cacert"] = cleaned["cacert_file"]
        if cleaned.get("insecure_skip_verify"):
            cleaned["cacert"] = ""  # not used when checks are skipped; don't keep a stale one
        elif not cleaned.get("cacert", "").strip():
            self.add_error("cacert", (
                "Give the engine's CA certificate, or choose \"Skip certificate validation\". Download it from "
                f"{self.ca_hint()}."))
        elif error := pem_problem(cleaned["cacert"]):
            self.add_error("cacert", error)
        else:
            cleaned["cacert"] = cleaned["cacert"].strip() + "\n"
        return super().clean()

    def ca_hint(self) -> str:
        netloc = urlsplit(self.cleaned_data.get("url") or "").netloc or "<engine>"
        return f"https://{netloc}{CA_PATH}"

    def credentials(self) -> dict:
        data = super().credentials()
        if self.cleaned_data.get("insecure_skip_verify"):
            data["insecureSkipVerify"] = "true"
            data.pop("cacert", None)
        else:
            data.pop("insecureSkipVerify", None)
        return data


def pem_problem(text: str) -> str:
    """Why text is not a usable PEM CA certificate, or "" when it is."""
    if "-----BEGIN CERTIFICATE-----" not in text:
        return "This is not a PEM certificate: it must contain -----BEGIN CERTIFICATE-----."
    try:
        x509.load_pem_x509_certificates(text.strip().encode())
    except ValueError:
        return "The certificate text is damaged (it could not be read); copy the whole PEM block again."
    return ""
