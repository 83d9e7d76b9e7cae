"""Certificates, the service-account key pair and kubeconfig files of the lab cluster."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

import yaml

from lab.runtime import issue_cert, make_ca

# Names the serving certificate answers to: how clients on this machine and Pods
# (KUBERNETES_SERVICE_HOST) reach the API server, plus the in-cluster service names.
SERVING_HOSTS = (
    "127.0.0.1",
    "localhost",
    "10.96.0.1",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
)


@dataclass
class Pki:
    directory: Path
    ca: tuple[Path, Path]
    apiserver: tuple[Path, Path]
    apiserver_kubelet_client: tuple[Path, Path]
    kubelet_serving: tuple[Path, Path]
    admin: tuple[Path, Path]
    controller_manager: tuple[Path, Path]
    scheduler: tuple[Path, Path]
    simulator: tuple[Path, Path]
    service_account_key: Path
    service_account_pub: Path


def ensure_pki(directory: Path) -> Pki:
    """Create (once) the CA and every certificate the control plane and its clients use."""
    directory.mkdir(parents=True, exist_ok=True)
    ca = make_ca(directory, "kube")

    def client(name: str, organization: str | None = None):
        return issue_cert(ca, directory, name, client=True, organization=organization)

    sa_key, sa_pub = _service_account_keys(directory)
    return Pki(
        directory=directory,
        ca=ca,
        apiserver=issue_cert(ca, directory, "kube-apiserver", hosts=SERVING_HOSTS),
        # The API server presents this when it calls the simulated kubelets (logs).
        apiserver_kubelet_client=client("kube-apiserver-kubelet-client", "system:masters"),
        kubelet_serving=issue_cert(ca, directory, "kubelet", hosts=("127.0.0.1", "localhost")),
        admin=client("lab-admin", "system:masters"),
        controller_manager=client("system:kube-controller-manager"),
        scheduler=client("system:kube-scheduler"),
        simulator=client("lab-cluster-simulator", "system:masters"),
        service_account_key=sa_key,
        service_account_pub=sa_pub,
    )


def _service_account_keys(directory: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key_path, pub_path = directory / "sa.key", directory / "sa.pub"
    if key_path.exists() and pub_path.exists():
        return key_path, pub_path
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    pub_path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return key_path, pub_path


def _b64(path: Path) -> str:
    return base64.b64encode(Path(path).read_bytes()).decode()


def write_kubeconfig(
    path: Path,
    server: str,
    ca_file: Path,
    user: str,
    *,
    cert: tuple[Path, Path] | None = None,
    token: str | None = None,
    namespace: str = "default",
) -> Path:
    """A self-contained kubeconfig (certificates embedded) for one identity."""
    credentials = (
        {"token": token}
        if token
        else {
            "client-certificate-data": _b64(cert[0]),
            "client-key-data": _b64(cert[1]),
        }
    )
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "mtvweb-lab", "cluster": {"server": server, "certificate-authority-data": _b64(ca_file)}}
        ],
        "users": [{"name": user, "user": credentials}],
        "contexts": [
            {"name": user, "context": {"cluster": "mtvweb-lab", "user": user, "namespace": namespace}}
        ],
        "current-context": user,
        "preferences": {},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(config, sort_keys=False))
    tmp.chmod(0o600)
    tmp.replace(path)
    return path
