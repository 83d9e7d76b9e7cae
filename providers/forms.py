"""The provider form every type's form extends (providers/adapters/<type>/forms.py).

A type form declares its credential fields in `secret_fields` (stored encrypted in the
provider's Secret under their Forklift key names: user, password, thumbprint, cacert,
token…) and its settings in `setting_fields` (Provider.settings). Secret values are never
rendered back: an edit form shows them empty with an "unchanged" placeholder, and an empty
submission keeps the stored value.

Before anything is saved the form tests the connection with the type's adapter, so a
wrong password, thumbprint or CA is reported on the form and nothing half-made is left.
"""

from django import forms
from django.core.exceptions import ValidationError

from mtvweb.forms import NamespacedForm
from providers.adapters import ProviderError, adapter_class
from providers.models import Provider

UNCHANGED = "unchanged"


class ProviderForm(NamespacedForm):
    provider_type: str = ""
    # form field name → Forklift secret key
    secret_fields: dict[str, str] = {}
    # form field name → Forklift settings key
    setting_fields: dict[str, str] = {}
    # form fields whose values are credentials but not secret (e.g. user name): stored in the Secret, shown back
    credential_fields: dict[str, str] = {}
    test_connection = True
    # Fields whose change re-renders the form (e.g. OpenStack's authentication type shows other fields).
    rerender_on: list[str] = []
    # Fields that may travel in the URL when the form is re-rendered (never secrets).
    rerender_keep = ["name", "namespace", "url"]

    class Meta:
        model = Provider
        fields = ["name", "namespace", "url"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.type = self.provider_type
        stored = self.instance.credentials() if self.instance.pk else {}
        for name, key in self.credential_fields.items():
            self.fields[name].initial = stored.get(key, self.fields[name].initial)
        for name, key in self.setting_fields.items():
            self.fields[name].initial = (self.instance.settings or {}).get(key, self.fields[name].initial)
        for name, key in self.secret_fields.items():
            field = self.fields[name]
            field.widget = forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})
            if stored.get(key):
                field.required = False
                field.widget.attrs["placeholder"] = UNCHANGED
                field.help_text = (field.help_text + " " if field.help_text else "") + "Leave empty to keep the stored value."

    def credentials(self) -> dict:
        """The Secret after this submission: stored secrets kept unless a new value was given."""
        data = self.instance.credentials() if self.instance.pk else {}
        for name, key in self.credential_fields.items():
            data[key] = self.cleaned_data.get(name)
        for name, key in self.secret_fields.items():
            value = self.cleaned_data.get(name)
            if value:
                data[key] = value
        return {k: v for k, v in data.items() if v not in (None, "", False)}

    def provider_settings(self) -> dict:
        settings = dict(self.instance.settings or {})
        for name, key in self.setting_fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                settings.pop(key, None)
            else:
                settings[key] = value
        return settings

    def clean(self):
        cleaned = super().clean()
        if self.errors or not self.test_connection:
            return cleaned
        probe = Provider(type=self.provider_type, url=cleaned.get("url", ""), settings=self.provider_settings())
        probe.credentials = self.credentials  # test with what would be saved, without saving it
        try:
            adapter_class(self.provider_type)(probe).test_connection()
        except ProviderError as exc:
            raise ValidationError(exc.message, code="connection") from None
        return cleaned

    def save(self, commit=True):
        provider = super().save(commit=False)
        provider.type = self.provider_type
        provider.settings = self.provider_settings()
        provider.set_credentials(self.credentials())
        provider.status = Provider.Status.STAGING if not provider.pk else provider.status
        provider.status_message = ""
        if commit:
            provider.save()
        return provider
