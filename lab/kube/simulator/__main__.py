"""python -m lab.kube.simulator <config.json> — play the nodes and add-ons of the lab cluster.

Threads: node heartbeats, the kubelet HTTPS endpoints, and one list/watch loop each for
PVCs + PVs (provisioner), Pods (kubelet) and VMs + VMIs (KubeVirt), plus the ticks that
advance running Pods and VMs waiting for volumes. All state lives in the API server and
under the state directory, so a restarted simulator picks up where it stopped.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path

from kubernetes import client

from lab.kube.simulator.config import Config
from lab.kube.simulator.kubelet import KubeletServer
from lab.kube.simulator.nodes import HEARTBEAT_SECONDS, NodeAgent
from lab.kube.simulator.pods import PodRunner
from lab.kube.simulator.storage import Provisioner
from lab.kube.simulator.vms import GROUP, VERSION, VirtualMachineController
from lab.kube.simulator.watching import run_every, run_watch_loop, start_thread


def main(argv: list[str]) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(threadName)s %(levelname)s %(name)s: %(message)s"
    )
    config = Config.load(Path(argv[0]))
    for directory in (config.volumes_dir, config.pods_dir):
        directory.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())

    start_thread(KubeletServer(config).serve_forever, name="kubelet")
    nodes = NodeAgent(config)
    nodes.register()
    nodes.heartbeat()
    start_thread(run_every, "heartbeat", HEARTBEAT_SECONDS, nodes.heartbeat, stop, name="heartbeat")

    provisioner = Provisioner(config)
    core = client.CoreV1Api(provisioner.api)
    start_thread(
        run_watch_loop,
        "pvcs",
        provisioner.api,
        core.list_persistent_volume_claim_for_all_namespaces,
        provisioner.on_claim,
        stop,
        name="pvcs",
    )
    start_thread(
        run_watch_loop,
        "pvs",
        provisioner.api,
        core.list_persistent_volume,
        provisioner.on_volume,
        stop,
        name="pvs",
    )

    pods = PodRunner(config)
    pods_core = client.CoreV1Api(pods.api)
    start_thread(
        run_watch_loop,
        "pods",
        pods.api,
        pods_core.list_pod_for_all_namespaces,
        pods.on_pod,
        stop,
        resync=pods.resync,
        name="pods",
    )
    start_thread(run_every, "pod-tick", 0.25, pods.tick, stop, name="pod-tick")

    vms = VirtualMachineController(config)
    custom = client.CustomObjectsApi(vms.api)
    start_thread(
        run_watch_loop,
        "vms",
        vms.api,
        custom.list_cluster_custom_object,
        vms.on_vm,
        stop,
        group=GROUP,
        version=VERSION,
        plural="virtualmachines",
        name="vms",
    )
    start_thread(
        run_watch_loop,
        "vmis",
        vms.api,
        custom.list_cluster_custom_object,
        vms.on_vmi,
        stop,
        group=GROUP,
        version=VERSION,
        plural="virtualmachineinstances",
        name="vmis",
    )
    start_thread(run_every, "vm-tick", 2, vms.tick, stop, name="vm-tick")

    logging.getLogger(__name__).info(
        "cluster simulator running with nodes %s", [n.name for n in config.nodes]
    )
    stop.wait()
    with pods.lock:
        for run in list(pods.runs.values()):
            for container in run.containers:
                container.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
