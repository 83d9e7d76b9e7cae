"""The VM controller's side of booting real guests (launcher.py): which VMIs boot, their
virt-launcher Pod, and what its console says.

`GuestBoots.state(vmi)` returns None for a VMI without a bootable guest (the fast path), else
("booting" | "running" | "failed", detail): detail is the marker's MACs when running and the
console's last lines when failed.
"""

from __future__ import annotations

import time
from pathlib import Path

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from lab.kube.simulator import launcher
from lab.kube.simulator.config import Config
from lab.kube.simulator.kubelet import container_runs
from lab.kube.simulator.volumes import PATH_ANNOTATION


class GuestBoots:
    def __init__(self, config: Config, api: client.ApiClient):
        self.config = config
        self.core = client.CoreV1Api(api)

    def _claim(self, namespace: str, name: str) -> tuple[Path, bool] | None:
        """(local path, is Block) of a bound claim, or None."""
        try:
            pvc = self.core.read_namespaced_persistent_volume_claim(name, namespace)
            if pvc.status.phase != "Bound" or not pvc.spec.volume_name:
                return None
            pv = self.core.read_persistent_volume(pvc.spec.volume_name)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise
        path = (pv.metadata.annotations or {}).get(PATH_ANNOTATION)
        return (Path(path), pv.spec.volume_mode == "Block") if path else None

    def _pod(self, vmi: dict) -> client.V1Pod | None:
        pods = self.core.list_namespaced_pod(
            vmi["metadata"]["namespace"], label_selector=f"kubevirt.io/created-by={vmi['metadata']['uid']}").items
        return pods[0] if pods else None

    def _console(self, pod: client.V1Pod) -> launcher.Console:
        runs = container_runs(self.config.pods_dir, pod.metadata.namespace, pod.metadata.name, launcher.CONTAINER)
        return launcher.Console(runs[-1].read_text(errors="replace") if runs else "")

    def state(self, vmi: dict, node: str) -> tuple[str, object] | None:
        namespace = vmi["metadata"]["namespace"]
        disks = launcher.boot_disks(vmi["spec"])
        if not disks:
            return None
        pod = self._pod(vmi)
        if pod is None:
            claims = {d["claim"]: self._claim(namespace, d["claim"]) for d in disks}
            first = claims[disks[0]["claim"]]
            if first is None or not launcher.bootable(launcher.claim_image(first[0])):
                return None
            if any(c is None for c in claims.values()):
                return None
            body = launcher.launcher_pod(vmi, node, disks, {name: c[1] for name, c in claims.items()})
            self.core.create_namespaced_pod(namespace, body)
            return "booting", None
        console = self._console(pod)
        if console.marker:
            return "running", console.macs
        started = pod.metadata.creation_timestamp.timestamp()
        if pod.status.phase in ("Failed", "Succeeded") or time.time() - started > launcher.BOOT_TIMEOUT + 30:
            return "failed", console.last_lines() or f"virt-launcher Pod {pod.metadata.name}: {pod.status.phase}"
        return "booting", None
