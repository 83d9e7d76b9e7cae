"""A KubeVirt (OpenShift Virtualization) cluster as a migration source.

Each disk of the VM is a PVC (or a DataVolume's PVC) in the VM's namespace. While the VM is
stopped, a *reader* Pod per disk mounts that claim read-only in the source namespace and serves
the disk over HTTP (`python -m mtvweb.pods.serve`: Range requests, a bearer token); the transfer
Pod in the target namespace reads it like any other `--source-kind http` source. The reader
writes the port it bound into its own Pod's annotation `mtvweb.io/reader-port`: the namespace's
ServiceAccount `mtvweb-reader` is bound to a Role `<vm>-reader` that may get and patch exactly
that VM's reader Pods (by name) and nothing else; the URL is the Pod's IP and that port.

The token is one per source VM: a random value kept in the Secret `<vm>-reader` of the source
namespace, made on first use and read back after, so prepare_disks and reader_secret agree
across worker restarts. The transfer Pod gets it as `SOURCE_TOKEN_HEADER: Authorization: Bearer
…`. release_disks deletes the reader Pods, the Secret and the Role. The VM is stopped and started through
its `spec.runStrategy` (Halted / Always).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from contextlib import contextmanager

from django.conf import settings
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from providers.adapters.base import ProviderError
from providers.adapters.openshift import client as cluster
from providers.adapters.openshift.vm import CLAIM_VOLUMES
from providers.adapters.source import POWER_TIMEOUT, DiskSource, NicSource, SourceVM, refusals, wait_for
from providers.adapters.source import Operations as BaseOperations
from providers.kube import KUBEVIRT, open_api

READER_ACCOUNT = "mtvweb-reader"
ROLE_LABEL, SOURCE_VM_LABEL, SOURCE_UID_LABEL = "mtvweb.io/role", "mtvweb.io/source-vm", "mtvweb.io/source-vm-uid"
PORT_ANNOTATION = "mtvweb.io/reader-port"  # written by the reader (mtvweb/pods/serve.py)
TOKEN_ANNOTATION = "mtvweb.io/reader-token-sha256"  # which token a reader Pod was started with
TOKEN_KEY = "READER_TOKEN"
FILESYSTEM_MOUNT, BLOCK_DEVICE = "/source", "/dev/source"
BUSES = {"virtio", "sata", "scsi", "usb"}
READER_TIMEOUT = 180  # seconds for a reader Pod to run and announce its port
GONE_TIMEOUT = 90  # seconds for deleted reader Pods to go away
IDLE_EXIT = 1800  # a reader nobody reads from for this long stops by itself
FAILED_WAITING = {"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError",
                  "CreateContainerError", "CrashLoopBackOff"}


def phase_of(instance: dict | None) -> str:
    return ((instance or {}).get("status") or {}).get("phase", "")


def short_name(base: str, suffix: str, limit: int = 63) -> str:
    """base + suffix within `limit` characters (a long base is cut and given a hash, so names stay unique)."""
    if len(base) + len(suffix) <= limit:
        return base + suffix
    digest = hashlib.sha256(base.encode()).hexdigest()[:8]
    return f"{base[:limit - len(suffix) - 9].rstrip('-.')}-{digest}{suffix}"


def safe_label(value: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in value)[:63]
    return cleaned.strip("-_.") or "x"


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class Operations(BaseOperations):
    def __init__(self, adapter):
        super().__init__(adapter)
        self.vm = None  # the VM this instance serves (the engine makes one per VM); set by describe/prepare

    # --- the VM in the target's terms -----------------------------------------------------------

    @staticmethod
    def _where(vm) -> tuple[str, str]:
        return vm.data.get("namespace") or vm.path.strip("/").split("/")[0], vm.data.get("name") or vm.name

    def describe(self, vm) -> SourceVM:
        self.vm = vm
        data = vm.data
        storages = self.adapter.disk_storages(data)
        disks = []
        for record, storage in sorted(zip(data.get("disks") or [], storages, strict=True),
                                      key=lambda pair: (pair[0].get("bootOrder") is None, pair[0].get("bootOrder") or 0)):
            name = record.get("name", "")
            if record.get("volumeType") not in CLAIM_VOLUMES:
                kind = record.get("volumeType") or "no volume"
                raise ProviderError(f"Disk {name} of {vm.name} is a {kind} disk; only disks on a PVC or a DataVolume "
                                    "can be migrated. Remove that disk from the VM (or the VM from the plan), then "
                                    "restart the migration.")
            if record.get("phase") not in ("Bound", "Succeeded") or not record.get("capacity"):
                claim = record.get("claim") or {}
                raise ProviderError(f"The claim {claim.get('namespace')}/{claim.get('name')} of disk {name} of "
                                    f"{vm.name} is {record.get('phase') or 'not bound'}: bind it (or remove the disk), "
                                    "then restart the migration.")
            disks.append(DiskSource(id=name, capacity=int(record["capacity"]), storage=storage,
                                    bus=record.get("bus") if record.get("bus") in BUSES else "virtio"))
        nics = [NicSource(mac=nic.get("mac", ""), network=network, model=nic.get("model") or "virtio")
                for nic, network in zip(data.get("nics") or [], self.adapter.nic_networks(data), strict=True)]
        sockets, cores = self._topology(data)
        return SourceVM(id=vm.uid, name=vm.name, sockets=sockets, cores=cores,
                        memory_mib=int(data.get("memoryMB") or 1024), firmware=data.get("firmware") or "bios",
                        disks=disks, nics=nics, powered_on=data.get("powerState") == "On")

    @staticmethod
    def _topology(data: dict) -> tuple[int, int]:
        """(sockets, cores) with threads folded into cores (the target VM gets threads=1)."""
        domain = (((data.get("object") or {}).get("spec") or {}).get("template") or {}).get("spec", {}).get("domain")
        cpu = (domain or {}).get("cpu") or {}
        if cpu and data.get("instancetype") is None:
            return int(cpu.get("sockets") or 1), int(cpu.get("cores") or 1) * int(cpu.get("threads") or 1)
        return max(int(data.get("cpuCount") or 1), 1), 1  # an instancetype or a CPU request: one core per socket

    def _claims(self, vm) -> list[dict]:
        """The claims behind the VM's disks: namespace, name, the disk's id, volume mode and capacity."""
        return [{**(d.get("claim") or {}), "disk": d.get("name", ""), "volumeMode": d.get("volumeMode", ""),
                 "capacity": int(d.get("capacity") or 0)}
                for d in vm.data.get("disks") or [] if d.get("volumeType") in CLAIM_VOLUMES]

    # --- the cluster ----------------------------------------------------------------------------

    @contextmanager
    def _api(self, doing: str):
        """The source cluster's API; what the kubernetes client raises in the block is told as a
        refusal while `doing`. The power helpers of `cluster` explain their errors already: wrap
        those in `refusals(doing)`."""
        url = self.adapter.url
        try:
            api = open_api(url, self.adapter.credentials)
        except ProviderError as exc:
            raise ProviderError(f"Could not {doing}: {exc.message}", retryable=exc.retryable) from None
        try:
            yield api
        except cluster.CLIENT_ERRORS:
            with refusals(doing), cluster.api_errors(url, doing):
                raise
        finally:
            api.close()

    # --- power ----------------------------------------------------------------------------------

    def is_powered_on(self, vm) -> bool:
        ns, name = self._where(vm)
        doing = f"read the power state of VirtualMachine {ns}/{name}"
        with self._api(doing) as api, refusals(doing):
            return cluster.power_state(api, self.adapter.url, ns, name) == "On"

    def _instance(self, api, ns: str, name: str) -> dict | None:
        try:
            return client.CustomObjectsApi(api).get_namespaced_custom_object(
                *KUBEVIRT, ns, "virtualmachineinstances", name, _request_timeout=cluster.TIMEOUT)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def switch(self, vm, on: bool) -> None:
        ns, name = self._where(vm)
        doing = f"{'start' if on else 'stop'} VirtualMachine {ns}/{name}"
        with self._api(doing) as api:
            with refusals(doing):
                if on:
                    cluster.power_on(api, self.adapter.url, ns, name)
                else:
                    cluster.power_off(api, self.adapter.url, ns, name)

            def reached(instance) -> bool:
                return phase_of(instance) == "Running" if on else instance is None

            def failure(instance) -> str:
                now = f"its VirtualMachineInstance is {phase_of(instance) or 'Pending'}" if instance else \
                    "it has no instance"
                return (f"VirtualMachine {ns}/{name} did not {'start' if on else 'stop'} within {POWER_TIMEOUT} s "
                        f"({now}): check it in the source cluster, then restart the migration.")

            wait_for(lambda: self._instance(api, ns, name), reached, failure)

    # --- the reader's token ---------------------------------------------------------------------

    @staticmethod
    def _secret_name(vm) -> str:
        return short_name(Operations._where(vm)[1], "-reader", 253)

    def _labels(self, vm) -> dict:
        return {ROLE_LABEL: "reader", SOURCE_VM_LABEL: safe_label(self._where(vm)[1]),
                SOURCE_UID_LABEL: safe_label(vm.uid)}

    def _token(self, core, vm) -> str:
        """The VM's reader token from its Secret in the source namespace, made when missing."""
        ns, name = self._where(vm)[0], self._secret_name(vm)
        for _ in range(3):
            try:
                secret = core.read_namespaced_secret(name, ns, _request_timeout=cluster.TIMEOUT)
                token = base64.b64decode((secret.data or {}).get(TOKEN_KEY, "")).decode()
                if token:
                    return token
                core.delete_namespaced_secret(name, ns)  # not ours to trust: made again below
            except ApiException as exc:
                if exc.status != 404:
                    raise
            try:
                core.create_namespaced_secret(ns, {
                    "metadata": {"name": name, "labels": self._labels(vm)}, "type": "Opaque",
                    "stringData": {TOKEN_KEY: secrets.token_urlsafe(32)}}, _request_timeout=cluster.TIMEOUT)
            except ApiException as exc:
                if exc.status != 409:  # made meanwhile by another worker: read it
                    raise
        raise ProviderError(f"Could not keep the reader Secret {ns}/{name}: it changes while it is read. Restart "
                            "the migration.")

    def reader_secret(self) -> dict[str, str]:
        """The transfer Pod's header for the readers of this VM. The engine asks once at Initialize,
        before this instance has seen the VM (then there is nothing to give yet), and again right
        after prepare_disks, before any transfer Pod starts."""
        if self.vm is None:
            return {}
        ns, name = self._where(self.vm)
        with self._api(f"keep the reader Secret of VirtualMachine {ns}/{name}") as api:
            token = self._token(client.CoreV1Api(api), self.vm)
        return {"SOURCE_TOKEN_HEADER": f"Authorization: Bearer {token}"}

    # --- the readers ----------------------------------------------------------------------------

    def _ensure_account(self, api, vm, pods: list[str]) -> None:
        """The readers' ServiceAccount, and a Role of this VM's that lets it read and patch these
        reader Pods only (their port annotation), not the other Pods of the user's namespace."""
        ns = self._where(vm)[0]
        core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
        role = self._secret_name(vm)
        rules = [{"apiGroups": [""], "resources": ["pods"], "resourceNames": pods, "verbs": ["get", "patch"]}]
        for create, body in (
                (core.create_namespaced_service_account, {"metadata": {"name": READER_ACCOUNT}}),
                (rbac.create_namespaced_role, {"metadata": {"name": role, "labels": self._labels(vm)},
                                               "rules": rules}),
                (rbac.create_namespaced_role_binding, {
                    "metadata": {"name": role, "labels": self._labels(vm)},
                    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": role},
                    "subjects": [{"kind": "ServiceAccount", "name": READER_ACCOUNT, "namespace": ns}]})):
            try:
                create(ns, body, _request_timeout=cluster.TIMEOUT)
            except ApiException as exc:
                if exc.status != 409:
                    raise
        rbac.patch_namespaced_role(role, ns, {"rules": rules}, _request_timeout=cluster.TIMEOUT)  # disks may differ

    def reader_pod(self, vm, index: int, claim: dict, volume_mode: str, token: str) -> dict:
        block = volume_mode == "Block"
        path = BLOCK_DEVICE if block else f"{FILESYSTEM_MOUNT}/disk.img"
        container = {
            "name": "reader", "image": settings.MTVWEB_IMAGE,
            "command": ["python", "-m", "mtvweb.pods.serve", "--path", path, "--size", str(claim["capacity"]),
                        "--idle-exit", str(IDLE_EXIT)],
            "env": [{"name": "READER_TOKEN", "valueFrom": {"secretKeyRef": {"name": self._secret_name(vm),
                                                                            "key": TOKEN_KEY}}},
                    {"name": "READER_PORT", "value": "0"},
                    # listen on the Pod's own address only (where the transfer Pod connects)
                    {"name": "READER_HOST", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                    {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"fieldPath": "metadata.namespace"}}}],
            "terminationMessagePolicy": "FallbackToLogsOnError",
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
        }
        if block:
            container["volumeDevices"] = [{"name": "source", "devicePath": BLOCK_DEVICE}]
        else:
            container["volumeMounts"] = [{"name": "source", "mountPath": FILESYSTEM_MOUNT, "readOnly": True}]
        return {
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": self._pod_name(vm, index), "labels": self._labels(vm),
                         "annotations": {"mtvweb.io/source-disk": claim["disk"], TOKEN_ANNOTATION: fingerprint(token)}},
            "spec": {"restartPolicy": "Never", "serviceAccountName": READER_ACCOUNT, "containers": [container],
                     "volumes": [{"name": "source", "persistentVolumeClaim": {"claimName": claim["name"],
                                                                              "readOnly": True}}]},
        }

    @staticmethod
    def _pod_name(vm, index: int) -> str:
        return short_name(Operations._where(vm)[1], f"-reader-{index}")

    def prepare_disks(self, vm, source: SourceVM) -> dict[str, list[str]]:
        """A running reader Pod per disk; returns each disk's transfer arguments by disk id. When
        one reader cannot start, the others are removed again rather than left holding claims."""
        self.vm = vm
        try:
            return self._prepare(vm, source)
        except Exception:
            try:
                self.release_disks(vm)
            except ProviderError:
                pass  # the first failure is the one to report
            raise

    def _prepare(self, vm, source: SourceVM) -> dict[str, list[str]]:
        ns, name = self._where(vm)
        claims = {c["disk"]: c for c in self._claims(vm)}
        with self._api(f"start the disk readers of VirtualMachine {ns}/{name}") as api:
            core = client.CoreV1Api(api)
            self._ensure_account(api, vm, [self._pod_name(vm, i) for i in range(len(source.disks))])
            token = self._token(core, vm)
            pods = {}
            for index, disk in enumerate(source.disks):
                claim = claims[disk.id]
                pvc = core.read_namespaced_persistent_volume_claim(claim["name"], ns, _request_timeout=cluster.TIMEOUT)
                manifest = self.reader_pod(vm, index, claim, pvc.spec.volume_mode or "Filesystem", token)
                pods[disk.id] = self._start(core, ns, manifest, token)
            args = {}
            for index, disk in enumerate(source.disks):
                ip, port = self._until_serving(core, ns, pods[disk.id], vm, index)
                host = f"[{ip}]" if ":" in ip else ip
                args[disk.id] = ["--source-kind", "http", "--url", f"http://{host}:{port}/",
                                 "--extents-url", f"http://{host}:{port}/extents"]
            return args

    def _start(self, core, ns: str, manifest: dict, token: str) -> str:
        """Create the reader Pod; one left from an earlier try is kept while it serves with this
        token, and replaced when it has stopped or holds another token."""
        name = manifest["metadata"]["name"]
        try:
            pod = core.read_namespaced_pod(name, ns, _request_timeout=cluster.TIMEOUT)
        except ApiException as exc:
            if exc.status != 404:
                raise
            pod = None
        if pod is not None:
            current = (pod.metadata.annotations or {}).get(TOKEN_ANNOTATION) == fingerprint(token)
            if current and pod.status.phase in ("Pending", "Running") and not pod.metadata.deletion_timestamp:
                return name
            self._delete_pods(core, ns, [name])
        core.create_namespaced_pod(ns, manifest, _request_timeout=cluster.TIMEOUT)
        return name

    def _until_serving(self, core, ns: str, name: str, vm, index: int) -> tuple[str, str]:
        deadline = time.monotonic() + READER_TIMEOUT
        while True:
            pod = core.read_namespaced_pod(name, ns, _request_timeout=cluster.TIMEOUT)
            port = (pod.metadata.annotations or {}).get(PORT_ANNOTATION)
            if pod.status.phase == "Running" and port and pod.status.pod_ip:
                return pod.status.pod_ip, port
            waiting = [s.state.waiting for s in pod.status.container_statuses or [] if s.state and s.state.waiting]
            if pod.status.phase in ("Failed", "Succeeded") or any(w.reason in FAILED_WAITING for w in waiting):
                why = "; ".join(f"{w.reason}: {w.message or ''}".rstrip(": ") for w in waiting) or self._log(core, ns,
                                                                                                           name)
                raise ProviderError(f"The reader Pod {ns}/{name} for disk {index + 1} of {vm.name} did not start "
                                    f"({why or pod.status.phase}): check the image setting (MTVWEB_IMAGE) and the "
                                    "source cluster, then restart the migration.")
            if time.monotonic() > deadline:
                events = core.list_namespaced_event(ns, field_selector=f"involvedObject.kind=Pod,"
                                                                       f"involvedObject.name={name}").items
                warning = next((f" ({e.reason}: {e.message})" for e in reversed(events) if e.type == "Warning"), "")
                raise ProviderError(f"The reader Pod {ns}/{name} for disk {index + 1} of {vm.name} was not serving "
                                    f"within {READER_TIMEOUT} s (it is {pod.status.phase}{warning}): check that its "
                                    "claim can be mounted (the VM must be stopped), then restart the migration.")
            time.sleep(0.5)

    @staticmethod
    def _log(core, ns: str, name: str) -> str:
        try:
            return (core.read_namespaced_pod_log(name, ns, tail_lines=5) or "").strip().replace("\n", " / ")[-500:]
        except ApiException:
            return ""

    def _delete_pods(self, core, ns: str, names: list[str]) -> None:
        for name in names:
            try:
                core.delete_namespaced_pod(name, ns, grace_period_seconds=5, _request_timeout=cluster.TIMEOUT)
            except ApiException as exc:
                if exc.status != 404:
                    raise
        deadline = time.monotonic() + GONE_TIMEOUT
        for name in names:
            while True:
                try:
                    core.read_namespaced_pod(name, ns, _request_timeout=cluster.TIMEOUT)
                except ApiException as exc:
                    if exc.status == 404:
                        break
                    raise
                if time.monotonic() > deadline:
                    raise ProviderError(f"The reader Pod {ns}/{name} did not go away within {GONE_TIMEOUT} s: delete "
                                        "it in the source cluster, then restart the migration.")
                time.sleep(0.5)

    def release_disks(self, vm) -> None:
        """Delete the VM's reader Pods (and wait until they have let go of the claims), its Secret and
        its Role. The namespace's ServiceAccount `mtvweb-reader` stays, like the transfer account."""
        ns, name = self._where(vm)
        with self._api(f"remove the disk readers of VirtualMachine {ns}/{name}") as api:
            core = client.CoreV1Api(api)
            selector = f"{ROLE_LABEL}=reader,{SOURCE_UID_LABEL}={safe_label(vm.uid)}"
            pods = core.list_namespaced_pod(ns, label_selector=selector, _request_timeout=cluster.TIMEOUT).items
            self._delete_pods(core, ns, [p.metadata.name for p in pods])
            rbac, name = client.RbacAuthorizationV1Api(api), self._secret_name(vm)
            for delete in (core.delete_namespaced_secret, rbac.delete_namespaced_role_binding,
                           rbac.delete_namespaced_role):
                try:
                    delete(name, ns, _request_timeout=cluster.TIMEOUT)
                except ApiException as exc:
                    if exc.status != 404:
                        raise
