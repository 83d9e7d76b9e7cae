"""A host cluster shared by two teams, written straight into the inventory tables in the shapes
the KubeVirt adapter stores (paths "/namespace" and "/namespace/name"): the `host` provider in the
operator namespace, namespaces mtv-user and mtv-demo (and the cluster's own), a VM and a
NetworkAttachmentDefinition in each team's namespace, storage classes for everyone.

    alice  editor of mtv-demo           bob  editor of mtv-user
    vic    viewer of mtv-user           admin  cluster admin
"""

from __future__ import annotations

from providers.models import InventoryObject, Provider, VirtualMachine
from tests.factories import UserFactory, grant

NAMESPACES = ("mtv-user", "mtv-demo", "default", "kube-system", "openshift-mtv")
NADS = {"mtv-user": "vlan-100", "mtv-demo": "vlan-200", "default": "br-ext"}
VMS = {"mtv-user": "db-1", "mtv-demo": "web-1"}
PASSWORD = "s3cret-of-mtv-user"  # what another team must never read


def vm_data(namespace: str, name: str) -> dict:
    nad = NADS[namespace]
    return {
        "uid": f"vm-{namespace}", "id": f"vm-{namespace}", "namespace": namespace, "name": name,
        "path": f"/{namespace}/{name}", "powerState": "Off", "cpuCount": 1, "memoryMB": 1024,
        "disks": [{"name": "root", "volumeType": "persistentVolumeClaim", "capacity": 2**30, "phase": "Bound",
                   "claim": {"namespace": namespace, "name": f"{name}-root"}, "storageClass": "standard",
                   "storage": {"kind": "StorageClass", "name": "standard", "id": "sc-standard"}}],
        "nics": [{"name": "nic0", "mac": "02:00:00:00:00:01",
                  "network": {"type": "multus", "namespace": namespace, "name": nad, "id": f"nad-{namespace}"}}],
        "object": {"metadata": {"name": name, "namespace": namespace},
                   "spec": {"template": {"spec": {"volumes": [{"name": "seed", "cloudInitNoCloud": {}}]}}}},
    }


def shared_cluster() -> Provider:
    host = Provider.objects.create(namespace="openshift-mtv", name="host", type="openshift", url="", status="Ready")
    for namespace in NAMESPACES:
        InventoryObject.objects.create(provider=host, kind="folder", uid=f"ns-{namespace}", name=namespace,
                                       path=f"/{namespace}", digest="x", data={"name": namespace})
    for namespace, nad in NADS.items():
        InventoryObject.objects.create(provider=host, kind="network", uid=f"nad-{namespace}", name=nad,
                                       path=f"/{namespace}/{nad}", parent_kind="folder", parent_uid=f"ns-{namespace}",
                                       digest="x", data={"name": nad, "namespace": namespace, "cniType": "cnv-bridge"})
    InventoryObject.objects.create(provider=host, kind="storage", uid="sc-standard", name="standard",
                                   path="/standard", digest="x", data={"name": "standard", "isDefault": True,
                                                                       "availableCapacity": None})
    for namespace, name in VMS.items():
        VirtualMachine.objects.create(provider=host, uid=f"vm-{namespace}", name=name, path=f"/{namespace}/{name}",
                                      power_state="Off", folder_uid=f"ns-{namespace}", parent_kind="folder",
                                      parent_uid=f"ns-{namespace}", digest="x", data=vm_data(namespace, name))
    return host


def tenants() -> dict:
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    alice, bob, vic = (UserFactory(username=n) for n in ("alice", "bob", "vic"))
    grant(alice, "editor", "mtv-demo")
    grant(bob, "editor", "mtv-user")
    grant(vic, "viewer", "mtv-user")
    return {"admin": admin, "alice": alice, "bob": bob, "vic": vic}
