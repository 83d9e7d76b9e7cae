"""Plans of each of the five source types, made only through the REST API over the lab's real
inventories: maps from /api/networkmaps/ and /api/storagemaps/ for what the VMs use, then the
Forklift Plan manifest to /api/plans/. Each plan comes out Ready, with its VMs and target names."""

import uuid

import pytest
from django.urls import reverse
from kubernetes import client, config
from rest_framework.test import APIClient

from plans.models import Plan
from providers.adapters import adapter_class
from providers.adapters.openshift.host import ensure_host_provider
from providers.models import Provider, VirtualMachine
from tests.factories import grant
from tests.providers.helpers import load, wait_for

pytestmark = [pytest.mark.lab, pytest.mark.django_db]
KUBEVIRT = ("kubevirt.io", "v1")


@pytest.fixture
def host(settings, kube_lab):
    """The lab cluster as the host provider: the target of every plan (and the KubeVirt source)."""
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    provider = ensure_host_provider()
    load(provider)
    Provider.objects.filter(pk=provider.pk).update(status="Ready")
    provider.refresh_from_db()
    return provider


def ready(provider):
    load(provider)
    Provider.objects.filter(pk=provider.pk).update(status="Ready")
    provider.refresh_from_db()
    return provider


def vsphere_source(request):
    from tests.providers.vsphere_helpers import make_provider

    lab = request.getfixturevalue("vsphere_lab")
    provider = make_provider(lab)
    provider.settings = {"vddkInitImage": "registry.example.com/vddk:8"}
    provider.save()
    return ready(provider), [{"id": lab["test_vms"]["two_disks_two_nics"]["moref"]},
                             {"name": lab["test_vms"]["invalid_name"]["name"]}]


def ovirt_source(request):
    from tests.providers.test_ovirt import make_provider

    lab = request.getfixturevalue("ovirt_lab")
    vms = lab["test_vms"]
    return ready(make_provider(lab)), [{"id": vms["clean"]["id"]}, {"id": vms["two_disks_two_nics"]["id"]}]


def openstack_source(request):
    from tests.providers.test_openstack import make_provider

    lab = request.getfixturevalue("openstack_lab")
    return ready(make_provider(lab)), [{"id": lab["test_vms"]["good"]["id"]}]


def ova_source(request):
    from tests.providers.test_ova import make_provider

    lab = request.getfixturevalue("ova_lab")
    return ready(make_provider(lab["nfs_url"])), [{"name": "alpine-bios"}, {"name": "photon-ovf2"}]


def kubevirt_source(request):
    """A stopped VM on a PVC with a pod NIC, made in a namespace of its own on the lab cluster."""
    kube_lab, host = request.getfixturevalue("kube_lab"), request.getfixturevalue("host")
    api = config.new_client_from_config(kube_lab["admin_kubeconfig"])
    request.addfinalizer(api.close)
    core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
    namespace = f"t-plan-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": namespace}})
    request.addfinalizer(lambda: core.delete_namespace(namespace))
    core.create_namespaced_persistent_volume_claim(namespace, {
        "metadata": {"name": "app-root"},
        "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "ocs-storagecluster-ceph-rbd",
                 "resources": {"requests": {"storage": "16Mi"}}}})
    custom.create_namespaced_custom_object(*KUBEVIRT, namespace, "virtualmachines", {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": "app"},
        "spec": {"runStrategy": "Halted", "template": {"spec": {
            "domain": {"devices": {"disks": [{"name": "root", "disk": {"bus": "virtio"}}],
                                   "interfaces": [{"name": "default", "masquerade": {}}]},
                       "memory": {"guest": "256Mi"}},
            "networks": [{"name": "default", "pod": {}}],
            "volumes": [{"name": "root", "persistentVolumeClaim": {"claimName": "app-root"}}]}}}})
    wait_for(lambda: core.read_namespaced_persistent_volume_claim("app-root", namespace).status.phase == "Bound",
             timeout=30)
    load(host)
    return host, [{"name": "app", "namespace": namespace}]


SOURCES = {"vsphere": vsphere_source, "ovirt": ovirt_source, "openstack": openstack_source, "ova": ova_source,
           "openshift": kubevirt_source}


def used(source, vm_refs):
    """The networks and storages the chosen VMs use (what their maps must cover)."""
    vms = VirtualMachine.objects.filter(provider=source)
    records = []
    for ref in vm_refs:
        if "id" in ref:
            records.append(vms.get(uid=ref["id"]))
        elif "namespace" in ref:
            records.append(vms.get(path=f"/{ref['namespace']}/{ref['name']}"))
        else:
            records.append(vms.get(name=ref["name"]))
    adapter = adapter_class(source.type)
    networks = list(dict.fromkeys(n for r in records for n in adapter.nic_networks(r.data) if n))
    storages = list(dict.fromkeys(s for r in records for s in adapter.disk_storages(r.data) if s))
    return records, networks, storages


@pytest.mark.parametrize("source_type", list(SOURCES))
def test_a_plan_of_each_source_type_through_the_api(request, people, host, source_type):
    source, vm_refs = SOURCES[source_type](request)
    assert source.type == source_type
    records, networks, storages = used(source, vm_refs)
    assert networks and storages, "the lab VMs chosen must have NICs and disks to map"
    target_namespace = f"moved-{source_type}"
    # The editor's namespaces in the cluster: the NAD's, the target, and a KubeVirt source VM's.
    for namespace in {"mtv-user", target_namespace, *(r["namespace"] for r in vm_refs if "namespace" in r)}:
        grant(people["editor"], "editor", namespace)
    api = APIClient()
    api.force_authenticate(people["editor"])
    providers = {"source": {"id": source.pk}, "destination": {"id": host.pk}}
    # The first network to the pod network, the others to a NetworkAttachmentDefinition of the cluster.
    network_entries = [{"source": {"id": n},
                        "destination": {"type": "pod"} if i == 0 else
                        {"type": "multus", "namespace": "mtv-user", "name": "vlan-100"}}
                       for i, n in enumerate(networks)]
    response = api.post(reverse("api-networkmaps"), {"name": f"{source_type}-nets", "namespace": "team-a",
                                                     "provider": providers, "map": network_entries}, format="json")
    assert response.status_code == 201, response.json()
    storage_entries = [{"source": {"id": s}, "destination": {"storageClass": "ocs-storagecluster-ceph-rbd"}}
                       for s in storages]
    response = api.post(reverse("api-storagemaps"), {"name": f"{source_type}-disks", "namespace": "team-a",
                                                     "provider": providers, "map": storage_entries}, format="json")
    assert response.status_code == 201, response.json()

    manifest = {
        "apiVersion": "forklift.konveyor.io/v1beta1", "kind": "Plan",
        "metadata": {"name": f"{source_type}-wave", "namespace": "team-a"},
        "spec": {"provider": {"source": {"name": source.name, "namespace": source.namespace},
                              "destination": {"name": host.name, "namespace": host.namespace}},
                 "map": {"network": {"name": f"{source_type}-nets", "namespace": "team-a"},
                         "storage": {"name": f"{source_type}-disks", "namespace": "team-a"}},
                 "targetNamespace": target_namespace, "warm": False, "vms": vm_refs},
    }
    response = api.post(reverse("api-plans"), manifest, format="json")
    assert response.status_code == 201, response.json()
    record = response.json()
    assert record["status"] == "Ready", record["statusReasons"]
    assert record["sourceType"] == source_type and record["vmCount"] == len(vm_refs)
    plan = Plan.objects.get(name=f"{source_type}-wave")
    assert sorted(plan.vms.values_list("vm_id", flat=True)) == sorted(r.uid for r in records)
    names = {v["name"]: v["targetName"] for v in record["vms"]}
    assert set(names) == {r.name for r in records}
    if source_type == "vsphere":  # an invalid source name gets a valid target name (guide §2.4)
        assert names["Legacy_App.Server01"] == "legacy-appserver01"
    # The plan's YAML names its VMs the way Forklift takes them for this source type.
    spec_vms = api.get(reverse("api-plan", args=[plan.pk])).json()["spec"]["vms"]
    if source_type == "openshift":
        assert spec_vms == [{"name": "app", "namespace": vm_refs[0]["namespace"]}]
    else:
        assert {v["id"] for v in spec_vms} == {r.uid for r in records}
    # A start creates the Pending migration the engine will run.
    response = api.post(reverse("api-plan-start", args=[plan.pk]))
    assert response.status_code == 201 and response.json()["status"] == "Pending"
