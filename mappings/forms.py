"""The map forms: name, project, source and target provider (ModelForm) plus the rows, given as
`pairs` (specs from mappings.pairs). The console, the REST API and the plan wizard all save
through these, so every way in gives the same messages."""

from django.db import transaction

from mappings import pairs as p
from mappings.models import NetworkMap, NetworkPair, StorageMap, StoragePair
from mtvweb.forms import NamespacedForm
from providers.models import Provider

MAP_FIELDS = ["name", "namespace", "source_provider", "destination_provider"]


class MapForm(NamespacedForm):
    pair_model = None
    verbose = ""

    def __init__(self, *args, pairs=None, **kwargs):
        super().__init__(*args, **kwargs)
        visible = Provider.objects.restrict(self.user, "view")
        source, target = self.fields["source_provider"], self.fields["destination_provider"]
        source.queryset = visible
        target.queryset = visible.filter(type=Provider.Type.OPENSHIFT)
        source.label, target.label = "Source provider", "Target provider"
        source.error_messages["invalid_choice"] = "Choose a source provider you may use."
        target.error_messages["invalid_choice"] = ("Choose an OpenShift Virtualization provider you may use as the "
                                                   "target.")
        target.help_text = "OpenShift Virtualization providers only: the cluster the VMs move to."
        self.pairs = list(pairs) if pairs is not None else p.specs_of(self.instance)
        self.pair_errors: p.Errors = {}

    def validate_pairs(self, source, target) -> p.Errors:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        name, namespace = cleaned.get("name"), cleaned.get("namespace")
        same = type(self.instance).objects.filter(name=name, namespace=namespace).exclude(pk=self.instance.pk)
        if name and namespace and same.exists():
            self.add_error("name", f"A {self.verbose} named {name} already exists in project {namespace}: choose "
                                   "another name.")
        source, target = cleaned.get("source_provider"), cleaned.get("destination_provider")
        if source and target:
            self.pair_errors = self.validate_pairs(source, target)
        return cleaned

    def is_valid(self) -> bool:
        return super().is_valid() and not self.pair_errors

    def pair_rows(self, pair) -> dict:
        raise NotImplementedError

    def save(self, commit=True):
        with transaction.atomic():
            obj = super().save()
            obj.pairs.all().delete()
            self.pair_model.objects.bulk_create(self.pair_model(map=obj, **self.pair_rows(pair)) for pair in self.pairs)
            obj.save(update_fields=["updated"])  # plans using the map see it changed (plans.status)
        return obj


class NetworkMapForm(MapForm):
    pair_model = NetworkPair
    verbose = "network map"

    class Meta:
        model = NetworkMap
        fields = MAP_FIELDS

    def validate_pairs(self, source, target):
        return p.validate_network_pairs(source, target, self.pairs)

    def pair_rows(self, pair):
        return {"source_id": pair.source_id, "source_name": pair.source_name,
                "destination_type": pair.destination_type, "destination_namespace": pair.destination_namespace,
                "destination_name": pair.destination_name}


class StorageMapForm(MapForm):
    pair_model = StoragePair
    verbose = "storage map"

    class Meta:
        model = StorageMap
        fields = MAP_FIELDS

    def validate_pairs(self, source, target):
        errors = p.validate_storage_pairs(source, target, self.pairs)
        if not errors:
            p.fill_default_modes(target, self.pairs)
        return errors

    def pair_rows(self, pair):
        return {"source_id": pair.source_id, "source_name": pair.source_name, "storage_class": pair.storage_class,
                "access_mode": pair.access_mode, "volume_mode": pair.volume_mode}
