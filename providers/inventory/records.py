"""Inventory rows as the records the inventory API serves and the validation policies read."""

from providers.models import InventoryObject, VirtualMachine


def object_record(provider, collection: str, row) -> dict:
    record = {**row.data, "id": row.uid, "name": row.name, "path": row.path, "revision": row.revision,
              "selfLink": f"{provider_link(provider)}/{collection}/{row.uid}"}
    if isinstance(row, VirtualMachine):
        record.update({"concerns": row.concerns, "revisionValidated": row.revision_validated,
                       "policyVersion": row.policy_version})
    return record


def provider_link(provider) -> str:
    return f"providers/{provider.type}/{provider.uid}"


def related_objects(provider, vms) -> dict:
    """The hosts and clusters these VMs run on, in one query: {(kind, uid): row}."""
    uids = {vm.host_uid for vm in vms} | {vm.cluster_uid for vm in vms}
    rows = InventoryObject.objects.filter(provider=provider, kind__in=["host", "cluster"], uid__in=uids - {""})
    return {(row.kind, row.uid): row for row in rows}


def expand(provider, vm, related: dict) -> dict:
    """The VM with its host and cluster records in place of their ids: the host carries its
    cluster (vSphere's shape); a VM that names its cluster itself (oVirt) gets it at the top."""
    record = object_record(provider, "workloads", vm)
    cluster = related.get(("cluster", vm.cluster_uid))
    cluster_record = object_record(provider, "clusters", cluster) if cluster else None
    host = related.get(("host", vm.host_uid))
    if host is not None:
        record["host"] = object_record(provider, "hosts", host)
        if cluster_record:
            record["host"]["cluster"] = cluster_record
    if cluster_record and isinstance(record.get("cluster"), str):
        record["cluster"] = cluster_record
    return record


def workload(provider, vm) -> dict:
    return expand(provider, vm, related_objects(provider, [vm]))


def workloads(provider, vms) -> list[dict]:
    related = related_objects(provider, vms)
    return [expand(provider, vm, related) for vm in vms]
