"""The target cluster: a real Kubernetes control plane plus a simulator of nodes and add-ons.

See README.md in this directory. `up(ctx)` starts etcd, kube-apiserver,
kube-controller-manager, kube-scheduler and the cluster simulator, installs the CRDs and
cluster objects and returns the record stored as lab.json["kube"].
"""

from __future__ import annotations

import os
import ssl
import sys
import time
import urllib.request
from pathlib import Path

from kubernetes import client
from kubernetes import config as kube_config

from lab import image
from lab.kube import bootstrap, controlplane
from lab.kube.pki import ensure_pki, write_kubeconfig
from lab.kube.simulator.config import DEFAULT_IMAGE_PATTERN, Config, Node
from lab.runtime import Context, stop_pid, wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_NODES = 2
HEARTBEAT_STALE_SECONDS = 45


def build() -> dict[str, Path]:
    image.build()  # the root filesystem the simulator runs containers in
    return controlplane.binaries()


def up(ctx: Context) -> dict:
    try:
        return _start(ctx)
    except BaseException:
        # `lab up` records pids only of parts that came up: do not leave half a cluster behind.
        for pid in ctx.pids.values():
            stop_pid(pid)
        raise


def _start(ctx: Context) -> dict:
    directory = ctx.dir("kube")
    bins = controlplane.binaries()
    pki = ensure_pki(directory / "pki")
    node_count = int(
        ctx.options.get("kube_nodes") or os.environ.get("MTVWEB_LAB_KUBE_NODES") or DEFAULT_NODES
    )
    node_names = [f"lab-node-{i}" for i in range(1, node_count + 1)]
    ports = controlplane.stable_ports(directory, ["etcd", "etcd-peer", "apiserver", *node_names])

    etcd_url = controlplane.start_etcd(ctx, bins["etcd"], directory, ports["etcd"], ports["etcd-peer"])
    server = controlplane.start_apiserver(ctx, bins["kube-apiserver"], pki, etcd_url, ports["apiserver"])
    admin_kubeconfig = write_kubeconfig(
        directory / "admin.kubeconfig", server, pki.ca[0], "lab-admin", cert=pki.admin
    )
    api = kube_config.new_client_from_config(str(admin_kubeconfig))
    # CRDs before the controller manager, so its garbage collector watches VMIs from the
    # start instead of after its next discovery round (30 s).
    bootstrap.install_crds(api)
    controlplane.start_controllers(ctx, bins, pki, server, directory)
    bootstrap.install_cluster_objects(api)

    simulator_config = Config(
        server=server,
        apiserver_port=ports["apiserver"],
        ca_file=str(pki.ca[0]),
        client_cert=str(pki.simulator[0]),
        client_key=str(pki.simulator[1]),
        kubelet_cert=str(pki.kubelet_serving[0]),
        kubelet_key=str(pki.kubelet_serving[1]),
        nodes=[Node(name, ports[name]) for name in node_names],
        volumes_dir=ctx.dir("kube", "volumes"),
        pods_dir=ctx.dir("kube", "pods"),
        heartbeat_file=directory / "simulator.heartbeat",
        repo_root=REPO_ROOT,
        image_root=str(image.build()),
        image_pattern=os.environ.get("MTVWEB_LAB_IMAGE_PATTERN", DEFAULT_IMAGE_PATTERN),
    )
    config_path = directory / "simulator.json"
    config_path.write_text(simulator_config.to_json())
    simulator_config.heartbeat_file.unlink(missing_ok=True)
    proc = ctx.spawn(
        "kube-simulator", [sys.executable, "-m", "lab.kube.simulator", config_path], cwd=REPO_ROOT
    )

    token = bootstrap.user_token(api)
    user_kubeconfig = write_kubeconfig(
        directory / "user.kubeconfig",
        server,
        pki.ca[0],
        bootstrap.USER_SERVICE_ACCOUNT,
        token=token,
        namespace=bootstrap.USER_NAMESPACE,
    )
    bootstrap.wait_namespaces_ready(api, ["default", *bootstrap.NAMESPACES])
    _wait_for_nodes(api, node_names, proc, simulator_config.heartbeat_file)
    return {
        "server": server,
        "ca_file": str(pki.ca[0]),
        "admin_kubeconfig": str(admin_kubeconfig),
        "user_kubeconfig": str(user_kubeconfig),
        "user_namespace": bootstrap.USER_NAMESPACE,
        "user_service_account": f"{bootstrap.USER_NAMESPACE}/{bootstrap.USER_SERVICE_ACCOUNT}",
        "user_token": token,
        "nodes": node_names,
        "storage_classes": bootstrap.storage_classes(),
        "default_storage_class": next(n for n, c in bootstrap.storage_classes().items() if c["default"]),
        "nads": bootstrap.network_attachment_definitions(),
        "namespaces": bootstrap.NAMESPACES,
        "image_pattern": simulator_config.image_pattern,
        "image_root": simulator_config.image_root,
        "volumes_dir": str(simulator_config.volumes_dir),
        "pods_dir": str(simulator_config.pods_dir),
        "heartbeat_file": str(simulator_config.heartbeat_file),
        "logs_dir": str(ctx.dir("logs")),
    }


def _wait_for_nodes(api: client.ApiClient, names: list[str], proc, heartbeat_file: Path) -> None:
    core = client.CoreV1Api(api)

    def ready():
        if proc.poll() is not None:
            raise RuntimeError(f"the cluster simulator exited with {proc.returncode}")
        if not heartbeat_file.exists():
            return False
        nodes = {n.metadata.name: n for n in core.list_node().items}
        return all(
            name in nodes
            and any(c.type == "Ready" and c.status == "True" for c in nodes[name].status.conditions or [])
            for name in names
        )

    wait_until(ready, timeout=60, what=f"nodes {', '.join(names)} Ready")


def healthy(ctx: Context, record: dict) -> bool:
    """API server ready and the simulator heartbeating (a stale heartbeat means it hangs), on the
    image of the checkout (a changed image/ or pyproject.toml restarts the cluster on the new one)."""
    if record.get("image_root") != str(image.root_dir()):
        return False
    heartbeat = Path(record["heartbeat_file"])
    if not heartbeat.exists() or time.time() - float(heartbeat.read_text() or 0) > HEARTBEAT_STALE_SECONDS:
        return False
    directory = Path(record["admin_kubeconfig"]).parent / "pki"
    context = ssl.create_default_context(cafile=record["ca_file"])
    context.load_cert_chain(str(directory / "lab-admin.crt"), str(directory / "lab-admin.key"))
    with urllib.request.urlopen(f"{record['server']}/readyz", timeout=3, context=context) as resp:
        return resp.status == 200
