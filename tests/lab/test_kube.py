"""The lab's target cluster: real control plane, simulated nodes, storage, Pods and VMs."""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import blake3
import pytest
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

pytestmark = pytest.mark.lab

ROOT = Path(__file__).resolve().parents[2]
IMAGE = "quay.io/mtvweb/mtvweb:latest"
KUBEVIRT = ("kubevirt.io", "v1")


# --- helpers ---------------------------------------------------------------------------------


def wait_for(check, timeout=60, interval=0.5, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def file_blake3(path, size=None):
    hasher = blake3.blake3()
    with open(path, "rb") as f:
        hasher.update(f.read() if size is None else f.read(size))
    return hasher.hexdigest()


def status_code(call):
    try:
        call()
    except ApiException as exc:
        return exc.status
    return 200


@pytest.fixture(scope="module")
def admin(kube_lab):
    return config.new_client_from_config(kube_lab["admin_kubeconfig"])


@pytest.fixture(scope="module")
def core(admin):
    return client.CoreV1Api(admin)


@pytest.fixture(scope="module")
def custom(admin):
    return client.CustomObjectsApi(admin)


@pytest.fixture(scope="module")
def user(kube_lab):
    return config.new_client_from_config(kube_lab["user_kubeconfig"])


@pytest.fixture
def namespace(core):
    """A throwaway namespace, deleted after the test."""
    name = unique("t")
    core.create_namespace({"metadata": {"name": name}})
    wait_for(
        lambda: any(sa.metadata.name == "default" for sa in core.list_namespaced_service_account(name).items),
        what="default ServiceAccount",
    )
    yield name
    status_code(lambda: core.delete_namespace(name))  # the test may have deleted it already


def make_pvc(core, ns, name, storage_class, size="16Mi", mode="Filesystem"):
    return core.create_namespaced_persistent_volume_claim(
        ns,
        {
            "metadata": {"name": name},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "volumeMode": mode,
                "storageClassName": storage_class,
                "resources": {"requests": {"storage": size}},
            },
        },
    )


def make_pod(core, ns, name, command, image=IMAGE, restart="Never", service_account=None, **container):
    body = {
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": restart,
            **({"serviceAccountName": service_account} if service_account else {}),
            "volumes": container.pop("volumes", []),
            "containers": [{"name": "main", "image": image, "command": command, **container}],
        },
    }
    return core.create_namespaced_pod(ns, body)


def wait_pod_phase(core, ns, name, phases=("Succeeded", "Failed"), timeout=60):
    return wait_for(
        lambda: (p := core.read_namespaced_pod(name, ns)).status.phase in phases and p,
        timeout=timeout,
        what=f"pod {ns}/{name} in {phases}",
    )


def events_for(core, ns, name):
    return [
        (e.type, e.reason, e.message)
        for e in core.list_namespaced_event(ns).items
        if e.involved_object.name == name
    ]


def vm_body(name, run_strategy="Always", macs=("02:00:00:aa:bb:01",), claim=None):
    interfaces = [{"name": f"nic{i}", "macAddress": mac, "bridge": {}} for i, mac in enumerate(macs)]
    networks = [{"name": "nic0", "pod": {}}] + [
        {"name": f"nic{i}", "multus": {"networkName": "default/br-ext"}} for i in range(1, len(macs))
    ]
    volumes = [{"name": "root", "persistentVolumeClaim": {"claimName": claim}}] if claim else []
    disks = [{"name": "root", "disk": {"bus": "virtio"}}] if claim else []
    return {
        "apiVersion": "kubevirt.io/v1",
        "kind": "VirtualMachine",
        "metadata": {"name": name},
        "spec": {
            "runStrategy": run_strategy,
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "domain": {
                        "cpu": {"cores": 2},
                        "memory": {"guest": "1Gi"},
                        "firmware": {"bootloader": {"efi": {"secureBoot": False}}},
                        "devices": {"disks": disks, "interfaces": interfaces},
                    },
                    "networks": networks,
                    "volumes": volumes,
                },
            },
        },
    }


def get_vm(custom, ns, name, plural="virtualmachines"):
    try:
        return custom.get_namespaced_custom_object(*KUBEVIRT, ns, plural, name)
    except ApiException as exc:
        if exc.status == 404:
            return None
        raise


# --- the cluster as recorded -----------------------------------------------------------------


def test_record_describes_a_ready_cluster(kube_lab, core, admin, custom):
    nodes = {n.metadata.name: n for n in core.list_node().items}
    for name in kube_lab["nodes"]:
        ready = {c.type: c.status for c in nodes[name].status.conditions}["Ready"]
        assert ready == "True", name
    classes = {sc.metadata.name: sc for sc in client.StorageV1Api(admin).list_storage_class().items}
    for name, info in kube_lab["storage_classes"].items():
        assert classes[name].provisioner == info["provisioner"]
    assert kube_lab["storage_classes"]["small-capacity"]["capacity"] == "300Mi"
    default = [
        n
        for n, sc in classes.items()
        if (sc.metadata.annotations or {}).get("storageclass.kubernetes.io/is-default-class") == "true"
    ]
    assert default == [kube_lab["default_storage_class"]]
    profiles = {
        p["metadata"]["name"]: p
        for p in custom.list_cluster_custom_object("cdi.kubevirt.io", "v1beta1", "storageprofiles")["items"]
    }
    assert set(profiles) == set(classes)
    with_sets = {n for n, p in profiles.items() if p["status"].get("claimPropertySets")}
    assert with_sets and with_sets != set(profiles)  # some profiles are empty: the §2.2 fallback applies
    for ref in kube_lab["nads"]:
        ns, name = ref.split("/")
        nad = custom.get_namespaced_custom_object(
            "k8s.cni.cncf.io", "v1", ns, "network-attachment-definitions", name
        )
        assert json.loads(nad["spec"]["config"])["name"] == name
    for ns in ("openshift-mtv", "mtv-user", "mtv-demo", "openshift-cnv"):
        assert core.read_namespace(ns).status.phase == "Active"


# --- Pods run the transfer entrypoint against real volumes -----------------------------------


@pytest.mark.parametrize(
    "storage_class,mode",
    [("ocs-storagecluster-cephfs", "Filesystem"), ("ocs-storagecluster-ceph-rbd", "Block")],
)
def test_transfer_pod_writes_pvc_bytes(kube_lab, core, storage_class, mode):
    ns, name = kube_lab["user_namespace"], unique(f"xfer-{mode.lower()}")
    size = 16 << 20
    make_pvc(core, ns, name, storage_class, size="16Mi", mode=mode)
    volume = [{"name": "disk", "persistentVolumeClaim": {"claimName": name}}]
    if mode == "Block":
        target, placement = "/dev/disk0", {"volumeDevices": [{"name": "disk", "devicePath": "/dev/disk0"}]}
    else:
        target, placement = "/data/disk.img", {"volumeMounts": [{"name": "disk", "mountPath": "/data"}]}
    make_pod(
        core,
        ns,
        name,
        ["python", "-m", "mtvweb.pods.transfer", "--selftest"],
        args=["--target", target, "--size", str(size)],
        volumes=volume,
        **placement,
    )

    pod = wait_pod_phase(core, ns, name)
    log = core.read_namespaced_pod_log(name, ns)  # fetched by the API server from the simulated kubelet
    assert pod.status.phase == "Succeeded", log
    report = json.loads(log.strip().splitlines()[-1])
    assert report["target"] == target and report["size"] == size

    pvc = core.read_namespaced_persistent_volume_claim(name, ns)
    pv = core.read_persistent_volume(pvc.spec.volume_name)
    backing = Path(pv.metadata.annotations["lab.mtvweb/path"])
    assert pvc.metadata.annotations["lab.mtvweb/path"] == str(backing)
    assert Path(kube_lab["volumes_dir"]) in backing.parents
    assert pv.spec.volume_mode == mode and pv.spec.capacity["storage"] == "16Mi"
    data_file = backing if mode == "Block" else backing / "disk.img"
    assert data_file.stat().st_size == size
    assert file_blake3(data_file) == report["blake3"]


def test_pod_gets_service_account_token_secrets_and_config(kube_lab, core):
    ns, name = kube_lab["user_namespace"], unique("incluster")
    core.create_namespaced_secret(ns, {"metadata": {"name": name}, "stringData": {"password": "s3cret"}})
    core.create_namespaced_config_map(ns, {"metadata": {"name": name}, "data": {"plan.yaml": "vms: 3\n"}})
    script = (
        "import os, kubernetes as k\n"
        "k.config.load_incluster_config()\n"
        "pods = k.client.CoreV1Api().list_namespaced_pod(os.environ['POD_NAMESPACE']).items\n"
        "print('pods', any(p.metadata.name == os.environ['POD_NAME'] for p in pods))\n"
        "print('password', os.environ['PASSWORD'])\n"
        "print('plan', open('/config/plan.yaml').read().strip())\n"
        "print('scratch', os.access('/scratch', os.W_OK))\n"
    )
    make_pod(
        core,
        ns,
        name,
        ["python", "-c", script],
        service_account="lab-user",  # may list pods (edit role)
        env=[
            {"name": "PASSWORD", "valueFrom": {"secretKeyRef": {"name": name, "key": "password"}}},
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}},
        ],
        volumeMounts=[
            {"name": "config", "mountPath": "/config"},
            {"name": "scratch", "mountPath": "/scratch"},
        ],
        volumes=[{"name": "config", "configMap": {"name": name}}, {"name": "scratch", "emptyDir": {}}],
    )
    pod = wait_pod_phase(core, ns, name)
    log = core.read_namespaced_pod_log(name, ns)
    assert pod.status.phase == "Succeeded", log
    assert log.split("\n")[:4] == ["pods True", "password s3cret", "plan vms: 3", "scratch True"]
    assert not Path("/config").exists() and not Path("/scratch").exists()  # mounts stayed in the sandbox


def test_pods_run_in_the_images_root_not_on_the_host(kube_lab, core):
    """Every container's / is the image's root filesystem (python -m lab image): `python` is the
    image's venv, the image's own files are there (the vddk plugin the host's nbdkit lacks), the
    lab's venv is not."""
    ns, name = kube_lab["user_namespace"], unique("image")
    plugin = "/usr/lib/x86_64-linux-gnu/nbdkit/plugins/nbdkit-vddk-plugin.so"
    make_pod(core, ns, name, ["python", "-c", "import os, sys; "
                              f"print(sys.prefix, os.path.exists({plugin!r}), os.path.exists({sys.prefix!r}))"])
    pod = wait_pod_phase(core, ns, name)
    assert pod.status.phase == "Succeeded"
    assert core.read_namespaced_pod_log(name, ns).split() == ["/opt/mtvweb/venv", "True", "False"]


def test_failing_container_reports_exit_code_and_log_tail(kube_lab, core):
    ns, name = kube_lab["user_namespace"], unique("fail")
    make_pod(
        core,
        ns,
        name,
        ["python", "-c", "import sys; print('disk not found'); sys.exit(3)"],
        terminationMessagePolicy="FallbackToLogsOnError",
    )
    pod = wait_pod_phase(core, ns, name)
    assert pod.status.phase == "Failed"
    terminated = pod.status.container_statuses[0].state.terminated
    assert (terminated.exit_code, terminated.reason) == (3, "Error")
    assert "disk not found" in terminated.message
    assert core.read_namespaced_pod_log(name, ns, tail_lines=1).strip() == "disk not found"


def test_on_failure_restarts_until_success(kube_lab, core):
    ns, name = kube_lab["user_namespace"], unique("retry")
    script = (
        "import os, sys\n"
        "runs = len(os.listdir('/scratch'))\n"
        "open(f'/scratch/run{runs}', 'w').close()\n"
        "print('run', runs)\n"
        "sys.exit(0 if runs else 1)\n"
    )
    make_pod(
        core,
        ns,
        name,
        ["python", "-c", script],
        restart="OnFailure",
        volumeMounts=[{"name": "scratch", "mountPath": "/scratch"}],
        volumes=[{"name": "scratch", "emptyDir": {}}],
    )
    pod = wait_pod_phase(core, ns, name)
    status = pod.status.container_statuses[0]
    assert pod.status.phase == "Succeeded" and status.restart_count == 1
    assert status.last_state.terminated.exit_code == 1
    assert core.read_namespaced_pod_log(name, ns).strip() == "run 1"
    assert core.read_namespaced_pod_log(name, ns, previous=True).strip() == "run 0"


def test_active_deadline_fails_the_pod(kube_lab, core):
    ns, name = kube_lab["user_namespace"], unique("deadline")
    body = {
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "activeDeadlineSeconds": 2,
            "containers": [
                {"name": "main", "image": IMAGE, "command": ["python", "-c", "import time; time.sleep(300)"]}
            ],
        },
    }
    core.create_namespaced_pod(ns, body)
    pod = wait_pod_phase(core, ns, name, timeout=30)
    assert (pod.status.phase, pod.status.reason) == ("Failed", "DeadlineExceeded")


def test_foreign_image_stays_pending_with_image_pull_error(kube_lab, core):
    ns, name = kube_lab["user_namespace"], unique("foreign")
    make_pod(core, ns, name, ["sleep", "1"], image="registry.example.com/virt-v2v:latest")

    def waiting():
        pod = core.read_namespaced_pod(name, ns)
        statuses = pod.status.container_statuses or []
        return statuses and statuses[0].state.waiting and (pod, statuses[0].state.waiting)

    pod, state = wait_for(waiting, what="waiting state")
    assert pod.status.phase == "Pending"
    assert state.reason == "ErrImagePull"
    assert "only the mtvweb image" in state.message


def test_loopback_nfs_volume_is_the_local_directory_read_only(kube_lab, core, tmp_path):
    ns = kube_lab["user_namespace"]
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "vm.ovf").write_text("<Envelope/>")
    script = (
        "import os\n"
        "print(open('/ova/vm.ovf').read())\n"
        "try:\n"
        "    open('/ova/new', 'w')\n"
        "except OSError as exc:\n"
        "    print('write refused', exc.errno)\n"
    )
    name = unique("nfs")
    make_pod(
        core,
        ns,
        name,
        ["python", "-c", script],
        volumeMounts=[{"name": "ova", "mountPath": "/ova"}],
        volumes=[{"name": "ova", "nfs": {"server": "127.0.0.1", "path": str(tmp_path / "export")}}],
    )
    pod = wait_pod_phase(core, ns, name)
    log = core.read_namespaced_pod_log(name, ns)
    assert pod.status.phase == "Succeeded", log
    assert log.split("\n")[:2] == ["<Envelope/>", "write refused 30"]  # EROFS
    assert not (tmp_path / "export" / "new").exists()

    failures = {}
    for server, path in (
        ("127.0.0.1", str(tmp_path / "missing")),
        ("nfs.example.com", str(tmp_path / "export")),
    ):
        name = unique("nfs-fail")
        volume = {"name": "ova", "nfs": {"server": server, "path": path}}
        make_pod(
            core, ns, name, ["true"], volumeMounts=[{"name": "ova", "mountPath": "/ova"}], volumes=[volume]
        )
        failures[server] = wait_for(
            lambda n=name: [m for _, reason, m in events_for(core, ns, n) if reason == "FailedMount"],
            what=f"FailedMount event of {name}",
        )[0]
        assert core.read_namespaced_pod(name, ns).status.phase == "Pending"
    assert f"access denied by server while mounting 127.0.0.1:{tmp_path / 'missing'}" in failures["127.0.0.1"]
    assert "Connection timed out while mounting nfs.example.com:" in failures["nfs.example.com"]


def test_job_controller_runs_pods_to_completion(kube_lab, admin):
    ns, name = kube_lab["user_namespace"], unique("hook")
    batch = client.BatchV1Api(admin)
    batch.create_namespaced_job(
        ns,
        {
            "metadata": {"name": name},
            "spec": {
                "backoffLimit": 0,
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [
                            {"name": "hook", "image": IMAGE, "command": ["python", "-c", "print('hook ran')"]}
                        ],
                    }
                },
            },
        },
    )
    job = wait_for(
        lambda: (j := batch.read_namespaced_job(name, ns)).status.succeeded and j, what="job succeeded"
    )
    assert job.status.succeeded == 1


def test_deleting_a_running_pod_stops_its_process(kube_lab, core):
    ns, name = kube_lab["user_namespace"], unique("sleeper")
    make_pod(core, ns, name, ["python", "-c", "import time; print('up', flush=True); time.sleep(300)"])
    wait_for(lambda: core.read_namespaced_pod(name, ns).status.phase == "Running", what="running")
    wait_for(lambda: "up" in core.read_namespaced_pod_log(name, ns), what="log line")
    started = time.monotonic()
    core.delete_namespaced_pod(name, ns)
    wait_for(
        lambda: status_code(lambda: core.read_namespaced_pod(name, ns)) == 404, timeout=30, what="pod gone"
    )
    assert time.monotonic() - started < 10  # SIGTERM ended it; no 30 s grace period wait
    assert not list(Path(kube_lab["pods_dir"]).glob(f"{ns}_{name}_*"))


# --- RBAC for a non-admin --------------------------------------------------------------------


def test_non_admin_is_confined_to_its_namespace(kube_lab, user):
    ns = kube_lab["user_namespace"]
    core = client.CoreV1Api(user)
    assert status_code(core.list_node) == 403
    assert status_code(core.list_namespace) == 403
    assert status_code(lambda: core.list_namespaced_pod("mtv-demo")) == 403
    assert status_code(lambda: make_pvc(core, "mtv-demo", unique("nope"), "standard")) == 403
    # Allowed: its own namespace, including the KubeVirt kinds (aggregated into `edit`).
    name = unique("mine")
    make_pvc(core, ns, name, kube_lab["default_storage_class"])
    make_pod(core, ns, name, ["python", "-c", "print('ok')"])
    client.CustomObjectsApi(user).create_namespaced_custom_object(
        *KUBEVIRT, ns, "virtualmachines", vm_body(name, "Halted")
    )
    assert wait_pod_phase(core, ns, name).status.phase == "Succeeded"


# --- storage -----------------------------------------------------------------------------------


def test_claim_over_class_capacity_stays_pending_with_warning(kube_lab, core):
    ns, name, fits = kube_lab["user_namespace"], unique("toobig"), unique("fits")
    try:
        make_pvc(core, ns, name, "small-capacity", size="1Gi")
        reasons = wait_for(
            lambda: [e for e in events_for(core, ns, name) if e[1] == "ProvisioningFailed"],
            what="ProvisioningFailed event",
        )
        assert (
            reasons[0][0] == "Warning" and "insufficient capacity" in reasons[0][2] and "300Mi" in reasons[0][2]
        )
        assert core.read_namespaced_persistent_volume_claim(name, ns).status.phase == "Pending"
        make_pvc(core, ns, fits, "small-capacity", size="100Mi")
        wait_for(
            lambda: core.read_namespaced_persistent_volume_claim(fits, ns).status.phase == "Bound", what="bound"
        )
    finally:  # the class's capacity is shared with other tests
        for claim in (name, fits):
            status_code(lambda claim=claim: core.delete_namespaced_persistent_volume_claim(claim, ns))


def test_deleting_claim_removes_volume_and_backing_directory(kube_lab, core):
    ns, name = kube_lab["user_namespace"], unique("gone")
    make_pvc(core, ns, name, "ocs-storagecluster-cephfs")
    pvc = wait_for(
        lambda: (c := core.read_namespaced_persistent_volume_claim(name, ns)).status.phase == "Bound" and c,
        what="bound",
    )
    backing = Path(pvc.metadata.annotations["lab.mtvweb/path"])
    assert backing.is_dir()
    core.delete_namespaced_persistent_volume_claim(name, ns)
    wait_for(
        lambda: status_code(lambda: core.read_persistent_volume(pvc.spec.volume_name)) == 404,
        what="PV deleted",
    )
    assert not backing.exists()


# --- KubeVirt --------------------------------------------------------------------------------


def test_vm_runs_with_its_macs_and_stops_when_halted(kube_lab, custom):
    ns, name = kube_lab["user_namespace"], unique("vm")
    macs = ("02:00:00:aa:bb:01", "02:00:00:aa:bb:02")
    custom.create_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", vm_body(name, "Always", macs))
    vmi = wait_for(
        lambda: (
            (v := get_vm(custom, ns, name, "virtualmachineinstances"))
            and v.get("status", {}).get("phase") == "Running"
            and v
        ),
        what="VMI Running",
    )
    assert vmi["status"]["nodeName"] in kube_lab["nodes"]
    assert [(i["name"], i["mac"]) for i in vmi["status"]["interfaces"]] == [
        ("nic0", macs[0]),
        ("nic1", macs[1]),
    ]
    vm = wait_for(
        lambda: (v := get_vm(custom, ns, name)).get("status", {}).get("ready") and v, what="VM ready"
    )
    assert vm["status"]["printableStatus"] == "Running"

    custom.patch_namespaced_custom_object(
        *KUBEVIRT, ns, "virtualmachines", name, {"spec": {"runStrategy": "Halted"}}
    )
    wait_for(lambda: get_vm(custom, ns, name, "virtualmachineinstances") is None, what="VMI removed")
    vm = wait_for(
        lambda: (v := get_vm(custom, ns, name))["status"]["printableStatus"] == "Stopped" and v,
        what="VM Stopped",
    )
    assert vm["status"]["ready"] is False


def test_vm_with_missing_claim_reports_it(kube_lab, custom, core):
    ns, name = kube_lab["user_namespace"], unique("vm-nopvc")
    custom.create_namespaced_custom_object(
        *KUBEVIRT, ns, "virtualmachines", vm_body(name, claim=f"{name}-root")
    )
    vm = wait_for(
        lambda: (v := get_vm(custom, ns, name)).get("status", {}).get("printableStatus") and v,
        what="VM status",
    )
    assert vm["status"]["printableStatus"] == "ErrorPvcNotFound"
    ready = next(c for c in vm["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and f"PVC {ns}/{name}-root does not exist" in ready["message"]
    make_pvc(core, ns, f"{name}-root", kube_lab["default_storage_class"])
    wait_for(lambda: get_vm(custom, ns, name)["status"]["printableStatus"] == "Running", what="VM Running")


def test_garbage_collector_deletes_vmi_with_its_vm(kube_lab, custom):
    ns, name = kube_lab["user_namespace"], unique("vm-gc")
    custom.create_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", vm_body(name))
    wait_for(lambda: get_vm(custom, ns, name, "virtualmachineinstances"), what="VMI created")
    custom.delete_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", name)
    wait_for(lambda: get_vm(custom, ns, name, "virtualmachineinstances") is None, what="VMI collected")


def test_deleting_a_namespace_removes_its_objects(namespace, core, custom, kube_lab):
    make_pvc(core, namespace, "root", kube_lab["default_storage_class"])
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "settings"}, "data": {"a": "b"}})
    custom.create_namespaced_custom_object(
        *KUBEVIRT, namespace, "virtualmachines", vm_body("vm1", claim="root")
    )
    pvc = wait_for(  # the simulator annotates the claim with its backing path right after binding
        lambda: (c := core.read_namespaced_persistent_volume_claim("root", namespace)).spec.volume_name
        and "lab.mtvweb/path" in (c.metadata.annotations or {}) and c,
        what="bound",
    )
    wait_for(lambda: get_vm(custom, namespace, "vm1", "virtualmachineinstances"), what="VMI created")
    core.delete_namespace(namespace)
    wait_for(
        lambda: status_code(lambda: core.read_namespace(namespace)) == 404, timeout=90, what="namespace gone"
    )
    assert status_code(lambda: core.read_persistent_volume(pvc.spec.volume_name)) == 404
    assert not Path(pvc.metadata.annotations["lab.mtvweb/path"]).exists()


# --- lab up/down -----------------------------------------------------------------------------


def test_restart_resumes_without_duplicating_work(kube_lab, lab_dir, core, custom):
    """Kill the simulator; `lab up` restarts the part and it carries on from the API's state."""
    ns = kube_lab["user_namespace"]
    done, sleeper, vm = unique("done"), unique("sleeper"), unique("vm-keep")
    make_pvc(core, ns, done, "ocs-storagecluster-cephfs")
    make_pod(
        core,
        ns,
        done,
        ["python", "-c", "print('finished once')"],
        volumes=[{"name": "d", "persistentVolumeClaim": {"claimName": done}}],
        volumeMounts=[{"name": "d", "mountPath": "/d"}],
    )
    make_pod(core, ns, sleeper, ["python", "-c", "import time; time.sleep(600)"])
    custom.create_namespaced_custom_object(*KUBEVIRT, ns, "virtualmachines", vm_body(vm))
    assert wait_pod_phase(core, ns, done).status.phase == "Succeeded"
    wait_for(lambda: core.read_namespaced_pod(sleeper, ns).status.phase == "Running", what="sleeper running")
    vmi = wait_for(
        lambda: (
            (v := get_vm(custom, ns, vm, "virtualmachineinstances"))
            and v.get("status", {}).get("phase") == "Running"
            and v
        ),
        what="VMI Running",
    )
    finished_at = core.read_namespaced_pod(done, ns).status.container_statuses[0].state.terminated.finished_at

    state = json.loads((lab_dir / "lab.json").read_text())
    os.kill(state["pids"]["kube"]["kube-simulator"], 9)
    subprocess.run(
        [sys.executable, "-m", "lab", "up", "--parts", "kube"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )

    # The finished Pod is not run again and its log is still served.
    pod = core.read_namespaced_pod(done, ns)
    assert pod.status.phase == "Succeeded"
    assert pod.status.container_statuses[0].state.terminated.finished_at == finished_at
    assert core.read_namespaced_pod_log(done, ns).strip() == "finished once"
    # The Pod whose process died with the node is reported as lost, as a kubelet does.
    lost = wait_pod_phase(core, ns, sleeper)
    assert lost.status.phase == "Failed"
    assert lost.status.container_statuses[0].state.terminated.reason == "ContainerStatusUnknown"
    # One volume per claim, the same VMI, and new work still gets done.
    pvc_uid = core.read_namespaced_persistent_volume_claim(done, ns).metadata.uid
    volumes = [
        pv
        for pv in core.list_persistent_volume().items
        if pv.spec.claim_ref and pv.spec.claim_ref.uid == pvc_uid
    ]
    assert len(volumes) == 1
    assert get_vm(custom, ns, vm, "virtualmachineinstances")["metadata"]["uid"] == vmi["metadata"]["uid"]
    again = unique("after")
    make_pod(core, ns, again, ["python", "-c", "print('after restart')"])
    assert wait_pod_phase(core, ns, again).status.phase == "Succeeded"


def test_warm_lab_up_returns_quickly(kube_lab):
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "lab", "up", "--parts", "kube"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert time.monotonic() - started < 3


def test_cold_lab_up_from_nothing(tmp_path):
    env = {**os.environ, "MTVWEB_LAB_DIR": str(tmp_path / "lab")}
    started = time.monotonic()
    try:
        out = subprocess.run(
            [sys.executable, "-m", "lab", "up", "--parts", "kube"],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
        elapsed = time.monotonic() - started
        record = json.loads(Path(out.stdout.strip().splitlines()[-1]).read_text())["kube"]
        nodes = client.CoreV1Api(config.new_client_from_config(record["admin_kubeconfig"])).list_node().items
        assert len(nodes) == len(record["nodes"])
        assert elapsed < 60, f"cold lab up took {elapsed:.1f}s"
    finally:
        subprocess.run(
            [sys.executable, "-m", "lab", "down", "--parts", "kube"], cwd=ROOT, env=env, timeout=120
        )
