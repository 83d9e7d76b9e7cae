"""Nodes the simulator plays: registration, status and the heartbeats kubelets send.

The node lifecycle controller (real, in kube-controller-manager) marks a Node NotReady
and later evicts its Pods when its Lease in kube-node-lease stops being renewed, so the
heartbeat renews the Lease every 10 s and refreshes the Ready condition with it.
"""

from __future__ import annotations

import logging
import time
import uuid

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from lab.kube.simulator.config import Config, Node
from lab.kube.simulator.events import now, now_micro

log = logging.getLogger(__name__)

KUBELET_VERSION = "v1.34.4"
LEASE_SECONDS = 40
HEARTBEAT_SECONDS = 10


class NodeAgent:
    def __init__(self, config: Config):
        self.config = config
        self.api = config.api_client()
        self.core = client.CoreV1Api(self.api)
        self.coordination = client.CoordinationV1Api(self.api)
        self.boot_id = str(uuid.uuid4())

    def register(self) -> None:
        for node in self.config.nodes:
            self._ensure_node(node)
            self._post_status(node)
            self._renew_lease(node)

    def heartbeat(self) -> None:
        for node in self.config.nodes:
            self._renew_lease(node)
            self._post_status(node)
        self.config.heartbeat_file.write_text(str(time.time()))

    def _ensure_node(self, node: Node) -> None:
        body = {
            "metadata": {
                "name": node.name,
                "labels": {
                    "kubernetes.io/hostname": node.name,
                    "kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/os": "linux",
                    "beta.kubernetes.io/arch": "amd64",
                    "node-role.kubernetes.io/worker": "",
                    "kubevirt.io/schedulable": "true",
                },
                "annotations": {"lab.mtvweb/simulated": "true"},
            },
            "spec": {},
        }
        try:
            self.core.create_node(body)
            log.info("registered node %s", node.name)
        except ApiException as exc:
            if exc.status != 409:
                raise
            self.core.patch_node(node.name, {"metadata": body["metadata"]})

    def _post_status(self, node: Node) -> None:
        stamp = now()
        resources = {
            "cpu": self.config.node_cpu,
            "memory": self.config.node_memory,
            "pods": "110",
            "ephemeral-storage": "100Gi",
            "hugepages-2Mi": "0",
            "devices.kubevirt.io/kvm": "1k",
        }

        def condition(kind, status, reason, message):
            return {
                "type": kind,
                "status": status,
                "reason": reason,
                "message": message,
                "lastHeartbeatTime": stamp,
                "lastTransitionTime": self._transition_time(node, kind, status, stamp),
            }

        status = {
            "capacity": resources,
            "allocatable": resources,
            "conditions": [
                condition(
                    "MemoryPressure",
                    "False",
                    "KubeletHasSufficientMemory",
                    "kubelet has sufficient memory available",
                ),
                condition(
                    "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"
                ),
                condition(
                    "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"
                ),
                condition("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
            ],
            "addresses": [
                {"type": "InternalIP", "address": "127.0.0.1"},
                {"type": "Hostname", "address": node.name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": node.kubelet_port}},
            "nodeInfo": {
                "machineID": uuid.uuid5(uuid.NAMESPACE_DNS, node.name).hex,
                "systemUUID": str(uuid.uuid5(uuid.NAMESPACE_URL, node.name)),
                "bootID": self.boot_id,
                "kernelVersion": _kernel(),
                "osImage": "mtvweb lab simulated node",
                "containerRuntimeVersion": "lab://1.0.0",
                "kubeletVersion": KUBELET_VERSION,
                "kubeProxyVersion": "",
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
        }
        self.core.patch_node_status(node.name, {"status": status})

    def _transition_time(self, node: Node, kind: str, status: str, stamp: str) -> str:
        """Keep lastTransitionTime unless the condition's status really changes."""
        cache = getattr(self, "_transitions", None)
        if cache is None:
            cache = self._transitions = {}
            for item in self.core.list_node().items:
                for cond in item.status.conditions or []:
                    if cond.last_transition_time:
                        cache[(item.metadata.name, cond.type)] = (
                            cond.status,
                            cond.last_transition_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        )
        previous = cache.get((node.name, kind))
        if previous and previous[0] == status:
            return previous[1]
        cache[(node.name, kind)] = (status, stamp)
        return stamp

    def _renew_lease(self, node: Node) -> None:
        body = {
            "metadata": {"name": node.name, "namespace": "kube-node-lease"},
            "spec": {
                "holderIdentity": node.name,
                "leaseDurationSeconds": LEASE_SECONDS,
                "renewTime": now_micro(),
            },
        }
        try:
            self.coordination.patch_namespaced_lease(node.name, "kube-node-lease", {"spec": body["spec"]})
        except ApiException as exc:
            if exc.status != 404:
                raise
            owner = self.core.read_node(node.name)
            body["metadata"]["ownerReferences"] = [
                {"apiVersion": "v1", "kind": "Node", "name": node.name, "uid": owner.metadata.uid}
            ]
            self.coordination.create_namespaced_lease("kube-node-lease", body)


def _kernel() -> str:
    import platform

    return platform.release()
