"""Materialise a Pod's volumes on the host, as a kubelet's volume manager does.

Secret, ConfigMap, downwardAPI and projected volumes (including the bound service-account
token the ServiceAccount admission plugin injects as `kube-api-access-*`) become files
under the Pod's directory; emptyDir a directory; PVCs resolve to the path the lab's
provisioner recorded on the bound PersistentVolume; an NFS volume served by the loopback
address is that local directory (the sandbox cannot serve or mount NFS, lab/ova/README.md).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from pathlib import Path

from kubernetes import client
from kubernetes.client.exceptions import ApiException

PATH_ANNOTATION = "lab.mtvweb/path"


class VolumeNotReady(Exception):
    """The volume cannot be set up yet (missing object, unbound claim); retried later."""


@dataclass
class HostVolume:
    path: Path
    block: bool = False  # a Block-mode PVC: one file standing for the device
    read_only: bool = False


class VolumeBuilder:
    def __init__(self, api: client.ApiClient, pod: dict, directory: Path, node_allocatable: dict):
        self.core = client.CoreV1Api(api)
        self.pod = pod
        self.directory = directory
        self.node_allocatable = node_allocatable

    def build_all(self) -> dict[str, HostVolume]:
        return {volume["name"]: self.build(volume) for volume in self.pod["spec"].get("volumes") or []}

    def build(self, volume: dict) -> HostVolume:
        name = volume["name"]
        target = self.directory / "volumes" / name
        if "emptyDir" in volume:
            target.mkdir(parents=True, exist_ok=True)
            return HostVolume(target)
        if "persistentVolumeClaim" in volume:
            return self._claim(volume["persistentVolumeClaim"])
        if "nfs" in volume:
            return _nfs(name, volume["nfs"])
        if "hostPath" in volume:
            path = Path(volume["hostPath"]["path"])
            if volume["hostPath"].get("type") == "DirectoryOrCreate":
                path.mkdir(parents=True, exist_ok=True)
            return HostVolume(path)
        files: dict[str, tuple[bytes, int]] = {}
        if "secret" in volume:
            files = self._secret_files(volume["secret"], volume["secret"].get("defaultMode", 0o644))
        elif "configMap" in volume:
            files = self._config_map_files(volume["configMap"], volume["configMap"].get("defaultMode", 0o644))
        elif "downwardAPI" in volume:
            files = self._downward_files(
                volume["downwardAPI"].get("items") or [], volume["downwardAPI"].get("defaultMode", 0o644)
            )
        elif "projected" in volume:
            files = self._projected_files(volume["projected"])
        else:
            kind = next((k for k in volume if k != "name"), "unknown")
            raise VolumeNotReady(f'volume "{name}": {kind} volumes are not simulated in the lab')
        _write_files(target, files)
        return HostVolume(target, read_only=True)

    # --- sources -----------------------------------------------------------------------

    def _claim(self, source: dict) -> HostVolume:
        namespace = self.pod["metadata"]["namespace"]
        try:
            pvc = self.core.read_namespaced_persistent_volume_claim(source["claimName"], namespace)
        except ApiException as exc:
            if exc.status == 404:
                raise VolumeNotReady(f'persistentvolumeclaim "{source["claimName"]}" not found') from None
            raise
        if pvc.status.phase != "Bound" or not pvc.spec.volume_name:
            raise VolumeNotReady(f'persistentvolumeclaim "{source["claimName"]}" is not bound')
        pv = self.core.read_persistent_volume(pvc.spec.volume_name)
        annotations = pv.metadata.annotations or {}
        if PATH_ANNOTATION in annotations:
            path = Path(annotations[PATH_ANNOTATION])
        elif pv.spec.host_path:
            path = Path(pv.spec.host_path.path)
        else:
            raise VolumeNotReady(f"volume {pv.metadata.name} has no local path the lab can mount")
        return HostVolume(path, block=pv.spec.volume_mode == "Block", read_only=bool(source.get("readOnly")))

    def _secret_files(self, source: dict, mode: int) -> dict:
        name = source.get("secretName") or source.get("name")
        try:
            secret = self.core.read_namespaced_secret(name, self.pod["metadata"]["namespace"])
        except ApiException as exc:
            if exc.status == 404 and source.get("optional"):
                return {}
            if exc.status == 404:
                raise VolumeNotReady(f'secret "{name}" not found') from None
            raise
        data = {k: base64.b64decode(v) for k, v in (secret.data or {}).items()}
        return _select(data, source.get("items"), mode, f'secret "{name}"', source.get("optional"))

    def _config_map_files(self, source: dict, mode: int) -> dict:
        name = source["name"]
        try:
            config_map = self.core.read_namespaced_config_map(name, self.pod["metadata"]["namespace"])
        except ApiException as exc:
            if exc.status == 404 and source.get("optional"):
                return {}
            if exc.status == 404:
                raise VolumeNotReady(f'configmap "{name}" not found') from None
            raise
        data = {k: v.encode() for k, v in (config_map.data or {}).items()}
        data.update({k: base64.b64decode(v) for k, v in (config_map.binary_data or {}).items()})
        return _select(data, source.get("items"), mode, f'configmap "{name}"', source.get("optional"))

    def _downward_files(self, items: list[dict], mode: int) -> dict:
        files = {}
        for item in items:
            if "fieldRef" in item:
                value = field_value(self.pod, item["fieldRef"]["fieldPath"])
            else:
                value = resource_value(self.pod, item["resourceFieldRef"], self.node_allocatable)
            files[item["path"]] = (value.encode(), item.get("mode", mode))
        return files

    def _projected_files(self, projected: dict) -> dict:
        mode = projected.get("defaultMode", 0o644)
        files = {}
        for source in projected.get("sources") or []:
            if "serviceAccountToken" in source:
                token = source["serviceAccountToken"]
                files[token["path"]] = (self._token(token).encode(), mode)
            elif "secret" in source:
                files.update(self._secret_files(source["secret"], mode))
            elif "configMap" in source:
                files.update(self._config_map_files(source["configMap"], mode))
            elif "downwardAPI" in source:
                files.update(self._downward_files(source["downwardAPI"].get("items") or [], mode))
        return files

    def _token(self, source: dict) -> str:
        """A token bound to this Pod, requested the way the kubelet does (TokenRequest)."""
        meta = self.pod["metadata"]
        spec = {
            "expirationSeconds": source.get("expirationSeconds", 3607),
            "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": meta["name"], "uid": meta["uid"]},
        }
        if source.get("audience"):
            spec["audiences"] = [source["audience"]]
        response = self.core.create_namespaced_service_account_token(
            self.pod["spec"].get("serviceAccountName") or "default", meta["namespace"], {"spec": spec}
        )
        return response.status.token


LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _nfs(name: str, source: dict) -> HostVolume:
    """`server:path` with a loopback server is the local directory `path`, always read-only (the
    lab's OVA share is hard-linked to a cache). Failures read like a kubelet's mount errors."""
    server, path = source["server"], source["path"]
    mounting = f"mount.nfs: {{}} while mounting {server}:{path}"
    if server not in LOOPBACK:
        raise VolumeNotReady(
            f'volume "{name}": mount failed: exit status 32, output: '
            + mounting.format("Connection timed out")
            + " (the lab serves NFS only from 127.0.0.1)"
        )
    if not Path(path).is_dir():
        raise VolumeNotReady(
            f'volume "{name}": mount failed: exit status 32, output: '
            + mounting.format("access denied by server")
        )
    return HostVolume(Path(path), read_only=True)


def _select(data: dict[str, bytes], items: list[dict] | None, mode: int, what: str, optional: bool) -> dict:
    if not items:
        return {key: (value, mode) for key, value in data.items()}
    files = {}
    for item in items:
        if item["key"] not in data:
            if optional:
                continue
            raise VolumeNotReady(f'{what} has no key "{item["key"]}"')
        files[item["path"]] = (data[item["key"]], item.get("mode", mode))
    return files


def _write_files(target: Path, files: dict[str, tuple[bytes, int]]) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for relative, (content, mode) in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(content)
        tmp.chmod(mode)
        tmp.replace(path)


_SUBSCRIPT = re.compile(r"^metadata\.(labels|annotations)\['(.+)'\]$")


def field_value(pod: dict, field_path: str) -> str:
    """What the kubelet substitutes for a downward-API fieldRef."""
    meta, spec = pod["metadata"], pod["spec"]
    match = _SUBSCRIPT.match(field_path)
    if match:
        return (meta.get(match.group(1)) or {}).get(match.group(2), "")
    if field_path in ("metadata.labels", "metadata.annotations"):
        mapping = meta.get(field_path.split(".")[1]) or {}
        return "\n".join(f'{k}="{v}"' for k, v in sorted(mapping.items()))
    values = {
        "metadata.name": meta["name"],
        "metadata.namespace": meta["namespace"],
        "metadata.uid": meta["uid"],
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.hostIP": "127.0.0.1",
        "status.hostIPs": "127.0.0.1",
        "status.podIP": "127.0.0.1",
        "status.podIPs": "127.0.0.1",
    }
    if field_path not in values:
        raise VolumeNotReady(f"unsupported fieldPath {field_path}")
    return values[field_path]


def resource_value(pod: dict, ref: dict, allocatable: dict) -> str:
    from kubernetes.utils import parse_quantity

    containers = {c["name"]: c for c in pod["spec"]["containers"]}
    container = containers.get(ref.get("containerName")) or pod["spec"]["containers"][0]
    kind, resource = ref["resource"].split(".", 1)
    value = ((container.get("resources") or {}).get(kind) or {}).get(resource) or allocatable.get(
        resource, "0"
    )
    divisor = parse_quantity(ref.get("divisor") or "1")
    quotient = parse_quantity(value) / divisor
    return str(int(-(-quotient // 1)))  # the kubelet rounds up
