"""Maps in and out of the REST API, in the shape of Forklift's NetworkMap and StorageMap specs
(guide §5.3):

    {"id": 3, "name": "vmware-nets", "namespace": "team-a",
     "provider": {"source": {"id": 1, "name": "vcenter", "namespace": "team-a", "type": "vsphere"},
                  "destination": {"id": 2, "name": "host", "namespace": "openshift-mtv", "type": "openshift"}},
     "map": [{"source": {"id": "network-6", "name": "VM Network"}, "destination": {"type": "pod"}},
             {"source": {"id": "dvportgroup-113", "name": "DPG-Prod"},
              "destination": {"type": "multus", "name": "vlan-100", "namespace": "mtv-user"}}]}

    storage entries: {"source": {"id": "datastore-102", "name": "LocalDS_0"},
                      "destination": {"storageClass": "thin", "accessMode": "ReadWriteOnce",
                                      "volumeMode": "Block"}}

Input takes the same (or a whole manifest: metadata + spec). Providers are given by id or by
name and namespace; a source by id or by name (a NAD of a source `named_by_namespace` by
namespace and name, the pod network of one that `has_pod_network` as {"type": "pod"}); a multus
destination's name may be "namespace/name".

The same entries, in their `manifest` form, are the map of plans.manifests' NetworkMap and
StorageMap: empty source ids and names left out, a multus destination's type last.
"""

from __future__ import annotations

from mappings.pairs import MULTUS, NetworkPairSpec, StoragePairSpec
from mappings.sources import POD, network_noun, source_networks, source_storages, storage_noun
from providers.adapters import adapter_class
from providers.models import InventoryObject, Provider

# Row fields (mappings.pairs) → the names the API reports them under.
API_FIELDS = {"source": "source", "destination": "destination", "storage_class": "storageClass",
              "access_mode": "accessMode", "volume_mode": "volumeMode"}
FORM_FIELDS = {"source_provider": "provider.source", "destination_provider": "provider.destination"}


class ShapeError(Exception):
    def __init__(self, errors: dict):
        super().__init__(str(errors))
        self.errors = errors


def when(value) -> str | None:
    return value.isoformat() if value else None


def provider_ref(provider: Provider) -> dict:
    return {"id": provider.pk, "name": provider.name, "namespace": provider.namespace, "type": provider.type}


def _plain_source(spec, manifest: bool) -> dict:
    source = {"id": spec.source_id, "name": spec.source_name}
    return {k: v for k, v in source.items() if v} if manifest else source


def network_entry(spec: NetworkPairSpec, source: Provider, paths: dict, manifest: bool = False) -> dict:
    """paths: the source's NADs' inventory paths by id, for a source `named_by_namespace`."""
    adapter = adapter_class(source.type)
    if adapter.has_pod_network and spec.source_id == POD:
        entry_source = {"type": "pod"}
    elif adapter.named_by_namespace:
        namespace, _, name = paths.get(spec.source_id, "").strip("/").partition("/")
        entry_source = {"id": spec.source_id, "name": name or spec.source_name, "namespace": namespace,
                        "type": "multus"}
    else:
        entry_source = _plain_source(spec, manifest)
    destination = {"type": spec.destination_type}
    if spec.destination_type == MULTUS:
        nad = {"name": spec.destination_name, "namespace": spec.destination_namespace}
        destination = {**nad, "type": MULTUS} if manifest else {**destination, **nad}
    return {"source": entry_source, "destination": destination}


def network_entries(network_map, specs, manifest: bool = False) -> list[dict]:
    source = network_map.source_provider
    paths = {}
    if adapter_class(source.type).named_by_namespace:
        paths = dict(InventoryObject.objects.filter(provider=source, kind="network").values_list("uid", "path"))
    return [network_entry(s, source, paths, manifest) for s in specs]


def storage_entry(spec: StoragePairSpec, manifest: bool = False) -> dict:
    destination = {"storageClass": spec.storage_class}
    if spec.access_mode:
        destination["accessMode"] = spec.access_mode
    if spec.volume_mode:
        destination["volumeMode"] = spec.volume_mode
    return {"source": _plain_source(spec, manifest), "destination": destination}


def storage_entries(storage_map, specs, manifest: bool = False) -> list[dict]:
    return [storage_entry(s, manifest) for s in specs]


def map_record(kind, obj) -> dict:
    """kind: the map's mappings.kinds.MapKind."""
    return {"id": obj.pk, "name": obj.name, "namespace": obj.namespace,
            "provider": {"source": provider_ref(obj.source_provider),
                         "destination": provider_ref(obj.destination_provider)},
            "map": kind.entries(obj), "created": when(obj.created), "updated": when(obj.updated)}


def api_errors(errors: dict) -> dict:
    """MapInvalid.errors in the API's names: form fields as above, rows as a list of
    {"index": i, <field>: [messages]} in input order."""
    result = {FORM_FIELDS.get(k, k): v for k, v in errors.items() if k != "map"}
    if "map" in errors:
        result["map"] = [{"index": index, **{API_FIELDS.get(f, f): m for f, m in fields.items()}}
                         for index, fields in sorted(errors["map"].items())]
    return result


# --- input ---------------------------------------------------------------------------------


def unwrap(data) -> dict:
    """The body as {name, namespace, provider, map}, also from a whole manifest."""
    if not isinstance(data, dict):
        raise ShapeError({"detail": ["Send a JSON object with name, namespace, provider and map."]})
    if isinstance(data.get("spec"), dict):
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        return {**{k: v for k, v in meta.items() if k in ("name", "namespace")}, **data["spec"]}
    return data


def find_provider(user, ref, role: str):
    """The provider a ref names among those the user may use; (provider, error message)."""
    if not isinstance(ref, dict) or not (ref.get("id") or ref.get("name")):
        return None, f"Give the {role} provider as {{\"id\": …}} or {{\"name\": …, \"namespace\": …}}."
    visible = Provider.objects.restrict(user, "use")
    if ref.get("id"):
        try:
            found = visible.filter(pk=int(ref["id"])).first()
        except (TypeError, ValueError):
            found = None
        described = f"with id {ref['id']}"
    else:
        found = visible.filter(name=ref.get("name"), namespace=ref.get("namespace") or "").first()
        described = f"{ref.get('namespace') or '(no namespace)'}/{ref.get('name')}"
    if found is None:
        return None, f"There is no {role} provider {described} that you may use: check its name and project."
    return found, ""


def _source_id(entry_source, endpoints, source: Provider, noun: str, namespaced: bool) -> tuple[str, str, str]:
    """(id, name, error) of the source an entry names; namespaced: its name may come as
    namespace and name."""
    if not isinstance(entry_source, dict):
        return "", "", f"Give the source {noun} as {{\"id\": …}} or {{\"name\": …}}."
    if entry_source.get("id"):
        return str(entry_source["id"]), "", ""
    if adapter_class(source.type).has_pod_network and entry_source.get("type") == "pod":
        return POD, "", ""
    name = str(entry_source.get("name") or "")
    if namespaced and entry_source.get("namespace"):
        name = f"{entry_source['namespace']}/{name}"
    if not name:
        return "", "", ""
    matches = [e for e in endpoints if name in (e.name, e.label)]
    if len(matches) > 1:
        paths = ", ".join(e.path or e.id for e in matches)
        return "", "", f"{len(matches)} {noun}s are named {name} ({paths}): give the id of the one you mean."
    return (matches[0].id, matches[0].name, "") if matches else (name, name, "")


def _entries(data) -> list:
    entries = data.get("map", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ShapeError({"map": ["Give map as a list of {\"source\": …, \"destination\": …} entries."]})
    return entries


def network_specs(data: dict, source: Provider, user) -> list[NetworkPairSpec]:
    endpoints, specs, errors = source_networks(source, user), [], []
    namespaced = adapter_class(source.type).named_by_namespace
    for index, entry in enumerate(_entries(data)):
        source_id, name, error = _source_id(entry.get("source"), endpoints, source, network_noun(), namespaced)
        destination = entry.get("destination") if isinstance(entry.get("destination"), dict) else {}
        kind = str(destination.get("type") or "")
        namespace, dest_name = str(destination.get("namespace") or ""), str(destination.get("name") or "")
        if kind == MULTUS and not namespace and "/" in dest_name:
            namespace, _, dest_name = dest_name.partition("/")
        if error:
            errors.append({"index": index, "source": [error]})
        specs.append(NetworkPairSpec(source_id, kind, namespace, dest_name, name))
    if errors:
        raise ShapeError({"map": errors})
    return specs


def storage_specs(data: dict, source: Provider, user) -> list[StoragePairSpec]:
    endpoints, specs, errors = source_storages(source, user), [], []
    for index, entry in enumerate(_entries(data)):
        source_id, name, error = _source_id(entry.get("source"), endpoints, source, storage_noun(source), False)
        destination = entry.get("destination") if isinstance(entry.get("destination"), dict) else {}
        if error:
            errors.append({"index": index, "source": [error]})
        specs.append(StoragePairSpec(source_id, str(destination.get("storageClass") or ""),
                                     str(destination.get("accessMode") or ""),
                                     str(destination.get("volumeMode") or ""), name))
    if errors:
        raise ShapeError({"map": errors})
    return specs
