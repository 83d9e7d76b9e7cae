"""Start etcd, kube-apiserver, kube-controller-manager and kube-scheduler on loopback."""

from __future__ import annotations

import json
import socket
import ssl
import urllib.request
from pathlib import Path

from lab import gobuild
from lab.kube.pki import Pki, write_kubeconfig
from lab.runtime import LOOPBACK, Context, free_port, wait_for_port, wait_until

SERVICE_CIDR = "10.96.0.0/16"
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"


def binaries() -> dict[str, Path]:
    """Build (or reuse) the control-plane binaries; instant when the sources did not change."""
    paths = gobuild.build(
        "kube",
        {
            "kube-apiserver": "k8s.io/kubernetes/cmd/kube-apiserver",
            "kube-controller-manager": "k8s.io/kubernetes/cmd/kube-controller-manager",
            "kube-scheduler": "k8s.io/kubernetes/cmd/kube-scheduler",
        },
    )
    paths.update(gobuild.build("etcd", {"etcd": "."}))
    return paths


def _port_is_free(port: int) -> bool:
    with socket.socket() as s:
        # Like the servers themselves: connections in TIME_WAIT must not make a port look taken.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def stable_ports(directory: Path, names: list[str]) -> dict[str, int]:
    """Ports chosen once and reused while free, so a restarted cluster keeps its URLs."""
    path = directory / "ports.json"
    ports = json.loads(path.read_text()) if path.exists() else {}
    for name in names:
        if not ports.get(name) or not _port_is_free(ports[name]):
            ports[name] = free_port()
    path.write_text(json.dumps(ports, indent=2))
    return ports


def start_etcd(ctx: Context, etcd: Path, directory: Path, client_port: int, peer_port: int):
    client_url, peer_url = f"http://{LOOPBACK}:{client_port}", f"http://{LOOPBACK}:{peer_port}"
    proc = ctx.spawn(
        "kube-etcd",
        [
            etcd,
            "--name=lab",
            f"--data-dir={directory / 'etcd'}",
            f"--listen-client-urls={client_url}",
            f"--advertise-client-urls={client_url}",
            f"--listen-peer-urls={peer_url}",
            f"--initial-advertise-peer-urls={peer_url}",
            f"--initial-cluster=lab={peer_url}",
            "--listen-metrics-urls=",
            "--log-level=warn",
            # The lab's data is disposable: favour speed on a shared disk.
            "--unsafe-no-fsync",
            "--quota-backend-bytes=2147483648",
        ],
    )
    wait_for_port(client_port, timeout=30, proc=proc)
    wait_until(lambda: _etcd_healthy(client_url), timeout=30, what="etcd /health")
    return client_url


def _etcd_healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
        return json.load(resp).get("health") == "true"


def start_apiserver(ctx: Context, binary: Path, pki: Pki, etcd_url: str, port: int) -> str:
    proc = ctx.spawn(
        "kube-apiserver",
        [
            binary,
            f"--etcd-servers={etcd_url}",
            f"--bind-address={LOOPBACK}",
            f"--advertise-address={LOOPBACK}",
            f"--secure-port={port}",
            # Endpoints may not hold loopback addresses; Pods here reach the server
            # through KUBERNETES_SERVICE_HOST=127.0.0.1 instead of the Service.
            "--endpoint-reconciler-type=none",
            f"--tls-cert-file={pki.apiserver[0]}",
            f"--tls-private-key-file={pki.apiserver[1]}",
            f"--client-ca-file={pki.ca[0]}",
            f"--service-account-issuer={SERVICE_ACCOUNT_ISSUER}",
            f"--service-account-key-file={pki.service_account_pub}",
            f"--service-account-signing-key-file={pki.service_account_key}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--allow-privileged=true",
            f"--kubelet-client-certificate={pki.apiserver_kubelet_client[0]}",
            f"--kubelet-client-key={pki.apiserver_kubelet_client[1]}",
            f"--kubelet-certificate-authority={pki.ca[0]}",
            "--kubelet-preferred-address-types=InternalIP",
            "--profiling=false",
            # Close open watches when stopping instead of waiting for the clients to go away.
            "--shutdown-watch-termination-grace-period=2s",
            "--v=1",
        ],
    )
    server = f"https://{LOOPBACK}:{port}"
    wait_for_port(port, timeout=60, proc=proc)
    context = ssl.create_default_context(cafile=str(pki.ca[0]))
    context.load_cert_chain(str(pki.admin[0]), str(pki.admin[1]))

    def ready():
        if proc.poll() is not None:
            raise RuntimeError(
                f"kube-apiserver exited with {proc.returncode}; see {ctx.log_path('kube-apiserver')}"
            )
        with urllib.request.urlopen(f"{server}/readyz", timeout=3, context=context) as resp:
            return resp.status == 200

    wait_until(ready, timeout=90, interval=0.3, what="kube-apiserver /readyz")
    return server


def start_controllers(ctx: Context, bins: dict[str, Path], pki: Pki, server: str, directory: Path) -> None:
    cm_kubeconfig = write_kubeconfig(
        directory / "controller-manager.kubeconfig",
        server,
        pki.ca[0],
        "system:kube-controller-manager",
        cert=pki.controller_manager,
    )
    scheduler_kubeconfig = write_kubeconfig(
        directory / "scheduler.kubeconfig", server, pki.ca[0], "system:kube-scheduler", cert=pki.scheduler
    )
    ctx.spawn(
        "kube-controller-manager",
        [
            bins["kube-controller-manager"],
            f"--kubeconfig={cm_kubeconfig}",
            "--secure-port=0",
            "--leader-elect=false",
            "--controllers=*",
            f"--root-ca-file={pki.ca[0]}",
            f"--service-account-private-key-file={pki.service_account_key}",
            "--use-service-account-credentials=true",
            f"--cluster-signing-cert-file={pki.ca[0]}",
            f"--cluster-signing-key-file={pki.ca[1]}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            "--cluster-name=mtvweb-lab",
            # Finished Pods are kept (the product reads their logs); only the Job and
            # namespace controllers and GC remove them.
            "--terminated-pod-gc-threshold=1000",
            "--v=1",
        ],
    )
    ctx.spawn(
        "kube-scheduler",
        [
            bins["kube-scheduler"],
            f"--kubeconfig={scheduler_kubeconfig}",
            "--secure-port=0",
            "--leader-elect=false",
            "--v=1",
        ],
    )
