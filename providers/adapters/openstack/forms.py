"""The OpenStack provider form (guide §4.4.1.3): Keystone URL, one of five sign-in methods with only
its own fields, and how to trust the server's certificate."""

from __future__ import annotations

from urllib.parse import urlsplit

from cryptography import x509
from django import forms
from django.core.exceptions import ValidationError

from providers.adapters.openstack import auth
from providers.forms import ProviderForm

# form field → Forklift Secret key
FIELD_KEYS = {
    "username": "username",
    "password": "password",
    "token": "token",
    "user_id": "userID",
    "project_id": "projectID",
    "project_name": "projectName",
    "domain_name": "domainName",
    "application_credential_id": "applicationCredentialID",
    "application_credential_name": "applicationCredentialName",
    "application_credential_secret": "applicationCredentialSecret",
    "region_name": "regionName",
}
KEY_FIELDS = {key: name for name, key in FIELD_KEYS.items()}
SECRET_FIELDS = {"password", "token", "application_credential_secret"}
TLS_FIELDS = ["insecure_skip_verify", "cacert"]
URL_EXAMPLE = "https://controller:5000/v3"


def text(label: str, help_text: str = "", **kwargs) -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text, required=False, max_length=2048, **kwargs)


class OpenStackProviderForm(ProviderForm):
    provider_type = "openstack"
    rerender_on = ["auth_method"]
    # Which fields each sign-in method shows, in order (the page switches them with the method).
    method_fields = {method: [KEY_FIELDS[key] for key in keys] for method, keys in auth.METHOD_KEYS.items()}
    secret_fields = {name: FIELD_KEYS[name] for name in SECRET_FIELDS}
    credential_fields = {**{n: k for n, k in FIELD_KEYS.items() if n not in SECRET_FIELDS}, "cacert": "cacert"}

    auth_method = forms.ChoiceField(label="Authentication type", choices=list(auth.METHOD_LABELS.items()),
                                    initial=auth.PASSWORD)
    username = text("User name", "OS_USERNAME in your OpenStack RC file.")
    password = text("Password", strip=False)
    token = text("Token", "From `openstack token issue`; it must be scoped to the project.")
    user_id = text("User ID", "The user_id printed by `openstack token issue`.")
    project_id = text("Project ID", "The project_id printed by `openstack token issue` (OS_PROJECT_ID).")
    project_name = text("Project", "The project whose VMs to migrate (OS_PROJECT_NAME).")
    domain_name = text("Domain name", "The domain of the user and the project (OS_USER_DOMAIN_NAME), "
                       "e.g. Default.")
    application_credential_id = text("Application credential ID")
    application_credential_name = text("Application credential name")
    application_credential_secret = text("Application credential secret")
    region_name = text("Region", "OS_REGION_NAME; may stay empty when the cloud has one region.")
    insecure_skip_verify = forms.BooleanField(
        label="Skip certificate validation", required=False,
        help_text="Migrate without checking the server certificate: data may travel over an insecure connection.")
    cacert = forms.CharField(
        label="CA certificate", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="PEM of the CA that signed the Keystone certificate; empty to use the system's trusted CAs.")

    class Meta(ProviderForm.Meta):
        labels = {"url": "URL"}
        help_texts = {"url": f"The Keystone (identity) v3 endpoint, OS_AUTH_URL in your RC file, "
                             f"e.g. {URL_EXAMPLE}."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.credentials() if self.instance.pk else {}
        if stored:
            self.fields["auth_method"].initial = auth.method_of(stored)
            insecure = str(stored.get("insecureSkipVerify")).lower() == "true"
            self.fields["insecure_skip_verify"].initial = insecure
        method = self.current_method()
        for name in self.method_fields[method]:
            field = self.fields[name]
            has_stored_secret = name in SECRET_FIELDS and stored.get(FIELD_KEYS[name])
            if FIELD_KEYS[name] not in auth.OPTIONAL_KEYS and not has_stored_secret:
                field.required = True
                field.error_messages["required"] = (
                    f"Enter the {field.label[0].lower() + field.label[1:]}: "
                    f"“{auth.METHOD_LABELS[method]}” authentication needs it.")
        for name, field in self.fields.items():
            methods = [m for m, names in self.method_fields.items() if name in names]
            if methods:
                field.widget.attrs["data-auth-methods"] = " ".join(methods)

    def current_method(self) -> str:
        """The method being edited: the submitted one, else the stored one, else password."""
        if self.is_bound:
            chosen = self.data.get(self.add_prefix("auth_method"))
            if chosen in self.method_fields:
                return chosen
        initial = self.initial.get("auth_method") or self.fields["auth_method"].initial
        return initial if initial in self.method_fields else auth.PASSWORD

    def visible_field_names(self) -> list[str]:
        common = [n for n in self.fields if n not in FIELD_KEYS and n not in TLS_FIELDS]
        return common + self.method_fields[self.current_method()] + TLS_FIELDS

    def __iter__(self):
        """Render only the chosen method's fields (the others keep their values out of the Secret)."""
        for name in self.visible_field_names():
            yield self[name]

    def visible_fields(self):
        return [self[name] for name in self.visible_field_names() if not self.fields[name].widget.is_hidden]

    def secret_fields_in_use(self) -> list[str]:
        return [name for name in self.method_fields[self.current_method()] if name in SECRET_FIELDS]

    def clean_url(self) -> str:
        url = (self.cleaned_data.get("url") or "").strip().rstrip("/")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValidationError(f"Enter the Keystone URL with http:// or https:// and a host, "
                                  f"e.g. {URL_EXAMPLE}.")
        if parts.path.endswith("/v2.0"):
            raise ValidationError(f"Keystone v2.0 is not supported: use the v3 endpoint, e.g. {URL_EXAMPLE}.")
        if not parts.path.endswith("/v3"):
            raise ValidationError(f"The Keystone URL ends with /v3 (OS_AUTH_URL in your OpenStack RC file), "
                                  f"e.g. {URL_EXAMPLE}.")
        return url

    def clean_cacert(self) -> str:
        pem = (self.cleaned_data.get("cacert") or "").strip()
        if not pem:
            return ""
        try:
            x509.load_pem_x509_certificates(pem.encode())
        except ValueError:
            raise ValidationError("This is not a PEM certificate: paste the CA certificate including the "
                                  "-----BEGIN CERTIFICATE----- and -----END CERTIFICATE----- lines.") from None
        return pem + "\n"

    def credentials(self) -> dict:
        """Only the chosen method's keys: switching methods drops the other method's secrets."""
        method = self.cleaned_data.get("auth_method") or self.current_method()
        stored = self.kept_credentials()
        data = {"authType": auth.AUTH_TYPES[method]}
        for name in self.method_fields[method]:
            key = FIELD_KEYS[name]
            value = self.cleaned_data.get(name) or (stored.get(key) if name in SECRET_FIELDS else "")
            if value:
                data[key] = value
        if self.cleaned_data.get("insecure_skip_verify"):
            data["insecureSkipVerify"] = "true"
        elif self.cleaned_data.get("cacert"):
            data["cacert"] = self.cleaned_data["cacert"]
        return data
