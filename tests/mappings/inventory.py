"""Small inventories written straight into the tables, shaped like the adapters' records:
a vSphere source (two "VM Network"s in two datacenters, a port group, two datastores, VMs)
and an OpenShift target (NADs, storage classes with and without StorageProfile modes)."""

from providers.models import InventoryObject, Provider, VirtualMachine
from tests.factories import ProviderFactory


def add(provider, kind, uid, name, path="", **data):
    return InventoryObject.objects.create(provider=provider, kind=kind, uid=uid, name=name, path=path,
                                          data={"id": uid, "name": name, **data}, digest=uid[:32])


def add_vm(provider, uid, name, networks=(), datastores=()):
    data = {"id": uid, "name": name, "nics": [{"network": {"id": n}} for n in networks],
            "disks": [{"datastore": {"id": d}, "capacity": 2**30} for d in datastores]}
    return VirtualMachine.objects.create(provider=provider, uid=uid, name=name, data=data, digest=uid[:32])


def vsphere_source(namespace="team-a", name="vcenter") -> Provider:
    source = ProviderFactory(namespace=namespace, name=name, type="vsphere", status="Ready")
    add(source, "network", "network-6", "VM Network", "/DC0/network/VM Network")
    add(source, "network", "network-121", "VM Network", "/DC1/network/VM Network")
    add(source, "network", "dvportgroup-113", "DPG-Prod", "/DC0/network/DPG-Prod")
    add(source, "storage", "datastore-102", "LocalDS_0", "/DC0/datastore/LocalDS_0")
    add(source, "storage", "datastore-104", "LocalDS_1", "/DC0/datastore/LocalDS_1")
    add_vm(source, "vm-1", "db", ["network-6", "dvportgroup-113"], ["datastore-102", "datastore-104"])
    add_vm(source, "vm-2", "web", ["network-6", ""], ["datastore-102"])
    return source


def storage_class(target, name, provisioner, claim_property_sets=(), default=False, default_virt=False):
    return add(target, "storage", f"sc-{name}", name, f"/{name}", provisioner=provisioner,
               claimPropertySets=list(claim_property_sets), isDefault=default, isDefaultVirt=default_virt)


def openshift_target(namespace="openshift-mtv", name="host") -> Provider:
    target = ProviderFactory(namespace=namespace, name=name, type="openshift", url="", status="Ready")
    for ns, nad in (("default", "br-ext"), ("mtv-user", "prod"), ("team-a", "vm-network"), ("team-b", "vm-network")):
        add(target, "network", f"nad-{ns}-{nad}", nad, f"/{ns}/{nad}", namespace=ns)
    storage_class(target, "ceph-rbd", "openshift-storage.rbd.csi.ceph.com",
                  [{"accessModes": ["ReadWriteMany"], "volumeMode": "Block"}], default=True)
    storage_class(target, "gp2", "kubernetes.io/aws-ebs")
    storage_class(target, "mystery", "example.com/unknown")
    return target
