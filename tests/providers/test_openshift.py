"""OpenShift Virtualization providers against the lab's cluster: create, refuse bad input, the
host provider, load, follow changes, a namespace-limited token."""

import contextlib
import time
import uuid

import pytest
from django.db import connection
from django.urls import reverse
from kubernetes import client, config

from providers.adapters import adapter_for
from providers.adapters.openshift import client as openshift
from providers.adapters.openshift.forms import OpenShiftProviderForm
from providers.adapters.openshift.host import ensure_host_provider
from providers.kube import open_api
from providers.models import InventoryObject, Provider, Secret, VirtualMachine
from tests.providers.helpers import Relay, following, load, recording_server, self_signed, wait_for

pytestmark = pytest.mark.lab
KUBEVIRT = ("kubevirt.io", "v1")
NAD = ("k8s.cni.cncf.io", "v1")
MI = 1024 * 1024


# --- helpers -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def admin_api(kube_lab):
    return config.new_client_from_config(kube_lab["admin_kubeconfig"])


@pytest.fixture
def core(admin_api):
    return client.CoreV1Api(admin_api)


@pytest.fixture
def custom(admin_api):
    return client.CustomObjectsApi(admin_api)


@pytest.fixture
def host_cluster(settings, kube_lab):
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]


@pytest.fixture
def namespace(core):
    name = f"t-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


@pytest.fixture
def admin_client(client, people):
    client.force_login(people["admin"])
    return client


def form_data(lab, **overrides):
    data = {"type": "openshift", "name": "remote", "namespace": "team-a", "url": lab["server"],
            "token": lab["user_token"], "cacert": open(lab["ca_file"]).read()}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def refusal(lab, **overrides) -> str:
    form = OpenShiftProviderForm(data=form_data(lab, **overrides), namespaces=None)
    assert not form.is_valid()
    assert not Provider.objects.exists() and not Secret.objects.exists()
    return " ".join(form.errors.get("__all__", [])) or str(form.errors)


def make_claim(core, ns, name, storage_class, size, mode="Filesystem"):
    core.create_namespaced_persistent_volume_claim(ns, {
        "metadata": {"name": name},
        "spec": {"accessModes": ["ReadWriteOnce"], "volumeMode": mode, "storageClassName": storage_class,
                 "resources": {"requests": {"storage": size}}},
    })


def make_nad(custom, ns, name):
    config_json = f'{{"cniVersion": "0.3.1", "name": "{name}", "type": "cnv-bridge", "bridge": "br9"}}'
    return custom.create_namespaced_custom_object(*NAD, ns, "network-attachment-definitions", {
        "apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
        "metadata": {"name": name}, "spec": {"config": config_json},
    })


def vm_body(name, run_strategy="Halted", interfaces=(), networks=(), disks=(), volumes=(), templates=(), **domain):
    return {
        "apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine", "metadata": {"name": name},
        "spec": {
            "runStrategy": run_strategy,
            "dataVolumeTemplates": list(templates),
            "template": {"spec": {
                "domain": {"devices": {"disks": list(disks), "interfaces": list(interfaces)}, **domain},
                "networks": list(networks), "volumes": list(volumes),
            }},
        },
    }


def make_vm(custom, ns, body):
    return custom.create_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", body)


def vm_status(custom, ns, name):
    return custom.get_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", name).get("status", {}).get(
        "printableStatus")


def claim_bound(core, ns, name):
    claim = core.read_namespaced_persistent_volume_claim(name, ns)
    return claim.status.phase == "Bound" and claim.status.capacity


def uid_of_class(admin_api, name):
    return client.StorageV1Api(admin_api).read_storage_class(name).metadata.uid


def all_vm_count(custom):
    return len(custom.list_cluster_custom_object(*KUBEVIRT, "virtualmachines")["items"])


# --- creating a provider -----------------------------------------------------------------


@pytest.mark.django_db
def test_create_with_a_token_stores_it_encrypted_and_never_shows_it(admin_client, kube_lab):
    response = admin_client.post(reverse("providers:provider_add") + "?type=openshift", form_data(kube_lab))
    assert response.status_code == 302, response.content.decode()[:2000]
    provider = Provider.objects.get(name="remote")
    assert (provider.type, provider.url) == ("openshift", kube_lab["server"])
    assert provider.credentials()["token"] == kube_lab["user_token"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT ciphertext FROM providers_secret WHERE id = %s", [provider.secret_id])
        stored = bytes(cursor.fetchone()[0])
    assert kube_lab["user_token"].encode() not in stored
    edit_page = admin_client.get(reverse("providers:provider_edit", args=[provider.pk])).content.decode()
    assert kube_lab["user_token"] not in edit_page and 'placeholder="unchanged"' in edit_page
    # Saving again without typing the token keeps it.
    response = admin_client.post(reverse("providers:provider_edit", args=[provider.pk]),
                                 form_data(kube_lab, token=""))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Provider.objects.get(pk=provider.pk).credentials()["token"] == kube_lab["user_token"]


@pytest.mark.django_db
def test_wrong_token_is_refused(kube_lab):
    message = refusal(kube_lab, token="eyJhbGciOiJSUzI1NiJ9.not-a-token.signature")
    assert "refused the token (401 Unauthorized)" in message and "oc create token" in message
    assert "not-a-token" not in message


@pytest.mark.django_db
def test_untrusted_or_wrong_ca_is_refused(kube_lab):
    message = refusal(kube_lab, cacert="")
    assert f"certificate of the API server at {kube_lab['server']} is not trusted" in message
    assert "Skip certificate validation" in message
    other_ca = self_signed()[0].decode()
    assert "is not trusted" in refusal(kube_lab, cacert=other_ca)
    # Skipping the check works without a CA.
    assert OpenShiftProviderForm(data=form_data(kube_lab, cacert="", insecure_skip_verify="on"),
                                 namespaces=None).is_valid()


@pytest.mark.django_db
def test_unreachable_server_is_refused(kube_lab):
    with socket_closed_port() as port:
        message = refusal(kube_lab, url=f"https://127.0.0.1:{port}")
    assert f"Cannot reach the API server at https://127.0.0.1:{port}" in message
    assert "connection was refused" in message


@contextlib.contextmanager
def socket_closed_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]  # bound, not listening: connections are refused


@pytest.mark.django_db
def test_url_with_a_wrong_path_is_refused(kube_lab):
    message = refusal(kube_lab, url=kube_lab["server"] + "/api/v1")
    assert f"There is no Kubernetes API at {kube_lab['server']}/api/v1" in message
    assert f"without a path, for example {kube_lab['server']}." in message


@pytest.mark.django_db
def test_url_of_a_web_page_is_refused(kube_lab, tmp_path):
    with recording_server(tmp_path, body=b"<html><body>Red Hat OpenShift</body></html>") as (url, _):
        message = refusal(kube_lab, url=url, cacert="", insecure_skip_verify="on")
    assert f"There is no Kubernetes API at {url}" in message and "not the web console" in message


@pytest.mark.django_db
def test_form_checks_what_it_can_before_connecting(kube_lab, settings):
    settings.MTVWEB_KUBECONFIG = ""
    form = OpenShiftProviderForm(data=form_data(kube_lab, url=kube_lab["server"].replace("https", "http")),
                                 namespaces=None)
    assert not form.is_valid() and "Use an https:// URL" in form.errors["url"][0]
    form = OpenShiftProviderForm(data=form_data(kube_lab, token=""), namespaces=None)
    assert not form.is_valid() and "bearer token" in form.errors["token"][0]
    form = OpenShiftProviderForm(data=form_data(kube_lab, cacert="MIIB..."), namespaces=None)
    assert not form.is_valid() and "not a PEM certificate" in form.errors["cacert"][0]
    form = OpenShiftProviderForm(data=form_data(kube_lab, url="", token=""), namespaces=None)
    assert not form.is_valid() and "MTVWEB_KUBECONFIG is not set" in form.errors["url"][0]
    assert not Provider.objects.exists()


# --- the host provider and its inventory as a target --------------------------------------


@pytest.mark.django_db
def test_host_provider_is_added_once_when_a_host_cluster_is_configured(settings, kube_lab):
    settings.MTVWEB_KUBECONFIG = ""
    assert ensure_host_provider() is None and not Provider.objects.exists()
    settings.MTVWEB_KUBECONFIG = kube_lab["admin_kubeconfig"]
    host = ensure_host_provider()
    assert (host.namespace, host.name, host.type, host.url) == ("openshift-mtv", "host", "openshift", "")
    assert ensure_host_provider() == host and Provider.objects.count() == 1
    adapter_for(host).test_connection()


@pytest.mark.django_db
def test_host_inventory_lists_storage_classes_profiles_networks_and_namespaces(host_cluster, kube_lab, admin_client):
    host = ensure_host_provider()
    load(host)
    objects = InventoryObject.objects.filter(provider=host)
    classes = {o.name: o.data for o in objects.filter(kind="storage")}
    assert {name: data["provisioner"] for name, data in classes.items()} == {
        name: sc["provisioner"] for name, sc in kube_lab["storage_classes"].items()}
    assert [n for n, d in classes.items() if d["isDefault"]] == [kube_lab["default_storage_class"]]
    assert classes["ocs-storagecluster-cephfs"]["claimPropertySets"] == [
        {"accessModes": ["ReadWriteMany"], "volumeMode": "Filesystem"}]
    assert {"accessModes": ["ReadWriteOnce"], "volumeMode": "Block"} in classes["ocs-storagecluster-ceph-rbd"][
        "claimPropertySets"]
    assert classes["gp2"]["claimPropertySets"] == [] and classes["gp2"]["volumeBindingMode"] == "WaitForFirstConsumer"
    networks = {o.path.strip("/"): o for o in objects.filter(kind="network")}
    assert set(kube_lab["nads"]) <= set(networks)
    folders = {o.name: o.uid for o in objects.filter(kind="folder")}
    assert set(kube_lab["namespaces"]) <= set(folders)
    assert networks["mtv-user/vlan-100"].parent_uid == folders["mtv-user"]
    assert networks["mtv-user/vlan-100"].data["cniType"] == "cnv-bridge"
    # The inventory API serves them at Forklift's collection names.
    base = f"/inventory/providers/openshift/{host.uid}"
    served = admin_client.get(f"{base}/storageclasses?detail=1").json()
    assert {s["name"]: s["claimPropertySets"] for s in served} == {n: d["claimPropertySets"] for n, d in classes.items()}
    assert {n["path"] for n in admin_client.get(f"{base}/networkattachmentdefinitions").json()} == {
        f"/{p}" for p in networks}
    assert {n["name"] for n in admin_client.get(f"{base}/namespaces").json()} == set(folders)
    # The migration network choice lists the cluster's NADs.
    form = OpenShiftProviderForm(instance=host, namespaces=None)
    assert {"openshift-mtv/migration-net", "default/br-ext"} <= {v for v, _ in form.fields["transfer_network"].choices}
    form = OpenShiftProviderForm(data={"name": "host", "namespace": "openshift-mtv", "url": "", "token": "",
                                       "transfer_network": "openshift-mtv/migration-net"}, instance=host, namespaces=None)
    assert form.is_valid(), form.errors
    form.save()
    host.refresh_from_db()
    assert (host.settings, host.url, host.credentials()) == ({"transferNetwork": "openshift-mtv/migration-net"}, "", {})


# --- VMs as a source -----------------------------------------------------------------------


def make_source_vms(core, custom, ns):
    """A stopped VM with every kind of disk and NIC, and a running one whose MAC KubeVirt picks."""
    make_nad(custom, ns, "vlan-7")
    make_claim(core, ns, "db-root", "ocs-storagecluster-ceph-rbd", "64Mi", mode="Block")
    make_claim(core, ns, "db-data", "ocs-storagecluster-cephfs", "32Mi")
    make_claim(core, ns, "web-root", "ocs-storagecluster-ceph-rbd", "48Mi")
    make_vm(custom, ns, vm_body(
        "db-1", "Halted",
        interfaces=[{"name": "nic0", "macAddress": "02:00:00:00:10:01", "masquerade": {}},
                    {"name": "nic1", "macAddress": "02:00:00:00:10:02", "bridge": {}}],
        networks=[{"name": "nic0", "pod": {}}, {"name": "nic1", "multus": {"networkName": "default/br-ext"}}],
        disks=[{"name": "root", "disk": {"bus": "virtio"}, "bootOrder": 1},
               {"name": "data", "disk": {"bus": "scsi"}, "shareable": True},
               {"name": "scratch", "disk": {"bus": "virtio"}},
               {"name": "iso", "cdrom": {"bus": "sata"}}],
        volumes=[{"name": "root", "persistentVolumeClaim": {"claimName": "db-root"}},
                 {"name": "data", "persistentVolumeClaim": {"claimName": "db-data"}},
                 {"name": "scratch", "dataVolume": {"name": "db-scratch"}},
                 {"name": "iso", "containerDisk": {"image": "quay.io/example/tools:latest"}}],
        templates=[{"metadata": {"name": "db-scratch"},
                    "spec": {"storage": {"storageClassName": "hostpath-csi",
                                         "resources": {"requests": {"storage": "128Mi"}}},
                             "source": {"blank": {}}}}],
        cpu={"cores": 2, "sockets": 2}, memory={"guest": "1Gi"},
        firmware={"bootloader": {"efi": {"secureBoot": False}}},
    ))
    make_vm(custom, ns, vm_body(
        "web-1", "Always",
        interfaces=[{"name": "default", "bridge": {}}, {"name": "vlan", "bridge": {}}],
        networks=[{"name": "default", "pod": {}}, {"name": "vlan", "multus": {"networkName": "vlan-7"}}],
        disks=[{"name": "root", "disk": {"bus": "virtio"}}],
        volumes=[{"name": "root", "persistentVolumeClaim": {"claimName": "web-root"}}],
        resources={"requests": {"memory": "512Mi", "cpu": "1500m"}},
    ))
    for claim in ("db-root", "db-data", "web-root"):
        wait_for(lambda c=claim: claim_bound(core, ns, c), timeout=30)
    return wait_for(lambda: running_instance(custom, ns, "web-1"), timeout=30)[0]


def running_instance(custom, ns, name):
    try:
        vmi = custom.get_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachineinstances", name)
    except client.ApiException:
        return None
    return vmi if vmi.get("status", {}).get("phase") == "Running" and vmi["status"].get("interfaces") else None


@pytest.mark.django_db
def test_full_load_describes_source_vms(host_cluster, kube_lab, admin_api, core, custom, namespace):
    web_instance = make_source_vms(core, custom, namespace)
    host = ensure_host_provider()
    started = time.monotonic()
    load(host)
    seconds = time.monotonic() - started
    vms = VirtualMachine.objects.filter(provider=host)
    assert vms.count() == all_vm_count(custom) and seconds < 10
    namespace_uid = InventoryObject.objects.get(provider=host, kind="folder", name=namespace).uid
    br_ext = custom.get_namespaced_custom_object(*NAD, "default", "network-attachment-definitions", "br-ext")

    db = vms.get(name="db-1")
    assert (db.path, db.power_state, db.folder_uid, db.host_uid) == (f"/{namespace}/db-1", "Off", namespace_uid, "")
    data = db.data
    assert (data["namespace"], data["runStrategy"], data["status"]) == (namespace, "Halted", "Stopped")
    assert (data["cpuCount"], data["coresPerSocket"], data["memoryMB"]) == (4, 2, 1024)
    assert (data["firmware"], data["secureBoot"]) == ("efi", False)
    assert data["object"]["spec"]["template"]["spec"]["domain"]["cpu"] == {"cores": 2, "sockets": 2}
    disks = {d["name"]: d for d in data["disks"]}
    assert (disks["root"]["capacity"], disks["root"]["volumeMode"], disks["root"]["storage"]["id"]) == (
        64 * MI, "Block", uid_of_class(admin_api, "ocs-storagecluster-ceph-rbd"))
    assert (disks["data"]["capacity"], disks["data"]["shared"], disks["data"]["storageClass"]) == (
        32 * MI, True, "ocs-storagecluster-cephfs")
    assert (disks["scratch"]["volumeType"], disks["scratch"]["capacity"], disks["scratch"]["storageClass"]) == (
        "dataVolume", 128 * MI, "hostpath-csi")
    assert (disks["iso"]["kind"], disks["iso"]["volumeType"], disks["iso"]["format"]) == ("cdrom", "containerDisk", "")
    assert [(n["mac"], n["binding"], n["network"]) for n in data["nics"]] == [
        ("02:00:00:00:10:01", "masquerade", {"type": "pod"}),
        ("02:00:00:00:10:02", "bridge",
         {"type": "multus", "namespace": "default", "name": "br-ext", "id": br_ext["metadata"]["uid"]}),
    ]

    web = vms.get(name="web-1")
    assert (web.power_state, web.host_uid) == ("On", web_instance["status"]["nodeName"])
    assert (web.data["cpuCount"], web.data["memoryMB"], web.data["firmware"]) == (2, 512, "bios")
    assert [n["mac"] for n in web.data["nics"]] == [i["mac"] for i in web_instance["status"]["interfaces"]]
    assert web.data["nics"][1]["network"]["name"] == "vlan-7" and web.data["nics"][1]["network"]["id"]
    assert web.data["disks"][0]["capacity"] == 48 * MI


def test_cloud_init_user_data_is_never_stored_or_served(host_cluster, core, custom, namespace, admin_client):
    """Issue 13: the whole VM object was stored and served, cloud-init passwords included."""
    import base64
    import json

    password = "Tr0ub4dor-kept-by-the-guest-only"
    user_data = f"#cloud-config\nuser: fedora\npassword: {password}\nchpasswd: {{expire: false}}\n"
    encoded = base64.b64encode(user_data.encode()).decode()
    make_claim(core, namespace, "seeded-root", "ocs-storagecluster-ceph-rbd", "16Mi")
    make_vm(custom, namespace, vm_body(
        "seeded", disks=[{"name": n, "disk": {"bus": "virtio"}} for n in ("root", "seed", "drive")],
        volumes=[{"name": "root", "persistentVolumeClaim": {"claimName": "seeded-root"}},
                 {"name": "seed", "cloudInitNoCloud": {"userData": user_data,
                                                       "networkData": f"version: 2 # {password}"}},
                 {"name": "drive", "cloudInitConfigDrive": {"userDataBase64": encoded,
                                                            "secretRef": {"name": "seed-secret"}}}]))
    host = ensure_host_provider()
    load(host)
    vm = VirtualMachine.objects.get(provider=host, path=f"/{namespace}/seeded")
    stored = json.dumps(vm.data)
    assert password not in stored and encoded not in stored
    # What validation needs stays: which volumes are cloud-init, and the Secret's name.
    assert [d["volumeType"] for d in vm.data["disks"]] == ["persistentVolumeClaim", "cloudInitNoCloud",
                                                           "cloudInitConfigDrive"]
    volumes = vm.data["object"]["spec"]["template"]["spec"]["volumes"]
    assert volumes[1:] == [{"name": "seed", "cloudInitNoCloud": {}},
                           {"name": "drive", "cloudInitConfigDrive": {"secretRef": {"name": "seed-secret"}}}]
    base = f"/inventory/providers/openshift/{host.uid}"
    for path in (f"vms/{vm.uid}", f"workloads/{vm.uid}", "vms?detail=1"):
        answer = admin_client.get(f"{base}/{path}")
        assert answer.status_code == 200 and password not in answer.content.decode()


# --- following changes ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_changes_arrive_through_watches_without_a_reload(host_cluster, core, custom, namespace):
    host = ensure_host_provider()
    collector = load(host)
    loads = []
    collector.load = lambda: loads.append(1) or []  # a reload would show here
    objects, vms = InventoryObject.objects.filter(provider=host), VirtualMachine.objects.filter(provider=host)
    classes_before = dict(objects.filter(kind="storage").values_list("uid", "revision"))
    api = open_api(host.url, host.credentials())
    with following(host, collector) as errors:
        make_nad(custom, namespace, "late-net")
        nad, seconds_nad = wait_for(lambda: objects.filter(kind="network", path=f"/{namespace}/late-net").first())
        make_vm(custom, namespace, vm_body(
            "late-vm", "Always", interfaces=[{"name": "nic0", "macAddress": "02:00:00:00:20:01", "bridge": {}}],
            networks=[{"name": "nic0", "multus": {"networkName": "late-net"}}], memory={"guest": "256Mi"}))
        vm, seconds_vm = wait_for(lambda: vms.filter(name="late-vm", power_state="On").first())
        assert vm.data["nics"][0]["network"]["id"] == nad.uid and vm.data["memoryMB"] == 256
        # The node it runs on comes from the VMI, once the lab's KubeVirt has started it.
        node = wait_for(lambda: running_instance(custom, namespace, "late-vm"), timeout=60)[0]["status"]["nodeName"]
        _, seconds_vmi = wait_for(lambda: vms.filter(uid=vm.uid, host_uid=node).exists())

        openshift.power_off(api, "", namespace, "late-vm")
        wait_for(lambda: vm_status(custom, namespace, "late-vm") == "Stopped", timeout=60)  # the lab's KubeVirt
        _, seconds_off = wait_for(lambda: vms.filter(uid=vm.uid, power_state="Off", host_uid="").exists())
        assert openshift.power_state(api, "", namespace, "late-vm") == "Off"
        assert vms.get(uid=vm.uid).data["runStrategy"] == "Halted"
        custom.patch_namespaced_custom_object(*KUBEVIRT, namespace, "virtualmachines", "late-vm", {
            "spec": {"template": {"spec": {"domain": {"memory": {"guest": "2Gi"}}}}}})
        _, seconds_update = wait_for(lambda: vms.get(uid=vm.uid).data["memoryMB"] == 2048)
        openshift.power_on(api, "", namespace, "late-vm")
        wait_for(lambda: vm_status(custom, namespace, "late-vm") == "Running", timeout=60)
        wait_for(lambda: vms.filter(uid=vm.uid, power_state="On").exists())
        assert vms.get(uid=vm.uid).data["runStrategy"] == "Always"

        custom.delete_namespaced_custom_object(*KUBEVIRT, namespace, "virtualmachines", "late-vm")
        _, seconds_delete = wait_for(lambda: not vms.filter(uid=vm.uid).exists())
        custom.delete_namespaced_custom_object(*NAD, namespace, "network-attachment-definitions", "late-net")
        wait_for(lambda: not objects.filter(uid=nad.uid).exists())
        assert not errors and not loads
        assert max(seconds_nad, seconds_vm, seconds_vmi, seconds_off, seconds_update, seconds_delete) < 5
        # Nothing else was rewritten.
        assert dict(objects.filter(kind="storage").values_list("uid", "revision")) == classes_before
    api.close()


@pytest.mark.django_db(transaction=True)
def test_expired_watch_lists_again_and_catches_up(host_cluster, custom, namespace):
    """A watch whose resourceVersion is gone (410) re-lists: what changed meanwhile still arrives."""
    make_nad(custom, namespace, "doomed")
    host = ensure_host_provider()
    collector = load(host)
    networks = InventoryObject.objects.filter(provider=host, kind="network")
    doomed = networks.get(path=f"/{namespace}/doomed")
    custom.delete_namespaced_custom_object(*NAD, namespace, "network-attachment-definitions", "doomed")
    make_nad(custom, namespace, "newcomer")
    collector.scopes["nads"] = {None: "1"}  # long compacted: the server answers 410 Gone
    with following(host, collector) as errors:
        wait_for(lambda: networks.filter(path=f"/{namespace}/newcomer").exists())
        wait_for(lambda: not networks.filter(uid=doomed.uid).exists())
        make_nad(custom, namespace, "after-resync")  # and the watch goes on from the new list
        wait_for(lambda: networks.filter(path=f"/{namespace}/after-resync").exists())
        assert not errors


# --- a token limited to one namespace ------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_namespace_limited_token_sees_its_namespace_and_says_what_is_missing(kube_lab, custom, namespace):
    """The lab's non-admin service account may edit mtv-user only: the provider works there, and its
    status says that storage classes and other namespaces need a cluster-admin token."""
    own = kube_lab["user_namespace"]
    provider = Provider(type="openshift", namespace="team-a", name="limited", url=kube_lab["server"])
    provider.set_credentials({"token": kube_lab["user_token"], "cacert": open(kube_lab["ca_file"]).read()})
    provider.save()
    adapter_for(provider).test_connection()
    collector = load(provider)
    objects, vms = InventoryObject.objects.filter(provider=provider), VirtualMachine.objects.filter(provider=provider)
    assert list(objects.filter(kind="folder").values_list("name", flat=True)) == [own]
    assert {o.path for o in objects.filter(kind="network")} == {
        f"/{n}" for n in kube_lab["nads"] if n.startswith(f"{own}/")}
    assert not objects.filter(kind="storage").exists()
    name = f"mine-{uuid.uuid4().hex[:6]}"
    try:
        with following(provider, collector) as errors:
            message = wait_for(lambda: Provider.objects.get(pk=provider.pk).status_message)[0]
            assert "storageclasses.storage.k8s.io" in message and own in message and "cluster-admin" in message
            make_vm(custom, namespace, vm_body("elsewhere"))
            make_vm(custom, own, vm_body(name))
            wait_for(lambda: vms.filter(name=name, folder_uid=objects.get(kind="folder").uid).exists())
            time.sleep(1)
            assert not vms.filter(name="elsewhere").exists() and not errors
    finally:
        custom.delete_namespaced_custom_object(*KUBEVIRT, own, "virtualmachines", name)


# --- a lost cluster ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_lost_cluster_goes_connection_failed_and_recovers_by_itself(kube_lab, custom, inventory_service):
    relay = Relay(int(kube_lab["server"].rsplit(":", 1)[1]))
    url = f"https://127.0.0.1:{relay.port}"
    provider = Provider(type="openshift", namespace="team-a", name="relayed", url=url)
    provider.set_credentials({"token": kube_lab["user_token"], "cacert": open(kube_lab["ca_file"]).read()})
    provider.save()
    status = lambda: Provider.objects.get(pk=provider.pk)  # noqa: E731
    wait_for(lambda: status().status == "Ready", timeout=60)
    relay.cut()
    failed, seconds = wait_for(lambda: (p := status()).status == "ConnectionFailed" and p, timeout=60)
    assert f"the API server at {url}" in failed.status_message and "Reconnecting" in failed.status_message
    assert seconds < 15
    relay.open.set()
    wait_for(lambda: status().status == "Ready", timeout=90)
    name = f"back-{uuid.uuid4().hex[:6]}"
    make_nad(custom, kube_lab["user_namespace"], name)
    try:
        wait_for(lambda: InventoryObject.objects.filter(provider=provider, kind="network", name=name).exists())
    finally:
        custom.delete_namespaced_custom_object(*NAD, kube_lab["user_namespace"], "network-attachment-definitions", name)


def test_cpu_and_memory_of_a_vm_sized_by_an_instancetype():
    """The lab's cluster has no instancetype API; the record is built the same way from what the
    collector read (VirtualMachineClusterInstancetype unless the reference says otherwise)."""
    from providers.adapters.openshift.vm import Lookup, VMBuilder

    vm = vm_body("sized")
    vm["metadata"].update(namespace="apps", uid="u-1")
    vm["spec"]["instancetype"] = {"name": "u1.medium"}
    lookup = Lookup(cluster_instancetypes={("", "u1.medium"): {"cpus": 1, "memory": 4096 * MI}},
                    instancetypes={("apps", "u1.medium"): {"cpus": 8, "memory": 512 * MI}})
    builder = VMBuilder(vm, lookup)
    assert (builder.item().data["cpuCount"], builder.item().data["memoryMB"]) == (1, 4096)
    assert ("cluster_instancetypes", "", "u1.medium") in builder.depends
    vm["spec"]["instancetype"]["kind"] = "VirtualMachineInstancetype"
    assert VMBuilder(vm, lookup).item().data["cpuCount"] == 8
