"""The map forms: name, project, source and target provider (ModelForm) plus the rows, given as
`pairs` (specs from mappings.pairs). The console, the REST API and the plan wizard all save
through these, so every way in gives the same messages."""

from django.db import transaction

from mappings import pairs as p
from mappings.kinds import NETWORK, STORAGE
from mappings.models import NetworkMap, StorageMap
from mtvweb.forms import NamespacedForm
from providers.adapters import target_types
from providers.models import Provider

MAP_FIELDS = ["name", "namespace", "source_provider", "destination_provider"]


class MapForm(NamespacedForm):
    kind = None  # the mappings.kinds.MapKind

    def __init__(self, *args, pairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Provider.objects.restrict(self.user, "use")
        source, target = self.fields["source_provider"], self.fields["destination_provider"]
        source.queryset = visible
        target.queryset = visible.filter(type__in=target_types())
        source.label, target.label = "Source provider", "Target provider"
        source.error_messages["invalid_choice"] = "Choose a source provider you may use."
        target.error_messages["invalid_choice"] = ("Choose an OpenShift Virtualization provider you may use as the "
                                                   "target.")
        target.help_text = "OpenShift Virtualization providers only: the cluster the VMs move to."
        self.pairs = list(pairs) if pairs is not None else self.kind.specs_of(self.instance)
        self.pair_errors: p.Errors = {}

    def clean(self):
        cleaned = super().clean()
        name, namespace = cleaned.get("name"), cleaned.get("namespace")
        same = type(self.instance).objects.filter(name=name, namespace=namespace).exclude(pk=self.instance.pk)
        if name and namespace and same.exists():
            self.add_error("name", f"A {self.kind.model._meta.verbose_name} named {name} already exists in project "
                                   f"{namespace}: choose another name.")
        source, target = cleaned.get("source_provider"), cleaned.get("destination_provider")
        if source and target:
            self.pair_errors = self.kind.validate(source, target, self.pairs, user=self.user)
            if not self.pair_errors:
                self.kind.fill_defaults(target, self.pairs)
        return cleaned

    def is_valid(self) -> bool:
        return super().is_valid() and not self.pair_errors

    def save(self, commit=True):
        with transaction.atomic():
            obj = super().save()
            obj.pairs.all().delete()
            self.kind.pair_model.objects.bulk_create(self.kind.pair_model(map=obj, **pair.to_json())
                                                     for pair in self.pairs)
            obj.save(update_fields=["updated"])  # plans using the map see it changed (plans.status)
        return obj


class NetworkMapForm(MapForm):
    kind = NETWORK

    class Meta:
        model = NetworkMap
        fields = MAP_FIELDS


class StorageMapForm(MapForm):
    kind = STORAGE

    class Meta:
        model = StorageMap
        fields = MAP_FIELDS


FORMS = {form.kind: form for form in (NetworkMapForm, StorageMapForm)}
