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
from providers.adapters.base import Endpoint
from providers.addresses import refusal
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
        # The URL as saved (the instance takes the submitted one before save()), for moved().
        self.stored_url = self.instance.url if self.instance.pk else None
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

    def moved(self) -> tuple[Endpoint, Endpoint | None] | None:
        """(the stored endpoint, the new one) when this edit points the provider at another host."""
        if self.stored_url is None or "url" not in self.cleaned_data:
            return None
        adapter = adapter_class(self.provider_type)
        before, after = adapter.endpoint(self.stored_url), adapter.endpoint(self.cleaned_data["url"])
        return (before, after) if before is not None and before != after else None

    def secret_fields_in_use(self) -> list[str]:
        """The secret fields this submission's sign-in needs (a type with several methods narrows it)."""
        return list(self.secret_fields)

    def kept_credentials(self) -> dict:
        """What of the stored Secret this submission keeps: all of it, but no secret for another host
        (a changed URL must never carry the old host's password to the new one)."""
        stored = self.instance.credentials() if self.instance.pk else {}
        if self.moved():
            secret_keys = set(self.secret_fields.values())
            stored = {k: v for k, v in stored.items() if k not in secret_keys}
        return stored

    def ask_secrets_again_if_moved(self) -> None:
        moved = self.moved()
        if moved is None:
            return
        before, after = moved
        stored = self.instance.credentials()
        for name in self.secret_fields_in_use():
            if stored.get(self.secret_fields[name]) and not self.cleaned_data.get(name):
                label = self.fields[name].label
                self.add_error(name, ValidationError(
                    f"The provider now points at {after or 'another host'} instead of {before}: enter the "
                    f"{label[0].lower() + label[1:]} again (a stored secret is never sent to another host).",
                    code="moved"))

    def credentials(self) -> dict:
        """The Secret after this submission: stored secrets kept unless a new value was given."""
        data = self.kept_credentials()
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
        if "url" in cleaned:
            url = cleaned["url"]  # an error added on the field takes it out of cleaned_data
            self.ask_secrets_again_if_moved()
            self.check_own_credentials(url)
            if message := refusal(self.user, adapter_class(self.provider_type).endpoint(url)):
                self.add_error("url", ValidationError(message, code="address"))
        if self.errors or not self.test_connection:
            return cleaned
        probe = Provider(type=self.provider_type, url=cleaned.get("url", ""), settings=self.provider_settings())
        probe.credentials = self.credentials  # test with what would be saved, without saving it
        try:
            adapter_class(self.provider_type)(probe).test_connection()
        except ProviderError as exc:
            raise ValidationError(exc.message, code="connection") from None
        return cleaned

    def check_own_credentials(self, url: str) -> None:
        """A provider that runs on mtvweb's own cluster credentials is a cluster admin's to make or
        change (a namespace admin would get mtvweb's rights), and there is only one (the host)."""
        if not adapter_class(self.provider_type).uses_own_credentials(url):
            return
        if self.user is not None and not self.user.is_superuser:
            self.add_error("url", ValidationError(
                "With this URL the provider would use mtvweb's own cluster credentials, which only cluster "
                "admins may hand out. Enter the URL and credentials of the cluster instead.", code="not_allowed"))
            return
        other = own_credentials_provider(exclude=self.instance.pk)
        if other is not None:
            self.add_error("url", ValidationError(
                f"Provider {other.namespace}/{other.name} already uses mtvweb's own cluster credentials; there is "
                "only one such provider. Use that one, or enter the URL and credentials of a cluster.",
                code="taken"))

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


def own_credentials_provider(exclude=None) -> Provider | None:
    """The provider that uses mtvweb's own cluster credentials (the host provider), if there is one."""
    for provider in Provider.objects.exclude(pk=exclude).only("pk", "type", "url", "namespace", "name").order_by("pk"):
        if adapter_class(provider.type).uses_own_credentials(provider.url):
            return provider
    return None
