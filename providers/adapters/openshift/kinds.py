"""The Kubernetes kinds the inventory reads, and how to list and watch each of them.

Lists are paged and parsed straight from JSON (`_preload_content=False`): the typed models of
the kubernetes client cost more than the API call for thousands of objects, and the records
are dicts anyway.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from kubernetes import client

from providers import kube
from providers.adapters.openshift.client import TIMEOUT

PAGE = 500


@dataclass(frozen=True)
class Kind:
    name: str  # how the collector's state and VM dependencies name it
    resource: str  # how messages name it (what an RBAC rule grants)
    namespaced: bool
    group: str = ""  # "" for the built-in kinds of the typed API
    version: str = ""
    plural: str = ""
    # A 404 means the add-on serving it (CDI, Multus, KubeVirt) is not installed: nothing to read.
    optional: bool = False


NAMESPACES = Kind("namespaces", "namespaces", False)
STORAGE_CLASSES = Kind("storage_classes", "storageclasses.storage.k8s.io", False)
STORAGE_PROFILES = Kind("storage_profiles", "storageprofiles.cdi.kubevirt.io", False,
                        *kube.CDI, "storageprofiles", optional=True)
# Free space per storage class, as capacity-tracking CSI drivers publish it (plan capacity checks).
CAPACITIES = Kind("capacities", "csistoragecapacities.storage.k8s.io", True)
NADS = Kind("nads", "network-attachment-definitions.k8s.cni.cncf.io", True,
            *kube.MULTUS, "network-attachment-definitions", optional=True)
CLAIMS = Kind("claims", "persistentvolumeclaims", True)
DATA_VOLUMES = Kind("data_volumes", "datavolumes.cdi.kubevirt.io", True,
                    *kube.CDI, "datavolumes", optional=True)
INSTANCES = Kind("instances", "virtualmachineinstances.kubevirt.io", True,
                 *kube.KUBEVIRT, "virtualmachineinstances", optional=True)
INSTANCETYPES = Kind("instancetypes", "virtualmachineinstancetypes.instancetype.kubevirt.io", True,
                     *kube.INSTANCETYPE, "virtualmachineinstancetypes", optional=True)
CLUSTER_INSTANCETYPES = Kind("cluster_instancetypes", "virtualmachineclusterinstancetypes.instancetype.kubevirt.io",
                             False, *kube.INSTANCETYPE, "virtualmachineclusterinstancetypes",
                             optional=True)
VMS = Kind("vms", "virtualmachines.kubevirt.io", True, *kube.KUBEVIRT, "virtualmachines", optional=True)

# In dependency order: what a record refers to is known before the record is built.
ALL = [NAMESPACES, STORAGE_PROFILES, CAPACITIES, STORAGE_CLASSES, NADS, CLAIMS, DATA_VOLUMES, INSTANCES, INSTANCETYPES,
       CLUSTER_INSTANCETYPES, VMS]


def lister(api: client.ApiClient, kind: Kind, namespace: str | None = None) -> Callable:
    """The kubernetes client's list function for kind, over the cluster or one namespace."""
    if kind.group:
        objects = client.CustomObjectsApi(api)
        if kind.namespaced and namespace:
            return lambda **kw: objects.list_namespaced_custom_object(
                kind.group, kind.version, namespace, kind.plural, **kw)
        return lambda **kw: objects.list_cluster_custom_object(kind.group, kind.version, kind.plural, **kw)
    if kind is NAMESPACES:
        return client.CoreV1Api(api).list_namespace
    if kind is STORAGE_CLASSES:
        return client.StorageV1Api(api).list_storage_class
    if kind is CAPACITIES:
        storage = client.StorageV1Api(api)
        if namespace:
            return lambda **kw: storage.list_namespaced_csi_storage_capacity(namespace, **kw)
        return storage.list_csi_storage_capacity_for_all_namespaces
    if kind is CLAIMS:
        core = client.CoreV1Api(api)
        if namespace:
            return lambda **kw: core.list_namespaced_persistent_volume_claim(namespace, **kw)
        return core.list_persistent_volume_claim_for_all_namespaces
    raise ValueError(f"no lister for {kind.name}")


def list_all(list_function: Callable) -> tuple[list[dict], str]:
    """Every object (as dicts) and the list's resourceVersion, to watch from."""
    items, token = [], None
    while True:
        response = list_function(limit=PAGE, _continue=token, _preload_content=False, _request_timeout=TIMEOUT)
        page = json.loads(response.data)
        items += page.get("items") or []
        meta = page.get("metadata") or {}
        token = meta.get("continue")
        if not token:
            return items, meta.get("resourceVersion", "")
